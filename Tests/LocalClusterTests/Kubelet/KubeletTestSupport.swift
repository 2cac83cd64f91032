#if canImport(Glibc)
import Glibc
#endif
import CubicleModel
import Foundation
import Logging
import Synchronization
import Testing
@testable import LocalCluster

/// A LocalCluster with its process kubelet, in a data dir under /var/tmp, with short back-offs
/// and its own block of pod addresses (`127.77.<block>.y`) so parallel tests never share one.
struct KubeletTestCluster: Sendable {
    private static let nextBlock = Atomic<Int>(200)

    let test: TestCluster
    let block: Int

    var cluster: LocalCluster { test.cluster }
    var api: any KubeletAPI { get throws { try test.cluster.kubelet } }

    /// A fresh address block for one test (200-249; the runtime tests use 250 and 251).
    static func allocateBlock() -> Int {
        200 + (nextBlock.add(1, ordering: .relaxed).newValue - 200) % 50
    }

    /// The kubelet settings the tests use: retries within a second, back-off from 0.3 s to 2 s.
    static func settings(block: Int) -> KubeletConfiguration {
        KubeletConfiguration(
            addressBlocks: block...block,
            restartBackoff: Backoff(initial: 0.3, maximum: 2, jitter: 0),
            imagePullBackoff: Backoff(initial: 0.3, maximum: 2, jitter: 0),
            retryInterval: 0.2, resyncInterval: 0.5, maximumGracePeriod: 5, shutdownGracePeriod: 2)
    }

    /// Starts a cluster with a kubelet (in `directory` to restart on existing state).
    static func start(directory: String? = nil, block: Int? = nil) async throws -> KubeletTestCluster {
        let block = block ?? allocateBlock()
        let path = directory ?? "/var/tmp/cubicle-kubelet-tests/" + UUID().uuidString.lowercased()
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        let test = try await TestCluster.start(tls: false, directory: path) { configuration in
            var logger = Logger(label: "cubicle.kubelet.tests")
            logger.logLevel = ProcessInfo.processInfo.environment["KUBELET_TEST_LOG"] == nil ? .warning : .debug
            configuration.logger = logger
            configuration.kubelet = settings(block: block)
        }
        return KubeletTestCluster(test: test, block: block)
    }

    /// Runs `body` with a started cluster and always shuts it down (stopping every pod) and
    /// removes its directory.
    static func with<T: Sendable>(_ body: (KubeletTestCluster) async throws -> T) async throws -> T {
        let cluster = try await start()
        do {
            let result = try await body(cluster)
            await cluster.test.stop(removingDirectory: true)
            return result
        } catch {
            await cluster.test.stop(removingDirectory: true)
            throw error
        }
    }

    /// Where the kubelet keeps the directory of pod `uid`.
    func podDirectory(_ uid: String) -> String { test.directory + "/data/kubelet/pods/" + uid }

    /// Creates an object through the API (`resource` like `pods`, `configmaps`).
    @discardableResult
    func create(_ resource: String, _ object: JSONValue, namespace: String = "default") async throws -> JSONValue {
        let result = try await test.request("POST", "/api/v1/namespaces/\(namespace)/\(resource)", json: object)
        guard result.status == 201 else { throw TestFailure("creating \(resource) failed: \(result.status) \(result.text)") }
        return result.json
    }

    /// Deletes pod `name` (the kubelet finishes the deletion).
    func deletePod(_ name: String) async throws {
        let result = try await test.request("DELETE", "/api/v1/namespaces/default/pods/\(name)")
        guard result.status == 200 || result.status == 202 else { throw TestFailure("delete failed: \(result.status) \(result.text)") }
    }

    /// The pod as stored now.
    func pod(_ name: String) throws -> JSONValue? {
        try api.pod(namespace: "default", name: name)
    }

    /// Waits until pod `name` satisfies `condition`, and returns it.
    @discardableResult
    func waitForPod(_ name: String, _ what: String, within seconds: Double = 120, _ condition: @escaping @Sendable (JSONValue) -> Bool) async throws -> JSONValue {
        try await waitFor("pod \(name) \(what)", within: seconds) {
            guard let pod = try self.pod(name), condition(pod) else { return nil }
            return pod
        } describing: {
            "\((try? self.pod(name))?[path: ["status"]].map { String(decoding: $0.serialized(), as: UTF8.self) } ?? "no pod")"
        }
    }

