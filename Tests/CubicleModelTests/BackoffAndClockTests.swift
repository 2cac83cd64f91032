import CubicleModel
import Testing

@Suite struct BackoffAndClockTests {
    @Test func backoffGrowsAndStaysCapped() {
        let policy = Backoff(initial: 1, maximum: 10, multiplier: 2, jitter: 0)
        #expect(policy.delay(attempt: 0, random: 0.5) == 1)
        #expect(policy.delay(attempt: 3, random: 0.5) == 8)
        #expect(policy.delay(attempt: 50, random: 0.5) == 10)
        let jittered = Backoff(initial: 1, maximum: 10, jitter: 0.2)
        #expect(jittered.delay(attempt: 0, random: 0) == 0.8)
        #expect(jittered.delay(attempt: 10, random: 0.999) <= 10)
    }

    @Test func manualClockWakesSleepersOnlyWhenAdvanced() async throws {
        let clock = ManualTimeSource()
        let start = clock.now
        let sleeper = Task { try await clock.sleep(until: start.addingTimeInterval(5)) }
        while clock.sleeperCount == 0 { await Task.yield() }
        clock.advance(by: 4)
        #expect(clock.sleeperCount == 1)
        clock.advance(by: 1)
        try await sleeper.value
        #expect(clock.sleeperCount == 0)
    }

    @Test func cancellingASleeperThrows() async {
        let clock = ManualTimeSource()
        let sleeper = Task { try await clock.sleep(seconds: 60) }
        while clock.sleeperCount == 0 { await Task.yield() }
        sleeper.cancel()
        await #expect(throws: CancellationError.self) { try await sleeper.value }
    }
}
