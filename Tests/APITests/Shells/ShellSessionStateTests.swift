import Foundation
import Synchronization
import NIOCore
import Testing

@testable import API

/// The session lifecycle, the replay ring and the outbox between shell and socket.
@Suite struct ShellSessionStateTests {
    let start = Date(timeIntervalSince1970: 1_800_000_000)

    @Test func ttySessionSurvivesItsClientUntilTheDetachTTL() {
        var life = ShellLifecycle(detachable: true, detachTTL: 300, now: start)
        #expect(life.attach(1) == .attach(finalStatus: nil))
        #expect(life.detach(1, now: start.addingTimeInterval(10)) == .keep(until: start.addingTimeInterval(310)))
        #expect(life.expire(now: start.addingTimeInterval(309)) == .none)
        #expect(life.attach(2) == .attach(finalStatus: nil))
        #expect(life.expire(now: start.addingTimeInterval(400)) == .none, "an attached session never expires")
        #expect(life.detach(2, now: start.addingTimeInterval(500)) == .keep(until: start.addingTimeInterval(800)))
        #expect(life.expire(now: start.addingTimeInterval(800)) == .terminate)
        #expect(life.attach(3) == .gone)
        #expect(life.isFinished)
    }

    @Test func oneClientAtATime() {
        var life = ShellLifecycle(detachable: true, detachTTL: 300, now: start)
        #expect(life.attach(1) == .attach(finalStatus: nil))
        #expect(life.attach(2) == .busy)
        #expect(life.detach(2, now: start) == .none, "a refused client cannot detach the attached one")
        #expect(life.attached == 1)
    }

    @Test func commandWithoutTTYEndsWithItsClient() {
        var life = ShellLifecycle(detachable: false, detachTTL: 300, now: start)
        #expect(life.attach(1) == .attach(finalStatus: nil))
        #expect(life.detach(1, now: start) == .terminate)
        #expect(life.exited(.exitCode(1), now: start) == .none)
        #expect(life.isFinished)
    }

    @Test func exitWhileAttachedDeliversTheStatus() {
        var life = ShellLifecycle(detachable: true, detachTTL: 300, now: start)
        _ = life.attach(1)
        #expect(life.exited(.exitCode(3), now: start) == .deliver(to: 1, .exitCode(3)))
        #expect(!life.isFinished)
        #expect(life.detach(1, now: start) == .none)
        #expect(life.isFinished)
    }

    @Test func exitWhileDetachedKeepsTheStatusForAReattachUntilTheDeadline() {
        var life = ShellLifecycle(detachable: true, detachTTL: 300, now: start)
        _ = life.attach(1)
        _ = life.detach(1, now: start)
        #expect(life.exited(.success, now: start.addingTimeInterval(5)) == .keep(until: start.addingTimeInterval(300)))
        #expect(life.attach(2) == .attach(finalStatus: .success))
        #expect(life.attach(3) == .gone)

        var unclaimed = ShellLifecycle(detachable: true, detachTTL: 300, now: start)
        _ = unclaimed.attach(1)
        _ = unclaimed.detach(1, now: start)
        _ = unclaimed.exited(.success, now: start)
        #expect(unclaimed.expire(now: start.addingTimeInterval(300)) == .forget)
        #expect(unclaimed.isFinished)
    }

    @Test func zeroDetachTTLEndsTTYSessionsWithTheirClient() {
        var life = ShellLifecycle(detachable: true, detachTTL: 0, now: start)
        _ = life.attach(1)
        #expect(life.detach(1, now: start) == .terminate)
    }

    @Test func ringKeepsTheNewestBytesAndNeverStartsInsideACharacter() {
        var ring = OutputRing(capacity: 8)
        ring.append(Array("abc".utf8))
        #expect(ring.snapshot() == Array("abc".utf8))
        ring.append(Array("defghij".utf8))
        #expect(ring.snapshot() == Array("cdefghij".utf8))
        ring.append(Array("0123456789abc".utf8))
        #expect(ring.snapshot() == Array("56789abc".utf8))
        var unicode = OutputRing(capacity: 4)
        unicode.append(Array("aé€".utf8))  // 1 + 2 + 3 bytes: the ring cuts into é
        #expect(unicode.snapshot() == Array("€".utf8))
        #expect(unicode.totalWritten == 6)
    }

    @Test func outboxHoldsTheProducerUntilTheWriterDrains() async {
        let outbox = FrameOutbox(limit: 4)
        #expect(outbox.push(ByteBuffer(bytes: [1, 1, 1, 1, 1])))
        let released = ManagedFlag()
        let producer = Task {
            await outbox.waitForRoom()
            released.set()
        }
        try? await Task.sleep(for: .milliseconds(50))
        #expect(!released.value, "the producer must wait while the queue is over its limit")
        guard case .frame(let frame)? = await outbox.next() else { Issue.record("no frame"); return }
        #expect(frame.readableBytes == 5)
        await producer.value
        #expect(released.value)
        outbox.finish(status: ByteBuffer(bytes: [3]))
        #expect(!outbox.push(ByteBuffer(bytes: [1])), "nothing follows the status")
        guard case .status? = await outbox.next() else { Issue.record("no status"); return }
        #expect(await outbox.next() == nil)
    }

    @Test func closingTheOutboxReleasesAWaitingProducer() async {
        let outbox = FrameOutbox(limit: 1)
        outbox.push(ByteBuffer(bytes: [1, 2, 3]))
        let producer = Task { await outbox.waitForRoom() }
        outbox.close()
        await producer.value
        #expect(outbox.queuedBytes == 0)
        #expect(await outbox.next() == nil)
    }
}

/// A flag set from another task.
private final class ManagedFlag: Sendable {
    private let state = Mutex(false)
    var value: Bool { state.withLock { $0 } }
    func set() { state.withLock { $0 = true } }
}
