import CubicleModel
import CubicleTestSupport
import Foundation
import Synchronization

#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// A real OpenID Connect provider (`oidc-provider-mock`, RS256) in a child process on a port the
/// kernel picks; it stops when the test closes its stdin (or the test process dies).
final class MockOIDCProvider: Sendable {
    let issuer: String
    private let process: Program.Running
    /// Set once stop closed stdin, so a second stop never closes a descriptor number reused since.
    private let stopped = Mutex(false)

    /// The Python wrapper: starts the server on port 0, prints the port, waits for stdin EOF.
    private static let script = """
        import json, sys
        from oidc_provider_mock import run_server_in_thread, User
        users = [User(sub=u["sub"], claims=u) for u in json.loads(sys.argv[1])]
        with run_server_in_thread(port=0, require_nonce=True, user_claims=users) as server:
            print(server.server_port, flush=True)
            sys.stdin.read()
        """

    private init(issuer: String, process: Program.Running) {
        self.issuer = issuer
        self.process = process
    }

    /// Starts a provider knowing `users` (claims objects with `sub`).
    static func start(users: [[String: String]]) async throws -> MockOIDCProvider {
        try await blocking {
            let python = try PythonTools.interpreter(importing: "oidc_provider_mock")
            let usersJSON = String(decoding: try JSONSerialization.data(withJSONObject: users), as: UTF8.self)
            let process = try Program.launch(python, ["-W", "ignore", "-c", script, usersJSON], stdin: .pipe, stdout: .pipe, stderr: .null)
            let output = FileHandle(fileDescriptor: process.stdout ?? -1, closeOnDealloc: true)
            var line = Data()
            while !line.contains(UInt8(ascii: "\n")) {
                let chunk = output.availableData
                if chunk.isEmpty {
                    if let stdin = process.stdin { close(stdin) }
                    _ = process.wait()
                    throw TestFailure("oidc-provider-mock exited before listening")
                }
                line.append(chunk)
            }
            guard let port = Int(String(decoding: line, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)) else {
                if let stdin = process.stdin { close(stdin) }
                _ = process.wait()
                throw TestFailure("oidc-provider-mock printed no port")
            }
            return MockOIDCProvider(issuer: "http://127.0.0.1:\(port)", process: process)
        }
    }

    /// Changes a user's claims (the provider's `PUT /users/<sub>`).
    func setClaims(_ claims: [String: String]) async throws {
        let sub = claims["sub"] ?? ""
        var request = URLRequest(url: URL(string: "\(issuer)/users/\(sub)")!)
        request.httpMethod = "PUT"
        request.httpBody = try JSONSerialization.data(withJSONObject: claims)
        request.setValue("application/json", forHTTPHeaderField: "Content-Type")
        let reply = try await ManualHTTP.send(request)
        guard reply.status / 100 == 2 else { throw TestFailure("PUT /users/\(sub): \(reply.status)") }
    }

    /// Stops the provider and waits for it.
    func stop() async {
        guard !stopped.withLock({ done in defer { done = true }; return done }) else { return }
        if let stdin = process.stdin { close(stdin) }
        let process = self.process
        _ = try? await blocking { process.wait() }
    }
}
