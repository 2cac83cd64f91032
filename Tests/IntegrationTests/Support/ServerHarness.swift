import App
import CubicleModel
import CubicleTestSupport
import Foundation
import KubeClient
import LocalCluster
import Logging
import Synchronization
import Testing

#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// A whole Cubicle server in this process — store, embedded cluster, provisioner, API — on a
/// fresh data directory and an ephemeral port, with the repository's blueprints and scripts.
struct ServerHarness: Sendable {
    let url: String
    let adminToken: String
    let cluster: LocalCluster
    let kube: KubeClient
    let dataDirectory: TemporaryDirectory
    let task: Task<Void, any Error>
    /// What the server was started with (a restart reuses it, data directory included).
    let configuration: ServerConfiguration
    /// Whether this server holds one of `processServerSlots` (released by `stop`).
    let holdsSlot: Bool

    /// The repository root (this file is Tests/IntegrationTests/Support/ServerHarness.swift).
    static let repository: String = {
        var url = URL(fileURLWithPath: #filePath)
        for _ in 0..<4 { url.deleteLastPathComponent() }
        return url.path
    }()

    /// Starts a server; `blueprints` is a directory (default: the shipped `blueprints/`).
    static func start(
        blueprints: String? = nil, provisionTimeout: Double = 300, kubelet: ServerConfiguration.KubeletMode = .instant,
        file: ConfigFile = ConfigFile(), configure: (inout ServerConfiguration) -> Void = { _ in }
    ) async throws -> ServerHarness {
        let data = try TemporaryDirectory("cubicle-it")
        var configuration = ServerConfiguration(
            host: "127.0.0.1", port: 0, dataDirectory: data.path, blueprintsDirectory: blueprints ?? "\(repository)/blueprints",
            workspaceDirectory: "\(repository)/workspace", forceEmbedded: true, kubelet: kubelet,
            podAddressBlocks: Self.nextBlock(),
            provisionTimeout: provisionTimeout, environment: [:])
        configuration.file = file
        configure(&configuration)
        let holdsSlot = configuration.kubelet == .process
        if holdsSlot { await Self.processServerSlots.acquire() }
        do {
            return try await launch(configuration, data: data, holdsSlot: holdsSlot)
        } catch {
            if holdsSlot { Self.processServerSlots.release() }
            throw error
        }
    }

    /// Stops the server without removing its data and starts it again on the same data
    /// directory (store, embedded cluster, pod volumes), as a process restart would.
    func restarted() async throws -> ServerHarness {
        await kube.shutdown()
        task.cancel()
        _ = await task.result
        return try await Self.launch(configuration, data: dataDirectory, holdsSlot: holdsSlot)
    }

    private static func launch(_ configuration: ServerConfiguration, data: TemporaryDirectory, holdsSlot: Bool) async throws -> ServerHarness {
        let ready = Mutex<CubicleServer.Ready?>(nil)
        var logger = Logger(label: "it")
        logger.logLevel = .warning
        let task = Task {
            try await CubicleServer.run(configuration, logger: logger, handleSignals: false) { info in
                ready.withLock { $0 = info }
            }
        }
        try await eventually("the server is ready", within: 120) {
            if ready.withLock({ $0 }) != nil { return true }
            if task.isCancelled { throw TestFailure("cancelled") }
            return false
        }
        guard let info = ready.withLock({ $0 }), let cluster = info.embeddedCluster, let kubeconfig = info.embeddedKubeconfig else {
            throw TestFailure("the server reported no embedded cluster")
        }
        let token = try await blocking { try String(contentsOfFile: "\(data.path)/admin-token", encoding: .utf8) }
            .trimmingCharacters(in: .whitespacesAndNewlines)
        let kube = try KubeClient(config: try await KubeConfig.load(path: kubeconfig, environment: [:]))
        return ServerHarness(
            url: info.url, adminToken: token, cluster: cluster, kube: kube, dataDirectory: data, task: task, configuration: configuration,
            holdsSlot: holdsSlot)
    }

    /// At most two servers with the process kubelet (real sandboxed pods and sshd) at once in the
    /// test process: every suite runs in parallel in one process and the pod runtime does its
    /// blocking work on one shared thread, so a dozen real-pod servers starting together starve
    /// each other past any start-up deadline. Waiting for a slot happens before that deadline.
    static let processServerSlots = Slots(limit: 2)

    /// Pod address blocks 150…199 (other suites use 200…249), one per server, so parallel
    /// servers' pods never share an address.
    private static let blocks = Mutex(150)
    static func nextBlock() -> ClosedRange<Int> {
        let block = blocks.withLock { next in
            defer { next = next >= 199 ? 150 : next + 1 }
            return next
        }
        return block...block
    }

    /// Runs `body` against a fresh server and stops it afterwards.
    static func with<T: Sendable>(
        blueprints: String? = nil, provisionTimeout: Double = 300, kubelet: ServerConfiguration.KubeletMode = .instant,
        file: ConfigFile = ConfigFile(), configure: (inout ServerConfiguration) -> Void = { _ in },
        _ body: (ServerHarness) async throws -> T
    ) async throws -> T {
        let harness = try await start(
            blueprints: blueprints, provisionTimeout: provisionTimeout, kubelet: kubelet, file: file, configure: configure)
        do {
            let result = try await body(harness)
            await harness.stop()
            return result
        } catch {
            await harness.stop()
            throw error
        }
    }

    /// The last lines the pod's previous container wrote and its container statuses, for the
    /// failure message of a workspace that would not start (a crash-looping bootstrap says why).
    func podDiagnosis(_ name: String, namespace: String = "default") async -> String {
        let kubeconfig = dataDirectory.file("cluster/kubeconfig")
        var parts: [String] = []
        for arguments in [
            ["logs", name, "--previous", "--tail", "30"],
            ["get", "pod", name, "-o", "jsonpath={.status.containerStatuses}"],
        ] {
            let result = try? await ChildProcess.run("/usr/bin/kubectl", arguments: ["--kubeconfig", kubeconfig, "-n", namespace] + arguments)
            parts.append(result?.output ?? "kubectl did not run")
        }
        return parts.joined(separator: "\n")
    }

    /// Stops the server and removes its data.
    func stop() async {
        await kube.shutdown()
        task.cancel()
        _ = await task.result
        dataDirectory.remove()
        if holdsSlot { Self.processServerSlots.release() }
    }

    // MARK: - HTTP

    /// One HTTP exchange.
    struct Reply: Sendable {
        let status: Int
        let body: Data
        let headers: [String: String]

        /// The body as JSON.
        func json() throws -> JSONObject { try JSONObject(body) }
    }

    /// Sends a request; `token` nil sends no Authorization header.
    func request(
        _ method: String, _ path: String, token: String?? = .none, body: String? = nil, headers: [String: String] = [:]
    ) async throws -> Reply {
        let bearer: String? = switch token { case .none: adminToken; case .some(let value): value }
        return try await Self.exchange(method, url + path, bearer: bearer, body: body, headers: headers)
    }

    /// One HTTP exchange with any server (also the `cubicle serve` subprocess of the restart tests).
    static func exchange(
        _ method: String, _ address: String, bearer: String?, body: String? = nil, headers: [String: String] = [:]
    ) async throws -> Reply {
        guard let target = URL(string: address) else { throw TestFailure("not a URL: \(address)") }
        var request = URLRequest(url: target)
        request.httpMethod = method
        if let bearer { request.setValue("Bearer \(bearer)", forHTTPHeaderField: "Authorization") }
        for (name, value) in headers { request.setValue(value, forHTTPHeaderField: name) }
        if let body {
            request.httpBody = Data(body.utf8)
            request.setValue("application/json", forHTTPHeaderField: "Content-Type")
        }
        let (data, response) = try await URLSession.shared.data(for: request)
        let http = response as? HTTPURLResponse
        var fields: [String: String] = [:]
        for (key, value) in http?.allHeaderFields ?? [:] { fields["\(key)".lowercased()] = "\(value)" }
        return Reply(status: http?.statusCode ?? 0, body: data, headers: fields)
    }

    /// Waits for a job to complete and returns it.
    func finishedJob(_ id: String, token: String? = nil, within seconds: Double = 120) async throws -> JSONObject {
        var last = JSONObject([:])
        try await eventually("job \(id) completes", within: seconds) {
            last = try await request("GET", "/api/v1/jobs/\(id)", token: .some(token ?? adminToken)).json()
            return last["status"] as? String == "completed"
        }
        return last
    }

    /// Creates a user (as admin) and returns a token for them.
    func makeUser(_ name: String, roles: [String] = [], blueprints: [String] = ["*"]) async throws -> String {
        let roleList = roles.map { "\"\($0)\"" }.joined(separator: ",")
        let blueprintList = blueprints.map { "\"\($0)\"" }.joined(separator: ",")
        let created = try await request("POST", "/api/v1/users", body: #"{"username":"\#(name)","roles":[\#(roleList)],"blueprints":[\#(blueprintList)]}"#)
        guard created.status == 201 else { throw TestFailure("creating \(name): \(created.status) \(String(decoding: created.body, as: UTF8.self))") }
        let token = try await request("POST", "/api/v1/users/\(name)/tokens", body: #"{"name":"test"}"#).json()
        guard let value = token["token"] as? String else { throw TestFailure("no token for \(name)") }
        return value
    }
}

/// A decoded JSON object with loose typed access, for assertions.
struct JSONObject: @unchecked Sendable {
    let value: Any

    init(_ value: Any) { self.value = value }

    init(_ data: Data) throws {
        value = try JSONSerialization.jsonObject(with: data, options: [.fragmentsAllowed])
    }

    subscript(key: String) -> Any? { (value as? [String: Any])?[key] }

    /// The array elements as objects.
    var array: [JSONObject] { (value as? [Any])?.map(JSONObject.init) ?? [] }

    /// The named member as objects.
    func list(_ key: String) -> [JSONObject] { (self[key] as? [Any])?.map(JSONObject.init) ?? [] }
}
