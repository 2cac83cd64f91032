import Foundation
import Testing
@testable import cubicle_bench

@Suite struct ScenarioProcessTests {
    @Test func aLineSplitAcrossChunksIsReassembled() {
        let line = Measure(scenario: "files", metric: "upload", cubicle: 1, reference: 2, unit: "MB/s", n: 3).jsonLine
        let bytes = Data((line + "\nnext").utf8)
        var pending = Data(bytes.prefix(10))
        #expect(ScenarioProcess.completeLines(&pending).isEmpty)
        pending.append(bytes.dropFirst(10))
        let lines = ScenarioProcess.completeLines(&pending)
        #expect(lines == [Data(line.utf8)])
        #expect(pending == Data("next".utf8))
    }

    @Test func onlyMeasureLinesAreRecorded() {
        let report = MeasureReport()
        let measure = Measure(scenario: "provision", metric: "wall-time", cubicle: 3, reference: nil, unit: "s", n: 3)
        #expect(ScenarioProcess.record(Data(measure.jsonLine.utf8), into: report))
        #expect(!ScenarioProcess.record(Data("not json".utf8), into: report))
        #expect(!ScenarioProcess.record(Data(#"{"scenario":"x"}"#.utf8), into: report))
        #expect(report.measures == [measure])
    }
}
