import CubicleModel
import Testing

@Suite struct DurationStringTests {
    static let goDurations: [(String, Int64)] = [
        ("30m", 1_800), ("1h30m", 5_400), ("1h", 3_600), ("45s", 45), ("1.5h", 5_400), ("90s", 90), ("0", 0),
        ("2h0m30s", 7_230),
    ]

    @Test(arguments: goDurations)
    func parsesGoDurations(text: String, seconds: Int64) throws {
        #expect(try DurationString(text).nanoseconds == seconds * 1_000_000_000)
    }

    @Test func subSecondUnitsAreExact() throws {
        #expect(try DurationString("250ms").nanoseconds == 250_000_000)
        #expect(try DurationString("1.5s").nanoseconds == 1_500_000_000)
        #expect(try DurationString("10us").nanoseconds == 10_000)
        #expect(try DurationString("7ns").nanoseconds == 7)
        #expect(try DurationString("1ms").wholeSeconds == 1)
    }

    @Test(arguments: ["", "30", "m", "1x", "1h-5m", "-1h", "1.h.", "h1", "1 h", "99999999999h"])
    func rejectsMalformedDurations(text: String) {
        #expect(throws: DurationString.ParseError.self) { try DurationString(text) }
        #expect(DurationString.problem(with: text) != nil)
    }

    @Test(arguments: [("1h30m", "1h30m"), ("90m", "1h30m"), ("0", "0s"), ("1500ms", "1.5s"), ("250ms", "250ms"), ("3600s", "1h")])
    func descriptionIsCanonical(text: String, canonical: String) throws {
        #expect(try DurationString(text).description == canonical)
    }
}