    /// The events about pod `name`, as `reason: message` lines with their type.
    func events(about name: String) async throws -> [(type: String, reason: String, message: String, count: Int64)] {
        let result = try await test.request("GET", "/api/v1/namespaces/default/events?fieldSelector=involvedObject.name%3D\(name)")
        return (result.json["items"]?.arrayValue ?? []).map { event in
            (event["type"]?.stringValue ?? "", event["reason"]?.stringValue ?? "", event["message"]?.stringValue ?? "",
             event["count"]?.intValue ?? 1)
        }
    }

    /// Waits for an event about `name` with `reason` whose message contains `text`.
    func waitForEvent(_ name: String, reason: String, containing text: String = "", within seconds: Double = 120) async throws {
        _ = try await waitFor("event \(reason) about \(name)", within: seconds) {
            try await self.events(about: name).contains { $0.reason == reason && $0.message.contains(text) } ? true : nil
        } describing: {
            "\((try? await self.events(about: name))?.map { "\($0.type) \($0.reason): \($0.message)" } ?? [])"
        }
    }

    /// The running container `container` of pod `uid` (its host pid is `pid`).
    func containerHandle(_ uid: String, _ container: String = "main") throws -> ContainerHandle? {
        try cluster.processKubelet?.sandbox(forPod: uid)?.container(named: container)
    }
}

/// A pod object: one container `main` running `command` (nil: no command, a placeholder runs).
func podObject(
    _ name: String, command: [String]? = nil, restartPolicy: String = "Always", labels: [String: String] = [:],
    volumes: [JSONValue] = [], mounts: [JSONValue] = [], env: [JSONValue] = [], extra: [String: JSONValue] = [:],
    grace: Int64 = 2
) -> JSONValue {
    var container: [String: JSONValue] = ["name": "main", "image": "debian:12"]
    if let command { container["command"] = .array(command.map { .string($0) }) }
    if !mounts.isEmpty { container["volumeMounts"] = .array(mounts) }
    if !env.isEmpty { container["env"] = .array(env) }
    for (key, value) in extra { container[key] = value }
    var metadata: [String: JSONValue] = ["name": .string(name)]
    if !labels.isEmpty { metadata["labels"] = .object(labels.mapValues { .string($0) }) }
    var spec: [String: JSONValue] = [
        "containers": [.object(container)], "restartPolicy": .string(restartPolicy),
        "terminationGracePeriodSeconds": .int(grace),
    ]
    if !volumes.isEmpty { spec["volumes"] = .array(volumes) }
    return ["apiVersion": "v1", "kind": "Pod", "metadata": .object(metadata), "spec": .object(spec)]
}

/// Polls `probe` until it yields a value or `seconds` pass; the failure says what was last seen.
func waitFor<T: Sendable>(
    _ what: String, within seconds: Double = 120, _ probe: @escaping @Sendable () async throws -> T?,
    describing: @escaping @Sendable () async -> String = { "" }
) async throws -> T {
    let deadline = ContinuousClock.now + .seconds(seconds)
    while ContinuousClock.now < deadline {
        if let value = try await probe() { return value }
        try await Task.sleep(for: .milliseconds(50))
    }
    if let value = try await probe() { return value }
    throw TestFailure("timed out after \(seconds) s waiting for \(what); last seen: \(await describing())")
}

extension JSONValue {
    /// `status.phase`.
    var phase: String? { self[path: ["status", "phase"]]?.stringValue }
    /// `status.podIP`.
    var podIP: String? { self[path: ["status", "podIP"]]?.stringValue }
    /// The status of container `name`.
    func containerStatus(_ name: String = "main") -> JSONValue? {
        self[path: ["status", "containerStatuses"]]?.arrayValue?.first { $0["name"]?.stringValue == name }
    }
    /// Whether condition `type` is True.
    func condition(_ type: String) -> Bool {
        (self[path: ["status", "conditions"]]?.arrayValue ?? []).contains {
            $0["type"]?.stringValue == type && $0["status"]?.stringValue == "True"
        }
    }
}

/// Whether a host process exists and is not a zombie.
func processIsAlive(_ pid: Int32) -> Bool {
    guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
          let close = stat.lastIndex(of: ")") else { return false }
    let state = stat[stat.index(after: close)...].split(separator: " ").first
    return state != nil && state != "Z"
}
