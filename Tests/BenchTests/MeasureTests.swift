import Foundation
import Testing
@testable import cubicle_bench

@Suite struct MeasureTests {
    @Test func medianOfOddCountIsTheMiddleValueWhateverTheOrder() {
        #expect(median([9, 1, 5]) == 5)
        #expect(median([7]) == 7)
    }

    @Test func medianOfEvenCountIsTheMeanOfTheMiddleTwo() {
        #expect(median([4, 1, 3, 2]) == 2.5)
    }

    @Test func medianOfNothingIsZero() {
        #expect(median([]) == 0)
    }

    @Test func percentileIsNearestRank() {
        let values = (1...100).map(Double.init).shuffled()
        #expect(percentile(values, 0.5) == 50)
        #expect(percentile(values, 0.99) == 99)
        #expect(percentile(values, 1) == 100)
        #expect(percentile(values, 0) == 1)
        #expect(percentile([5, 1, 3], 0.5) == 3)
        #expect(percentile([], 0.99) == 0)
    }

    @Test func ratioIsCubicleOverReferenceAndAbsentWithoutAUsableReference() {
        let measure = Measure(scenario: "s", metric: "m", cubicle: 3, reference: 2, unit: "ms", n: 4)
        #expect(measure.ratio == 1.5)
        #expect(Measure(scenario: "s", metric: "m", cubicle: 3, reference: 0, unit: "ms", n: 1).ratio == nil)
        #expect(Measure(scenario: "s", metric: "m", cubicle: 3, reference: nil, unit: "ms", n: 1).ratio == nil)
    }

    @Test func jsonLineIsOneLineWithExactlyTheSevenKeys() throws {
        let line = Measure(scenario: "files", metric: "upload", cubicle: 120, reference: 100, unit: "MB/s", n: 3).jsonLine
        #expect(!line.contains("\n"))
        let object = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
        #expect(Set(object.keys) == ["scenario", "metric", "cubicle", "reference", "ratio", "unit", "n"])
        #expect(object["scenario"] as? String == "files")
        #expect(object["metric"] as? String == "upload")
        #expect((object["cubicle"] as? NSNumber)?.doubleValue == 120)
        #expect((object["reference"] as? NSNumber)?.doubleValue == 100)
        #expect((object["ratio"] as? NSNumber)?.doubleValue == 1.2)
        #expect(object["unit"] as? String == "MB/s")
        #expect((object["n"] as? NSNumber)?.intValue == 3)
    }

    @Test func jsonLineWithoutReferenceKeepsTheKeysAsNull() throws {
        let line = Measure(scenario: "provision", metric: "rss", cubicle: 90, reference: nil, unit: "MiB", n: 150).jsonLine
        let object = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
        #expect(Set(object.keys) == ["scenario", "metric", "cubicle", "reference", "ratio", "unit", "n"])
        #expect(object["reference"] is NSNull)
        #expect(object["ratio"] is NSNull)
        let decoded = try JSONDecoder().decode(Measure.self, from: Data(line.utf8))
        #expect(decoded == Measure(scenario: "provision", metric: "rss", cubicle: 90, reference: nil, unit: "MiB", n: 150))
    }

    @Test func tableRowShowsDashesWithoutReference() {
        let row = Measure(scenario: "provision", metric: "rss", cubicle: 90.5, reference: nil, unit: "MiB", n: 7).tableRow
        #expect(row.hasPrefix("provision"))
        #expect(row.contains("90.50"))
        #expect(row.split(separator: " ").filter { $0 == "-" }.count == 2)
    }

    @Test func interleavedAlternatesCubicleAndReferenceRunByRun() async throws {
        var order: [String] = []
        let (mine, theirs) = try await interleaved(
            runs: 3,
            cubicle: { () async throws -> Int in
                order.append("A")
                return order.count
            },
            reference: { () async throws -> Int in
                order.append("B")
                return order.count
            })
        #expect(order == ["A", "B", "A", "B", "A", "B"])
        #expect(mine == [1, 3, 5])
        #expect(theirs == [2, 4, 6])
    }
}
