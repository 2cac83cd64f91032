import CubicleTestSupport
import CubicleModel
import Foundation
import KubeClient
import Synchronization

/// The Python fake apiserver in `Fixtures/kube_server.py`, run as a child process for one test:
/// HTTPS on a port picked by the kernel, with client-certificate and bearer-token authentication,
/// controlled through JSON commands on its stdin.
final class KubeTestServer: Sendable {
    let pki: TestPKI
    let port: Int
    let proxyPort: Int
    private let process: Mutex<Program.Running?>
    private let input: FileHandle
    private let lines: LineQueue

    var url: String { "https://127.0.0.1:\(port)" }

    private init(pki: TestPKI, port: Int, proxyPort: Int, process: Program.Running, input: FileHandle, lines: LineQueue) {
        self.pki = pki
        self.port = port
        self.proxyPort = proxyPort
        self.process = Mutex(process)
        self.input = input
        self.lines = lines
    }

    /// Starts a server accepting the client certificate and `tokens`.
    static func start(tokens: [String] = []) async throws -> KubeTestServer {
        let directory = try TemporaryDirectory("kube-server")
        do {
            let pki = try await TestPKI.generate(in: directory)
            let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
                .appendingPathComponent("Fixtures/kube_server.py").path
            let process = try Program.launch(
                "/usr/bin/env",
                ["python3", "-u", script, "--cert", pki.serverCertificate, "--key", pki.serverKey, "--client-ca", pki.caCertificate]
                    + tokens.flatMap { ["--token", $0] },
                stdin: .pipe, stdout: .pipe, stderr: .inherit)
            let input = FileHandle(fileDescriptor: process.stdin ?? -1, closeOnDealloc: true)
            let lines = LineQueue(FileHandle(fileDescriptor: process.stdout ?? -1, closeOnDealloc: true))
            guard let first = try await lines.next(),
                let hello = try? JSONValue.parse(Array(first.utf8)),
                let port = hello["port"]?.intValue, let proxyPort = hello["proxyPort"]?.intValue
            else {
                process.signal(SIGTERM)
                try? input.close()
                _ = try? await blocking { process.wait() }
                throw TestFailure("the fake apiserver did not start")
            }
            return KubeTestServer(pki: pki, port: Int(port), proxyPort: Int(proxyPort), process: process, input: input, lines: lines)
        } catch {
            directory.remove()
            throw error
        }
    }

    /// Sends a command and returns the server's answer.
    @discardableResult
    func command(_ command: JSONValue) async throws -> JSONValue {
        try await lines.exclusive {
            try input.write(contentsOf: Data(command.serialized() + [0x0A]))
            guard let line = try await lines.next() else { throw TestFailure("the fake apiserver exited") }
            let answer = try JSONValue.parse(Array(line.utf8))
            if let error = answer["error"]?.stringValue { throw TestFailure("fake apiserver: \(error)") }
            return answer
        }
    }

    /// The requests the server has seen, oldest first.
    func requests() async throws -> [JSONValue] {
        try await command(["cmd": "requests"])["requests"]?.arrayValue ?? []
    }

    /// Stops the process and removes its files.
    func stop() async {
        try? input.close()
        if let process = process.withLock({ state -> Program.Running? in
            defer { state = nil }
            return state
        }) {
            _ = try? await blocking {
                process.signal(SIGTERM)
                return process.wait()
            }
        }
        pki.directory.remove()
    }

    /// A configuration authenticating with the client certificate.
    func certificateConfig(namespace: String = "default") throws -> KubeConfig {
        KubeConfig(
            server: url, namespace: namespace,
            tls: TLSOptions(
                certificateAuthorityPEM: try pki.bytes(pki.caCertificate), clientCertificatePEM: try pki.bytes(pki.clientCertificate),
                clientKeyPEM: try pki.bytes(pki.clientKey)))
    }

    /// A configuration authenticating with a bearer token.
    func tokenConfig(_ token: String, namespace: String = "default") throws -> KubeConfig {
        KubeConfig(
            server: url, namespace: namespace, tls: TLSOptions(certificateAuthorityPEM: try pki.bytes(pki.caCertificate)),
            auth: .bearerToken(token))
    }
}

/// Runs `body` with a fresh fake apiserver and always stops it.
func withKubeServer<T>(tokens: [String] = [], _ body: (KubeTestServer) async throws -> T) async throws -> T {
    let server = try await KubeTestServer.start(tokens: tokens)
    do {
        let result = try await body(server)
        await server.stop()
        return result
    } catch {
        await server.stop()
        throw error
    }
}

/// Runs `body` with a client and always shuts the client down.
func withClient<T>(_ client: KubeClient, _ body: (KubeClient) async throws -> T) async throws -> T {
    do {
        let result = try await body(client)
        await client.shutdown()
        return result
    } catch {
        await client.shutdown()
        throw error
    }
}

/// Lines read from a child's stdout as they arrive, without blocking a thread of the pool.
final class LineQueue: Sendable {
    private struct State {
        var buffer: [UInt8] = []
        var lines: [String] = []
        var closed = false
        var waiter: CheckedContinuation<String?, Never>?
    }

    private let state = Mutex(State())
    private let gate = AsyncGate()
    /// Kept so the descriptor stays open as long as the queue reads it.
    private let handle: FileHandle

    init(_ handle: FileHandle) {
        self.handle = handle
        handle.readabilityHandler = { [self] handle in
            let data = handle.availableData
            let (waiter, line): (CheckedContinuation<String?, Never>?, String??) = self.state.withLock { state in
                if data.isEmpty {
                    handle.readabilityHandler = nil
                    state.closed = true
                } else {
                    state.buffer += data
                    while let newline = state.buffer.firstIndex(of: 0x0A) {
                        state.lines.append(String(decoding: state.buffer[..<newline], as: UTF8.self))
                        state.buffer.removeSubrange(...newline)
                    }
                }
                guard let waiter = state.waiter else { return (nil, nil) }
                if !state.lines.isEmpty {
                    state.waiter = nil
                    return (waiter, .some(state.lines.removeFirst()))
                }
                if state.closed {
                    state.waiter = nil
                    return (waiter, .some(nil))
                }
                return (nil, nil)
            }
            if let waiter, let line { waiter.resume(returning: line) }
        }
    }

    /// The next line, or nil once the stream closed.
    func next() async throws -> String? {
        await withCheckedContinuation { (continuation: CheckedContinuation<String?, Never>) in
            let ready: String?? = state.withLock { state in
                if !state.lines.isEmpty { return .some(state.lines.removeFirst()) }
                if state.closed { return .some(nil) }
                state.waiter = continuation
                return nil
            }
            if let ready { continuation.resume(returning: ready) }
        }
    }

    /// Runs `body` while no other command is in flight.
    func exclusive<T: Sendable>(_ body: () async throws -> T) async throws -> T {
        await gate.enter()
        defer { gate.leave() }
        return try await body()
    }
}

/// A minimal async mutex for serializing commands.
final class AsyncGate: Sendable {
    private let state = Mutex<(busy: Bool, waiters: [CheckedContinuation<Void, Never>])>((false, []))

    func enter() async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let now: Bool = state.withLock { state in
                if !state.busy {
                    state.busy = true
                    return true
                }
                state.waiters.append(continuation)
                return false
            }
            if now { continuation.resume() }
        }
    }

    func leave() {
        let next: CheckedContinuation<Void, Never>? = state.withLock { state in
            if state.waiters.isEmpty {
                state.busy = false
                return nil
            }
            return state.waiters.removeFirst()
        }
        next?.resume()
    }
}
