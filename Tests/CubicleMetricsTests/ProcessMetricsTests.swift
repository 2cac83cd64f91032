import CubicleMetrics
import Testing

/// `/proc` parsing, including command names that contain spaces and parentheses.
@Suite struct ProcessMetricsTests {
    @Test func statFieldsAreCountedAfterTheLastParenthesisOfTheCommandName() throws {
        let line = "1234 (my (odd) cmd) S 1 1234 1234 0 -1 4194560 100 0 0 0 250 75 0 0 20 0 9 0 4000 123456789 2048 18446744073709551615\n"
        let stat = try #require(ProcessMetrics.parseStat(line))
        #expect(stat.userTicks == 250 && stat.systemTicks == 75 && stat.startTicks == 4000)
        #expect(stat.virtualBytes == 123_456_789 && stat.rssPages == 2048)
        #expect(ProcessMetrics.parseStat("1234 (short) S 1 2") == nil)
        #expect(ProcessMetrics.parseStat("garbage") == nil)
    }

    @Test func bootTimeComesFromTheBtimeLine() {
        #expect(ProcessMetrics.parseBootTime("cpu  1 2 3\nbtime 1763900000\nprocesses 5\n") == 1_763_900_000)
        #expect(ProcessMetrics.parseBootTime("cpu 1\n") == nil)
    }

    @Test func thisProcessReportsMemoryCPUStartAndDescriptors() throws {
        let figures = try #require(ProcessMetrics.read())
        #expect(figures.residentBytes > 0)
        #expect(figures.openFDs >= 3)
        #expect(figures.maxFDs >= figures.openFDs)
        #expect(figures.startTime > 1_600_000_000)
        #expect(figures.cpuSeconds >= 0)
    }
}
