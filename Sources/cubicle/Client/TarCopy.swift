import App
import CubicleClient
import CubicleModel
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// `cp -r`: a directory as one tar stream through exec — one round trip whatever the number of
/// files, modes and symlinks kept; needs `tar` on both sides.
struct TarCopy {
    let options: ClientOptions

    /// Local `directory` into `path` in the workspace (created when missing).
    func upload(directory: String, workspace: String, path: String) async throws {
        let local = try Program.launch("/usr/bin/env", ["tar", "-C", directory, "-cf", "-", "."], stdin: .null, stdout: .pipe, stderr: .inherit)
        var remote = RemoteCommandOptions()
        remote.tty = false
        remote.command = ["sh", "-c", "mkdir -p -- \"$1\" && exec tar -C \"$1\" -xf -", "sh", path.isEmpty ? "." : Self.expandHome(path)]
        let status: JSONValue?
        do {
            status = try await options.withAPI { api in
                try await RemoteSession(api: api, workspace: workspace, options: remote, followResize: false, input: local.stdout ?? -1).run()
            }
        } catch {
            local.signal(SIGTERM)
            _ = try? await Offload.run { local.wait() }
            throw error
        }
        // The remote side is done: a local tar still writing (the remote one failed) must not
        // block on a pipe nobody reads.
        if status.map(RemoteCommand.exitCode(of:)) != 0 { local.signal(SIGTERM) }
        if let read = local.stdout { close(read) }
        let packed = try await Offload.run { local.wait() }
        try Self.check(status, what: "unpacking in \(workspace)")
        guard packed.status == 0 else { throw ClientError.local("the local tar failed (exit \(packed.status))") }
    }

    /// `path` in the workspace into local `to` (created when missing).
    func download(workspace: String, path: String, to: String) async throws {
        try FileManager.default.createDirectory(atPath: to, withIntermediateDirectories: true)
        let local = try Program.launch("/usr/bin/env", ["tar", "--no-same-owner", "-C", to, "-xf", "-"], stdin: .pipe, stdout: .inherit, stderr: .inherit)
        var remote = RemoteCommandOptions()
        remote.tty = false
        remote.stdin = false
        remote.command = ["tar", "-C", Self.expandHome(path), "-cf", "-", "."]
        let sink = LocalFile.wrapping(descriptor: local.stdin ?? -1, owned: true)
        let status = try await options.withAPI { api in
            try await RemoteSession(api: api, workspace: workspace, options: remote, followResize: false, output: sink).run()
        }
        await sink.close()
        let unpacked = try await Offload.run { local.wait() }
        try Self.check(status, what: "packing \(path) in \(workspace)")
        guard unpacked.status == 0 else { throw ClientError.local("the local tar failed (exit \(unpacked.status))") }
    }

    /// `~/x` as the remote shell would read it (`tar -C` does not expand `~`).
    static func expandHome(_ path: String) -> String {
        if path == "~" { return "." }
        if path.hasPrefix("~/") { return String(path.dropFirst(2)).isEmpty ? "." : String(path.dropFirst(2)) }
        return path
    }

    private static func check(_ status: JSONValue?, what: String) throws {
        guard let status else { throw ClientError.unreachable("the connection dropped while \(what)") }
        let code = RemoteCommand.exitCode(of: status)
        guard code == 0 else { throw ClientError(ErrorCode(rawValue: "remote_failed"), "\(what) failed (exit \(code))") }
    }
}
