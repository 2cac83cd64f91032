import App
import Foundation
import Logging

/// A whole Cubicle server in this process — store, embedded cluster with the instant kubelet,
/// provisioner, API — on a fresh data directory and an ephemeral port, as the integration
/// tests' harness starts it.
struct BenchServer: Sendable {
    /// The API's base URL.
    let url: String
    /// The bootstrap admin token.
    let adminToken: String
    /// The embedded cluster's kubeconfig (for the reference measurement).
    let kubeconfig: String
    /// The data directory, removed on `stop()`.
    let dataDirectory: String
    private let task: Task<Void, Never>

    /// Starts a server with the blueprints and workspace scripts under `repository`; pods get
    /// addresses `127.77.x.y` with x in `podAddressBlocks` when given.
    static func start(
        repository: String, provisionTimeout: Double, logger: Logger, kubelet: ServerConfiguration.KubeletMode = .instant,
        podAddressBlocks: ClosedRange<Int>? = nil
    ) async throws -> BenchServer {
        let blueprints = (repository as NSString).appendingPathComponent("blueprints")
        let workspace = (repository as NSString).appendingPathComponent("workspace")
        let data = try await Offload.run { () throws -> String in
            var isDirectory: ObjCBool = false
            for directory in [blueprints, workspace] {
                guard FileManager.default.fileExists(atPath: directory, isDirectory: &isDirectory), isDirectory.boolValue else {
                    throw BenchError(
                        "\(directory) is not a directory; run cubicle-bench from the repository root (or pass --repository)",
                        code: .notFound)
                }
            }
            let path = "\(FileManager.default.temporaryDirectory.path)/cubicle-bench-\(UUID().uuidString.prefix(12))"
            try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
            return path
        }
        let configuration = ServerConfiguration(
            host: "127.0.0.1", port: 0, dataDirectory: data, blueprintsDirectory: blueprints, workspaceDirectory: workspace,
            forceEmbedded: true, kubelet: kubelet, podAddressBlocks: podAddressBlocks ?? Self.addressBlock(), provisionTimeout: provisionTimeout,
            environment: [:])
        let (events, continuation) = AsyncStream.makeStream(of: Result<CubicleServer.Ready, any Error>.self)
        let task = Task {
            do {
                try await CubicleServer.run(configuration, logger: logger, handleSignals: false) { continuation.yield(.success($0)) }
                continuation.yield(.failure(BenchError("the server stopped before it was ready")))
            } catch {
                continuation.yield(.failure(BenchError("the server failed: \(error)", underlying: error)))
            }
        }
        let watchdog = Task {
            try await Task.sleep(for: .seconds(120))
            continuation.yield(.failure(BenchError("the server was not ready within 120 s", code: .timeout)))
        }
        defer { watchdog.cancel() }
        var ready: CubicleServer.Ready?
        var failure: (any Error)?
        for await event in events {
            switch event {
            case .success(let info): ready = info
            case .failure(let error): failure = error
            }
            break
        }
        guard let ready, let kubeconfig = ready.embeddedKubeconfig else {
            task.cancel()
            _ = await task.result
            try? await Offload.run { try FileManager.default.removeItem(atPath: data) }
            throw failure ?? BenchError("the server reported no embedded cluster")
        }
        let token = try await Offload.read((data as NSString).appendingPathComponent("admin-token"))
            .trimmingCharacters(in: .whitespacesAndNewlines)
        return BenchServer(url: ready.url, adminToken: token, kubeconfig: kubeconfig, dataDirectory: data, task: task)
    }

    /// One random block of pod addresses `127.77.x.*` with x in 200…249: a `cubicle serve` hands
    /// out blocks from 0 up and the integration tests use 150…199, so a benchmark running beside
    /// them (or beside another benchmark) does not start its workspace sshd on an address that is
    /// taken — which shows up as a host-key mismatch.
    static func addressBlock() -> ClosedRange<Int> {
        let block = Int.random(in: 200...249)
        return block...block
    }

    /// Stops the server and removes its data.
    func stop() async {
        task.cancel()
        _ = await task.value
        let data = dataDirectory
        try? await Offload.run { try FileManager.default.removeItem(atPath: data) }
    }
}
