import CubicleModel
import Foundation
import Testing

@Suite struct RFC3339Tests {
    @Test func roundTripsWholeSeconds() {
        let date = Date(timeIntervalSince1970: 1_795_428_000)  // 2026-11-23T10:00:00Z
        #expect(RFC3339.string(from: date) == "2026-11-23T10:00:00Z")
        #expect(RFC3339.date(from: "2026-11-23T10:00:00Z") == date)
    }

    @Test func parsesOffsetsAndFractions() {
        let utc = RFC3339.date(from: "2026-11-23T10:00:00.250000Z")
        #expect(utc == Date(timeIntervalSince1970: 1_795_428_000.25))
        #expect(RFC3339.date(from: "2026-11-23T12:00:00+02:00") == Date(timeIntervalSince1970: 1_795_428_000))
        #expect(RFC3339.microString(from: utc!) == "2026-11-23T10:00:00.250000Z")
    }

    @Test func rejectsGarbage() {
        for bad in ["", "2026-11-23", "2026-13-01T00:00:00Z", "2026-11-23T10:00:00", "2026-11-23T10:00:00Zjunk", "2026-11-23T10:00:00."] {
            #expect(RFC3339.date(from: bad) == nil, "\(bad)")
        }
    }
}
