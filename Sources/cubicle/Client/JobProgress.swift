import CubicleClient
import CubicleModel
import Foundation

/// Follows a job to its end on stderr: a progress bar with the percentage, the stage and the
/// elapsed time on a terminal, else one `[time] [object] message` line per event (as k8shell's
/// CLI prints them). Ctrl-C stops following (the job goes on) and exits 130.
struct JobProgress {
    let api: CubicleAPI
    let decorate: Bool
    let quiet: Bool

    /// Follows `jobID`; the job's result (`succeeded`/`failed`) and the last status seen.
    func follow(_ jobID: String, label: String) async throws -> (result: String?, lastStatus: String?) {
        let following = Task { [self] in try await run(jobID, label: label) }
        let interrupts = Interrupts.watch { following.cancel() }
        defer { interrupts.stop() }
        // A cancelled follow may end quietly or with an error: Ctrl-C decides, not how it ended.
        let outcome = await following.result
        if interrupts.fired {
            Console.note("\nstopped waiting; job \(jobID) goes on (`cubicle jobs watch \(jobID)` follows it again)")
            throw ExitStatus(130)
        }
        return try outcome.get()
    }

    private func run(_ jobID: String, label: String) async throws -> (result: String?, lastStatus: String?) {
        let started = Date()
        var percent = 0
        var stage = "Pending"
        var lastStatus: String?
        var bar = ProgressLine(enabled: decorate)
        var result: String?
        for try await update in api.followJob(jobID) {
            switch update {
            case .event(let event):
                let type = event["type"]?.stringValue
                let status = event["status"]?.stringValue ?? ""
                if type == "progress", let value = Int(status) { percent = max(percent, value) }
                if type == "status" {
                    stage = status
                    lastStatus = status
                }
                if decorate {
                    if type != "progress", let message = event["message"]?.stringValue { bar.log("  \(status.isEmpty ? "" : status + ": ")\(message)") }
                    let elapsed = Human.duration(Date().timeIntervalSince(started))
                    bar.draw("\(label) [\(Self.barText(percent))] \(String(format: "%3d", percent))%  \(stage)  \(elapsed)")
                } else if !quiet, type != "progress" {
                    let time = event["timestamp"]?.stringValue ?? RFC3339.string(from: Date())
                    Console.note("[\(time)] [\(event["objectName"]?.stringValue ?? "-")] \(event["message"]?.stringValue ?? status)")
                }
            case .reconnecting(let after):
                if !quiet { bar.log("  (the event stream dropped; resuming after event \(after))") }
            case .completed(let outcome):
                result = outcome
            }
        }
        bar.finish()
        return (result, lastStatus)
    }

    static func barText(_ percent: Int) -> String {
        let filled = max(0, min(30, percent * 30 / 100))
        return String(repeating: "#", count: filled) + String(repeating: ".", count: 30 - filled)
    }
}

/// One line redrawn in place on a terminal (stderr).
struct ProgressLine {
    let enabled: Bool
    private var drawn = false

    init(enabled: Bool) { self.enabled = enabled }

    /// Replaces the line with `text`.
    mutating func draw(_ text: String) {
        guard enabled else { return }
        Console.write("\r\u{1B}[2K" + text, to: .standardError)
        drawn = true
    }

    /// Prints `text` above the line.
    mutating func log(_ text: String) {
        if enabled, drawn { Console.write("\r\u{1B}[2K", to: .standardError) }
        Console.note(text)
        drawn = false
    }

    /// Ends the line.
    mutating func finish() {
        if enabled, drawn { Console.write("\n", to: .standardError) }
        drawn = false
    }
}

/// A command's exit status other than 0/1 (the remote command's, 130 after Ctrl-C).
struct ExitStatus: Error {
    let code: Int32
    init(_ code: Int32) { self.code = code }
}
