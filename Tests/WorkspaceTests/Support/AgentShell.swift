import Foundation

/// The shells the agent must run under: Debian's dash, and busybox with its own applets first
/// on PATH (the Alpine experience: every tool the agent calls is busybox's too).
enum AgentShell: String, CaseIterable, Sendable, CustomStringConvertible {
    case dash
    case busybox

    var description: String { rawValue }

    /// The standard directories after the shell's own.
    static let systemPath = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

    /// The executable running scripts.
    var executable: String {
        switch self {
        case .dash: Self.locate(["/usr/bin/dash", "/bin/dash"])
        case .busybox: Self.busyboxBinary
        }
    }

    /// The path of the busybox binary.
    static var busyboxBinary: String { locate(["/usr/bin/busybox", "/bin/busybox"]) }

    /// argv running `script` with `arguments` under this shell.
    func command(_ script: String, _ arguments: [String]) -> [String] {
        switch self {
        case .dash: [executable, script] + arguments
        case .busybox: [executable, "sh", script] + arguments
        }
    }

    /// PATH for this shell, given the directory of busybox applet links (see `makeAppletDirectory`).
    func path(appletDirectory: String) -> String {
        switch self {
        case .dash: Self.systemPath
        case .busybox: appletDirectory + ":" + Self.systemPath
        }
    }

    /// Fills `directory` with one symlink to busybox per applet (including `sh`).
    static func makeAppletDirectory(_ directory: String) async throws {
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let listed = try await Programs.run([busyboxBinary, "--list"], environment: ["PATH": systemPath])
        let applets = listed.stdout.split(separator: "\n").map(String.init).filter { !$0.isEmpty && !$0.contains("/") }
        guard applets.contains("sh"), applets.contains("awk") else { throw MissingBusybox(path: busyboxBinary) }
        for applet in applets {
            try FileManager.default.createSymbolicLink(atPath: directory + "/" + applet, withDestinationPath: busyboxBinary)
        }
    }

    /// busybox is not installed (or lacks sh and awk).
    struct MissingBusybox: Error { var path: String }

    private static func locate(_ candidates: [String]) -> String {
        candidates.first { FileManager.default.isExecutableFile(atPath: $0) } ?? candidates[0]
    }
}
