@testable import SSHClient
import Testing

@Suite struct KeepaliveStateMachineTests {
    @Test func nothingHappensBeforeTheCheckIsDue() {
        var machine = KeepaliveStateMachine(interval: 10, maxMissed: 2, now: 100, packetsReceived: 5)
        #expect(machine.tick(now: 105, packetsReceived: 5) == .none)
        #expect(machine.missed == 0)
        #expect(machine.nextCheck == 110)
    }

    @Test func silenceSendsKeepalivesThenDeclaresTheSessionDead() {
        var machine = KeepaliveStateMachine(interval: 10, maxMissed: 2, now: 0, packetsReceived: 7)
        #expect(machine.tick(now: 10, packetsReceived: 7) == .sendKeepalive)
        #expect(machine.tick(now: 20, packetsReceived: 7) == .sendKeepalive)
        #expect(machine.tick(now: 30, packetsReceived: 7) == .declareDead(silentFor: 30))
    }

    @Test func anyReceivedPacketResetsTheCount() {
        var machine = KeepaliveStateMachine(interval: 10, maxMissed: 1, now: 0, packetsReceived: 0)
        #expect(machine.tick(now: 10, packetsReceived: 0) == .sendKeepalive)
        #expect(machine.tick(now: 20, packetsReceived: 1) == .none)
        #expect(machine.missed == 0)
        #expect(machine.tick(now: 30, packetsReceived: 1) == .sendKeepalive)
        #expect(machine.tick(now: 40, packetsReceived: 1) == .declareDead(silentFor: 20))
    }

    @Test func lateTicksScheduleFromNow() {
        var machine = KeepaliveStateMachine(interval: 10, maxMissed: 3, now: 0, packetsReceived: 0)
        _ = machine.tick(now: 95, packetsReceived: 3)
        #expect(machine.nextCheck == 105)
    }
}
