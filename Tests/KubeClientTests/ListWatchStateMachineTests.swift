import CubicleModel
import Testing

@testable import KubeClient

@Suite struct ListWatchStateMachineTests {
    let noJitter = Backoff(initial: 1, maximum: 8, multiplier: 2, jitter: 0)

    @Test func startsWithListThenWatchesFromListVersion() {
        var machine = ListWatchStateMachine(backoff: noJitter)
        #expect(machine.start() == .list)
        let (emission, next) = machine.listSucceeded(resourceVersion: "10")
        #expect(emission == .listed)
        #expect(next == .watch(resourceVersion: "10"))
    }

    @Test func watchResumesFromLastObjectVersionAfterCut() {
        var machine = ListWatchStateMachine(backoff: noJitter)
        _ = machine.start()
        _ = machine.listSucceeded(resourceVersion: "10")
        #expect(machine.received(.object(resourceVersion: "11"), random: 0.5) == .emit)
        #expect(machine.received(.object(resourceVersion: "14"), random: 0.5) == .emit)
        let wait = machine.watchEnded(.failed, elapsed: 30, random: 0.5)
        #expect(wait == .wait(seconds: 1))
        #expect(machine.waitElapsed() == .watch(resourceVersion: "14"))
    }

    @Test func bookmarkAdvancesResumePointWithoutEmitting() {
        var machine = ListWatchStateMachine(backoff: noJitter)
        _ = machine.start()
        _ = machine.listSucceeded(resourceVersion: "10")
        #expect(machine.received(.bookmark(resourceVersion: "50"), random: 0.5) == .skip)
        #expect(machine.resourceVersion == "50")
        #expect(machine.watchEnded(.closed, elapsed: 0, random: 0.5) == .watch(resourceVersion: "50"))
    }

    @Test func cleanCloseAfterEventsReconnectsImmediately() {
        var machine = ListWatchStateMachine(backoff: noJitter)
        _ = machine.start()
        _ = machine.listSucceeded(resourceVersion: "3")
        _ = machine.received(.object(resourceVersion: "4"), random: 0)
        #expect(machine.watchEnded(.closed, elapsed: 0, random: 0) == .watch(resourceVersion: "4"))
        #expect(machine.consecutiveFailures == 0)
    }

    @Test func quietLongWatchReconnectsImmediatelyButInstantCloseBacksOff() {
        var machine = ListWatchStateMachine(backoff: noJitter, minimumWatchDuration: 1)
        _ = machine.start()
        _ = machine.listSucceeded(resourceVersion: "3")
        #expect(machine.watchEnded(.closed, elapsed: 300, random: 0) == .watch(resourceVersion: "3"))
        #expect(machine.watchEnded(.closed, elapsed: 0.01, random: 0) == .wait(seconds: 1))
    }

    @Test func expiredErrorEventRelistsAndReportsResync() {
        var machine = ListWatchStateMachine(backoff: noJitter)
        _ = machine.start()
        _ = machine.listSucceeded(resourceVersion: "10")
        #expect(machine.received(.expired, random: 0.5) == .stop(.list))
        let (emission, next) = machine.listSucceeded(resourceVersion: "99")
        #expect(emission == .resynced)
        #expect(next == .watch(resourceVersion: "99"))
    }

    @Test func goneResponseToWatchRequestRelists() {
        var machine = ListWatchStateMachine(backoff: noJitter)
        _ = machine.start()
        _ = machine.listSucceeded(resourceVersion: "10")
        #expect(machine.watchEnded(.expired, elapsed: 0, random: 0.5) == .list)
    }

    @Test func failuresBackOffExponentiallyCappedAndResetOnSuccess() {
        var machine = ListWatchStateMachine(backoff: noJitter)
        _ = machine.start()
        _ = machine.listSucceeded(resourceVersion: "1")
        var delays: [Double] = []
        for _ in 0..<6 {
            guard case .wait(let seconds) = machine.watchEnded(.failed, elapsed: 0, random: 0.5) else {
                Issue.record("expected a wait")
                return
            }
            delays.append(seconds)
            #expect(machine.waitElapsed() == .watch(resourceVersion: "1"))
        }
        #expect(delays == [1, 2, 4, 8, 8, 8])
        _ = machine.received(.object(resourceVersion: "2"), random: 0)
        #expect(machine.watchEnded(.failed, elapsed: 0, random: 0.5) == .wait(seconds: 1))
    }

    @Test func failedListBacksOffThenListsAgainAndFirstSuccessIsStillInitial() {
        var machine = ListWatchStateMachine(backoff: noJitter)
        _ = machine.start()
        #expect(machine.listFailed(random: 0.5) == .wait(seconds: 1))
        #expect(machine.waitElapsed() == .list)
        #expect(machine.listFailed(random: 0.5) == .wait(seconds: 2))
        #expect(machine.waitElapsed() == .list)
        let (emission, _) = machine.listSucceeded(resourceVersion: "5")
        #expect(emission == .listed)
    }

    @Test func otherErrorEventBacksOffAndResumesWatch() {
        var machine = ListWatchStateMachine(backoff: noJitter)
        _ = machine.start()
        _ = machine.listSucceeded(resourceVersion: "7")
        #expect(machine.received(.failed, random: 0.5) == .stop(.wait(seconds: 1)))
        #expect(machine.waitElapsed() == .watch(resourceVersion: "7"))
    }

    @Test func jitterStaysWithinBounds() {
        var machine = ListWatchStateMachine(backoff: Backoff(initial: 10, maximum: 10, jitter: 0.2))
        _ = machine.start()
        #expect(machine.listFailed(random: 0) == .wait(seconds: 8))
        #expect(machine.waitElapsed() == .list)
        guard case .wait(let high) = machine.listFailed(random: 0.999) else {
            Issue.record("expected a wait")
            return
        }
        #expect(high <= 10 && high > 9.9)
    }
}
