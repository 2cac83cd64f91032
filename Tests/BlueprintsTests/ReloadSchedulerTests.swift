@testable import Blueprints
import Foundation
import Testing

@Suite struct ReloadSchedulerTests {
    let start = Date(timeIntervalSince1970: 1_800_000_000)

    @Test func idleSchedulerWaitsForAChange() {
        let scheduler = ReloadScheduler(debounce: 0.5)
        #expect(scheduler.next(now: start) == .waitForChange)
    }

    @Test func aChangeIsReloadedOnlyAfterTheQuietPeriod() {
        var scheduler = ReloadScheduler(debounce: 0.5)
        scheduler.changed(at: start)
        #expect(scheduler.next(now: start) == .sleep(until: start.addingTimeInterval(0.5)))
        #expect(scheduler.next(now: start.addingTimeInterval(0.4)) == .sleep(until: start.addingTimeInterval(0.5)))
        #expect(scheduler.next(now: start.addingTimeInterval(0.5)) == .reload)
    }

    @Test func eachChangeRestartsTheQuietPeriod() {
        var scheduler = ReloadScheduler(debounce: 0.5)
        scheduler.changed(at: start)
        scheduler.changed(at: start.addingTimeInterval(0.3))
        #expect(scheduler.next(now: start.addingTimeInterval(0.5)) == .sleep(until: start.addingTimeInterval(0.8)))
        #expect(scheduler.next(now: start.addingTimeInterval(0.8)) == .reload)
    }

    @Test func aReloadCoversEveryChangeBeforeIt() {
        var scheduler = ReloadScheduler(debounce: 0.5)
        for offset in [0.0, 0.1, 0.2] { scheduler.changed(at: start.addingTimeInterval(offset)) }
        scheduler.reloadStarted()
        scheduler.reloadFinished(watching: true, now: start.addingTimeInterval(1))
        #expect(scheduler.next(now: start.addingTimeInterval(1)) == .waitForChange)
    }

    @Test func aChangeDuringAReloadCausesAnotherOne() {
        var scheduler = ReloadScheduler(debounce: 0.5)
        scheduler.changed(at: start)
        scheduler.reloadStarted()
        scheduler.changed(at: start.addingTimeInterval(0.6))
        scheduler.reloadFinished(watching: true, now: start.addingTimeInterval(0.7))
        #expect(scheduler.next(now: start.addingTimeInterval(1.1)) == .reload)
    }

    @Test func anUnwatchableDirectoryIsPolled() {
        var scheduler = ReloadScheduler(debounce: 0.5, pollInterval: 5)
        scheduler.reloadStarted()
        scheduler.reloadFinished(watching: false, now: start)
        #expect(scheduler.next(now: start) == .sleep(until: start.addingTimeInterval(5)))
        scheduler.pollDue(now: start.addingTimeInterval(5))
        #expect(scheduler.next(now: start.addingTimeInterval(5)) == .reload)
        scheduler.reloadStarted()
        scheduler.reloadFinished(watching: true, now: start.addingTimeInterval(5))
        #expect(scheduler.next(now: start.addingTimeInterval(6)) == .waitForChange)
    }
}
