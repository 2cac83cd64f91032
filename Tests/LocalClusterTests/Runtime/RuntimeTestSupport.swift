#if canImport(Glibc)
import Glibc
#endif
import CubicleModel
import Dispatch
import Foundation
import Logging
import Synchronization
import Testing
@testable import LocalCluster

/// A per-test world: a data directory outside /tmp (so hiding it inside the pod is what makes it
/// invisible), a state root inside it, pod and volume directories, and a unique pod address.
struct RuntimeFixture {
    private static let counter = Atomic<Int>(10)

    /// The test's data directory (hidden from its pods).
    let dataDirectory: String
    /// The runtime's state root.
    let stateRoot: String
    /// A unique address in 127.77.250.0/24.
    let ip: String
    /// A unique suffix for names.
    let tag: String

    init() throws {
        let number = Self.counter.add(1, ordering: .relaxed).newValue
        tag = String(UInt32.random(in: 0...UInt32.max), radix: 36)
        ip = "127.77.250.\(number)"
        dataDirectory = "/var/tmp/cubicle-runtime-tests/\(getpid())-\(number)-\(tag)"
        stateRoot = dataDirectory + "/runtime"
        try FileManager.default.createDirectory(atPath: dataDirectory, withIntermediateDirectories: true)
    }

    /// Another unique address for a second pod in the same test.
    func secondIP() -> String {
        "127.77.251.\(Self.counter.add(1, ordering: .relaxed).newValue)"
    }

    /// A runtime on this fixture's state root.
    func runtime(support: SandboxSupport? = nil) -> PodRuntime {
        var logger = Logger(label: "cubicle.runtime.tests")
        logger.logLevel = .warning
        return PodRuntime(stateRoot: stateRoot, hiddenPaths: [dataDirectory], support: support, logger: logger)
    }

    /// A volume directory, created.
    func volume(_ name: String) throws -> String {
        let path = dataDirectory + "/volumes/" + name
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    /// A sandbox spec for pod `name`.
    func spec(_ name: String = "pod", ip: String? = nil, volumes: [VolumeMount] = [], limits: ResourceLimits = .none) -> SandboxSpec {
        let uid = "uid-\(name)-\(tag)"
        return SandboxSpec(
            podUID: uid, name: name, namespace: "tests", hostname: "\(name)-\(tag)", ip: ip ?? self.ip,
            podDirectory: dataDirectory + "/pods/" + uid, volumes: volumes, limits: limits)
    }

    /// Removes the data directory (call after every sandbox is stopped).
    func remove() {
        try? FileManager.default.removeItem(atPath: dataDirectory)
    }
}

/// Runs `body` with a fresh sandbox and always stops it (and removes the fixture) afterwards.
func withSandbox<T: Sendable>(
    _ fixture: RuntimeFixture, _ spec: SandboxSpec, runtime: PodRuntime? = nil,
    _ body: (PodSandbox) async throws -> T
) async throws -> T {
    let runtime = runtime ?? fixture.runtime()
    let sandbox: PodSandbox
    do {
        sandbox = try await runtime.createSandbox(spec)
    } catch {
        fixture.remove()
        throw error
    }
    do {
        let result = try await body(sandbox)
        await sandbox.stop(grace: .seconds(2))
        fixture.remove()
        return result
    } catch {
        await sandbox.stop(grace: .seconds(2))
        fixture.remove()
        throw error
    }
}

extension PodSandbox {
    /// Runs a container to completion and returns its exit and its log.
    func run(_ name: String, _ script: String, env: [String: String] = [:], workingDir: String? = nil,
             uid: UInt32? = nil, limits: ResourceLimits = .none) async throws -> (exit: ContainerExit, log: String) {
        let handle = try await startContainer(ContainerSpec(
            name: name, argv: ["/bin/sh", "-c", script], env: env, workingDir: workingDir, uid: uid, limits: limits))
        let exit = await handle.exitStatus
        let log = (try? String(contentsOfFile: handle.logPath, encoding: .utf8)) ?? ""
        return (exit, log)
    }
}

/// Re-checks `condition` until it holds or `timeout` seconds pass (tests wait on conditions,
/// they do not sleep for a fixed time).
func eventually(timeout: Double = 10, _ condition: @escaping @Sendable () -> Bool) async -> Bool {
    let deadline = Date().addingTimeInterval(timeout)
    while Date() < deadline {
        if condition() { return true }
        try? await Task.sleep(for: .milliseconds(20))
    }
    return condition()
}

/// Live (non-zombie) processes in a PID namespace, straight from /proc.
func livePIDs(inNamespace namespace: String) -> [pid_t] {
    ProcFS.processes(inNamespace: namespace)
}

/// The pid namespace of a host pid.
func pidNamespace(of pid: pid_t) -> String? {
    ProcFS.pidNamespace(pid)
}

/// A TCP port that is free on `ip` right now (bound to port 0 and released).
func freePort(on ip: String) throws -> UInt16 {
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    try #require(fd >= 0)
    defer { close(fd) }
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_port = 0
    inet_pton(AF_INET, ip, &address.sin_addr)
    let bound = withUnsafePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
    }
    try #require(bound == 0)
    var length = socklen_t(MemoryLayout<sockaddr_in>.size)
    _ = withUnsafeMutablePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
    }
    return UInt16(bigEndian: address.sin_port)
}

/// `GET /` over plain HTTP/1.0 on a background thread; retries connecting until `timeout`
/// (the server inside the pod may still be starting).
func httpGet(_ ip: String, _ port: UInt16, timeout: Double = 60) async -> String? {
    await withCheckedContinuation { (continuation: CheckedContinuation<String?, Never>) in
        DispatchQueue.global().async {
            let deadline = Date().addingTimeInterval(timeout)
            while Date() < deadline {
                if let body = httpGetOnce(ip, port) {
                    continuation.resume(returning: body)
                    return
                }
                usleep(50_000)
            }
            continuation.resume(returning: nil)
        }
    }
}

private func httpGetOnce(_ ip: String, _ port: UInt16) -> String? {
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    guard fd >= 0 else { return nil }
    defer { close(fd) }
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_port = port.bigEndian
    inet_pton(AF_INET, ip, &address.sin_addr)
    let connected = withUnsafePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
    }
    guard connected == 0 else { return nil }
    let request = Array("GET / HTTP/1.0\r\nHost: \(ip)\r\n\r\n".utf8)
    guard write(fd, request, request.count) == request.count else { return nil }
    var response: [UInt8] = []
    var buffer = [UInt8](repeating: 0, count: 4096)
    while true {
        let count = read(fd, &buffer, buffer.count)
        if count <= 0 { break }
        response += buffer[0..<count]
    }
    return response.isEmpty ? nil : String(decoding: response, as: UTF8.self)
}
