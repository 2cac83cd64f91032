@testable import SSHClient
import Synchronization
import Testing

@Suite struct BackpressureBufferTests {
    @Test func producerIsToldToWaitAndResumedAfterDrain() async throws {
        let buffer = BackpressureBuffer<[UInt8]>(limit: 100, lowWater: 40)
        let resumed = Atomic<Int>(0)
        buffer.setOnDrained { resumed.add(1, ordering: .relaxed) }
        #expect(buffer.reserve(60) == 60)
        buffer.yield([UInt8](repeating: 1, count: 60), bytes: 60)
        #expect(buffer.reserve(60) == 40)
        buffer.yield([UInt8](repeating: 2, count: 40), bytes: 40)
        #expect(buffer.isProducerWaiting)
        #expect(buffer.reserve(1) == 0)
        #expect(try await buffer.next()?.count == 60)
        #expect(resumed.load(ordering: .relaxed) == 1)
        #expect(!buffer.isProducerWaiting)
        #expect(buffer.bufferedBytes == 40)
        #expect(buffer.peakBytes == 100)
    }

    @Test func finishDeliversWhatIsBufferedThenEnds() async throws {
        let buffer = BackpressureBuffer<Int>(limit: 10)
        buffer.yield(1, bytes: 1)
        buffer.yield(2, bytes: 1)
        buffer.finish()
        #expect(try await buffer.next() == 1)
        #expect(try await buffer.next() == 2)
        #expect(try await buffer.next() == nil)
        #expect(buffer.reserve(1000) == 1000)
    }

    @Test func errorsReachTheConsumerAfterBufferedElements() async throws {
        let buffer = BackpressureBuffer<Int>(limit: 10)
        buffer.yield(1, bytes: 1)
        buffer.finish(throwing: SSHError.channelClosed("test"))
        #expect(try await buffer.next() == 1)
        await #expect(throws: SSHError.self) { try await buffer.next() }
    }

    @Test func waitingConsumerIsWokenByYieldAndByCancellation() async throws {
        let buffer = BackpressureBuffer<Int>(limit: 10)
        let reader = Task { try await buffer.next() }
        try await waitUntil("the consumer waits") { buffer.bufferedBytes == 0 && !reader.isCancelled }
        buffer.yield(5, bytes: 1)
        #expect(try await reader.value == 5)

        let cancelled = Task { try await buffer.next() }
        cancelled.cancel()
        await #expect(throws: CancellationError.self) { try await cancelled.value }
    }
}
