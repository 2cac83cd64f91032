import App
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
            let process = Process()
            process.executableURL = URL(fileURLWithPath: executable)
            process.arguments = [name] + arguments + ["--json"]
            let output = Pipe()
            process.standardOutput = output
            process.standardError = FileHandle.standardError
            process.standardInput = FileHandle.nullDevice
            try process.run()
            var pending = Data()
            let reader = output.fileHandleForReading
            while true {
                let chunk = reader.availableData
                if chunk.isEmpty { break }
                pending.append(chunk)
                while let newline = pending.firstIndex(of: UInt8(ascii: "\n")) {
                    record(pending[pending.startIndex..<newline], into: report)
                    pending = Data(pending[pending.index(after: newline)...])
                }
            }
            record(pending, into: report)
            process.waitUntilExit()
            guard process.terminationStatus == 0 else {
                throw BenchError("cubicle-bench \(name) exited with status \(process.terminationStatus)")
            }
        }
    }

    /// Adds a JSON line as a measure; anything else the child printed goes to standard error.
    private static func record(_ line: Data, into report: MeasureReport) {
        guard !line.isEmpty else { return }
        if let measure = try? JSONDecoder().decode(Measure.self, from: line) {
            report.add(measure)
        } else {
            FileHandle.standardError.write(line + Data("\n".utf8))
        }
    }
}
