import App
import CubicleModel
import CubicleTestSupport
import Foundation
import Logging
import Synchronization

#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// A Cubicle server in this process, pointed at the real cluster by kubeconfig.
struct E2EServer: Sendable {
    let url: String
    let adminToken: String
    let data: TemporaryDirectory
    let task: Task<Void, any Error>

    /// One HTTP exchange, with the body decoded as JSON where it is JSON.
    struct Reply: Sendable {
        let status: Int
        let body: Data
        var text: String { String(decoding: body, as: UTF8.self) }
        var json: [String: Any] { ((try? JSONSerialization.jsonObject(with: body)) as? [String: Any]) ?? [:] }
    }

    static func with(_ settings: E2ESettings, _ body: (E2EServer) async throws -> Void) async throws {
        let data = try TemporaryDirectory("cubicle-e2e")
        let configuration = ServerConfiguration(
            host: "127.0.0.1", port: 0, dataDirectory: data.path, blueprintsDirectory: "\(E2ESettings.repository)/blueprints",
            workspaceDirectory: "\(E2ESettings.repository)/workspace", kubeconfig: settings.kubeconfig, context: settings.context,
            namespace: settings.namespace, provisionTimeout: 600)
        let ready = Mutex<CubicleServer.Ready?>(nil)
        var logger = Logger(label: "e2e")
        logger.logLevel = .notice
        let task = Task {
            try await CubicleServer.run(configuration, logger: logger, handleSignals: false) { info in ready.withLock { $0 = info } }
        }
        do {
            try await eventually("the server is ready", within: 120) {
                if ready.withLock({ $0 }) != nil { return true }
                if task.isCancelled { throw TestFailure("cancelled") }
                return false
            }
            guard let info = ready.withLock({ $0 }) else { throw TestFailure("the server never became ready") }
            let token = try await blocking { try String(contentsOfFile: "\(data.path)/admin-token", encoding: .utf8) }
            try await body(E2EServer(url: info.url, adminToken: token.trimmingCharacters(in: .whitespacesAndNewlines), data: data, task: task))
        } catch {
            task.cancel()
            _ = await task.result
            data.remove()
            throw error
        }
        task.cancel()
        _ = await task.result
        data.remove()
    }

    /// Sends a request as the admin (`token` nil: no Authorization header).
    func request(_ method: String, _ path: String, token: String?? = .none, body: String? = nil) async throws -> Reply {
        guard let target = URL(string: url + path) else { throw TestFailure("bad URL \(url + path)") }
        var request = URLRequest(url: target)
        request.httpMethod = method
        let bearer: String? = switch token { case .none: adminToken; case .some(let value): value }
        if let bearer { request.setValue("Bearer \(bearer)", forHTTPHeaderField: "Authorization") }
        if let body {
            request.httpBody = Data(body.utf8)
            request.setValue("application/json", forHTTPHeaderField: "Content-Type")
        }
        let (data, response) = try await URLSession.shared.data(for: request)
        return Reply(status: (response as? HTTPURLResponse)?.statusCode ?? 0, body: data)
    }

    /// Waits for a job to complete and returns it.
    func finishedJob(_ id: String, within seconds: Double) async throws -> [String: Any] {
        var last: [String: Any] = [:]
        try await eventually("job \(id) completes", within: seconds) {
            last = try await request("GET", "/api/v1/jobs/\(id)").json
            return last["status"] as? String == "completed"
        }
        return last
    }
}

/// OpenSSH's client to the workspace's sshd through `kubectl port-forward` (or straight to the pod
/// IP with CUBICLE_E2E_SSH_DIRECT=1), checking the pinned host key.
enum SSHThroughPortForward {
    static func run(
        _ settings: E2ESettings, pod: String, clientKey: String, hostKey: String, user: String, command: String
    ) async throws -> (status: Int32, output: String) {
        let dir = try TemporaryDirectory("cubicle-e2e-ssh")
        defer { dir.remove() }
        try dir.write("key", clientKey, mode: 0o600)
        if let podIP = settings.directPodIP {
            try dir.write("known_hosts", "[\(podIP)]:2222 \(hostKey.trimmingCharacters(in: .whitespacesAndNewlines))\n")
            return try await blocking { try ssh(dir, host: podIP, port: "2222", user: user, command: command) }
        }
        var forward = ["port-forward", "-n", settings.namespace, "pod/\(pod)", ":2222", "--kubeconfig", settings.kubeconfig]
        if let context = settings.context { forward += ["--context", context] }
        let arguments = forward
        return try await blocking { () throws -> (Int32, String) in
            let portForward = try Program.launch("/usr/bin/env", ["kubectl"] + arguments, stdout: .pipe, stderr: .null)
            let output = FileHandle(fileDescriptor: portForward.stdout ?? -1, closeOnDealloc: true)
            defer {
                portForward.signal(SIGTERM)
                _ = portForward.wait()
            }
            // "Forwarding from 127.0.0.1:41234 -> 2222"
            var seen = ""
            var port: String?
            while port == nil {
                let chunk = output.availableData
                if chunk.isEmpty { throw TestFailure("kubectl port-forward ended: \(seen)") }
                seen += String(decoding: chunk, as: UTF8.self)
                if let range = seen.range(of: #"127\.0\.0\.1:(\d+) ->"#, options: .regularExpression) {
                    port = seen[range].dropFirst("127.0.0.1:".count).split(separator: " ").first.map(String.init)
                }
            }
            guard let port else { throw TestFailure("no port in \(seen)") }
            try dir.write("known_hosts", "[127.0.0.1]:\(port) \(hostKey.trimmingCharacters(in: .whitespacesAndNewlines))\n")
            return try ssh(dir, host: "127.0.0.1", port: port, user: user, command: command)
        }
    }

    /// Runs OpenSSH's client to completion (blocking; call through `blocking`).
    private static func ssh(_ dir: TemporaryDirectory, host: String, port: String, user: String, command: String) throws -> (Int32, String) {
        let outcome = try Program.run("/usr/bin/ssh", [
            "-i", dir.file("key"), "-o", "UserKnownHostsFile=\(dir.file("known_hosts"))", "-o", "StrictHostKeyChecking=yes",
            "-o", "BatchMode=yes", "-o", "ConnectTimeout=20", "-o", "GlobalKnownHostsFile=/dev/null", "-p", port,
            "\(user)@\(host)", command,
        ])
        return (outcome.status, outcome.output + outcome.errors)
    }
}
