@testable import Blueprints
import CubicleModel
import Foundation
import Logging
import Testing

/// A unique temporary directory, removed by `remove()`.
struct TemporaryDirectory {
    let path: String

    init() throws {
        let base = FileManager.default.temporaryDirectory.path
        path = base + "/cubicle-blueprints-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }

    /// Writes `text` at `relative`, creating parent directories.
    func write(_ relative: String, _ text: String) throws {
        let full = path + "/" + relative
        try FileManager.default.createDirectory(
            atPath: (full as NSString).deletingLastPathComponent, withIntermediateDirectories: true
        )
        try Data(text.utf8).write(to: URL(fileURLWithPath: full))
    }

    /// Writes `text` next to the directory and renames it to `relative` inside it, so a watcher
    /// sees exactly one event for the whole file.
    func writeAtomically(_ relative: String, _ text: String) throws {
        let staging = path + ".staging-" + UUID().uuidString
        try Data(text.utf8).write(to: URL(fileURLWithPath: staging))
        guard rename(staging, path + "/" + relative) == 0 else { throw POSIXFailure(call: "rename", code: errno) }
    }

    func symlink(_ relative: String, to target: String) throws {
        try FileManager.default.createSymbolicLink(atPath: path + "/" + relative, withDestinationPath: target)
    }

    func remove() {
        try? FileManager.default.removeItem(atPath: path)
    }
}

struct POSIXFailure: Error {
    let call: String
    let code: Int32
}

/// Loads in-memory files as if they were a directory, in the order given.
func load(_ files: (String, String)...) -> BlueprintLoadResult {
    BlueprintLoader.load(files: files.map { (name: $0.0, text: $0.1) })
}

/// The diagnostics rendered as text, for exact comparisons.
func rendered(_ result: BlueprintLoadResult) -> [String] {
    result.diagnostics.map(\.description)
}

/// A context with fixed values and an injected environment.
func testContext(
    username: String = "alice", roles: [String] = [], workspace: String = "alice-59936c3",
    environment: [String: String] = [:]
) -> BlueprintContext {
    BlueprintContext(
        user: .init(
            username: username, uid: 1_000, gid: 1_000, email: "alice@example.com", fullname: "Alice Liddell",
            organization: "Wonderland", roles: roles
        ),
        workspaceName: workspace, environment: BlueprintEnvironment(environment)
    )
}

/// Waits (bounded by `timeout` seconds of real time) until `condition` holds.
func waitUntil(
    timeout: Double = 60, _ what: String, sourceLocation: Testing.SourceLocation = #_sourceLocation,
    _ condition: () -> Bool
) async throws {
    let deadline = Date().addingTimeInterval(timeout)
    while !condition() {
        if Date() > deadline {
            Issue.record("timed out waiting until \(what)", sourceLocation: sourceLocation)
            throw CancellationError()
        }
        try await Task.sleep(for: .milliseconds(2))
    }
}

/// A logger that drops everything, so expected errors do not clutter test output.
let quietLogger = Logger(label: "test.blueprints", factory: { _ in SwiftLogNoOpLogHandler() })
