import App
import CubicleModel
import Foundation

/// Runs one scenario as a child `cubicle-bench <name> --json`, so each scenario has a process of
/// its own: its RSS figures are not inflated by the heap an earlier scenario left behind, and a
/// crash in one does not take the others down. Measures are added to the report line by line.
enum ScenarioProcess {
    /// Runs scenario `name` with `arguments` (the shared options) and adds each JSON line it prints.
    static func run(_ name: String, arguments: [String], into report: MeasureReport) async throws {
        try await Offload.run {
            let executable = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe"))
                ?? CommandLine.arguments[0]
            let child = try Program.launch(executable, [name] + arguments + ["--json"], stdout: .pipe, stderr: .inherit)
            guard let output = child.stdout else { throw BenchError("no stdout pipe for cubicle-bench \(name)") }
            let reader = FileHandle(fileDescriptor: output, closeOnDealloc: true)
            var pending = Data()
            while true {
                let chunk = reader.availableData
                if chunk.isEmpty { break }
                pending.append(chunk)
                for line in completeLines(&pending) { record(line, into: report) }
            }
            record(pending, into: report)
            let (status, _) = child.wait()
            guard status == 0 else { throw BenchError("cubicle-bench \(name) exited with status \(status)") }
        }
    }

    /// Removes and returns the complete lines (without their newline) at the front of `pending`;
    /// a partial last line stays for the next chunk.
    static func completeLines(_ pending: inout Data) -> [Data] {
        var lines: [Data] = []
        while let newline = pending.firstIndex(of: UInt8(ascii: "\n")) {
            lines.append(Data(pending[pending.startIndex..<newline]))
            pending = Data(pending[pending.index(after: newline)...])
        }
        return lines
    }

    /// Adds a JSON line as a measure (true); anything else the child printed goes to standard error.
    @discardableResult
    static func record(_ line: Data, into report: MeasureReport) -> Bool {
        guard !line.isEmpty else { return false }
        if let measure = try? JSONDecoder().decode(Measure.self, from: line) {
            report.add(measure)
            return true
        }
        FileHandle.standardError.write(line + Data("\n".utf8))
        return false
    }
}
