#if canImport(Glibc)
import Glibc
#endif
import Blueprints
import CubicleModel
import Foundation
import Synchronization
import Testing

/// The scripts of `workspace/` and the rendering of a workspace's ConfigMap and Secret into
/// directories, the way the kubelet materialises them for the pod.
enum WorkspaceFiles {
    /// The package root (this file is `Tests/WorkspaceTests/Support/WorkspaceFiles.swift`).
    static let repositoryRoot: String = {
        var url = URL(fileURLWithPath: #filePath)
        for _ in 0..<4 { url.deleteLastPathComponent() }
        return url.path
    }()

    /// `workspace/agent`.
    static var agentPath: String { repositoryRoot + "/workspace/agent" }
    /// `workspace/bootstrap`.
    static var bootstrapPath: String { repositoryRoot + "/workspace/bootstrap" }
    /// `workspace/credential-helper`.
    static var credentialHelperPath: String { repositoryRoot + "/workspace/credential-helper" }
    /// `workspace/exec-wrapper`.
    static var execWrapperPath: String { repositoryRoot + "/workspace/exec-wrapper" }

    /// The shipped scripts, as the renderer mounts them.
    static func scripts() throws -> WorkspaceScripts {
        WorkspaceScripts(
            bootstrap: try String(contentsOfFile: bootstrapPath, encoding: .utf8),
            sshdConfig: try String(contentsOfFile: repositoryRoot + "/workspace/sshd_config", encoding: .utf8),
            agent: try String(contentsOfFile: agentPath, encoding: .utf8),
            credentialHelper: try String(contentsOfFile: credentialHelperPath, encoding: .utf8))
    }

    /// Renders the workspace and returns its objects.
    static func render(
        _ spec: BlueprintSpec, identity: WorkspaceIdentity, credentials: WorkspaceCredentials = placeholderCredentials,
        options: RenderOptions = RenderOptions()
    ) throws -> WorkspaceResources {
        WorkspaceRenderer(scripts: try scripts(), options: options).render(spec: spec, identity: identity, credentials: credentials)
    }

    /// Credentials for workspaces nobody logs in to.
    static let placeholderCredentials = WorkspaceCredentials(
        hostPrivateKey: "unused", hostPublicKey: "ssh-ed25519 unused", clientPrivateKey: "unused",
        clientPublicKey: "ssh-ed25519 unused", workspaceToken: "wst_unused")

    /// Writes the ConfigMap's keys as files into `directory`.
    static func materialiseConfigMap(of resources: WorkspaceResources, into directory: String) throws {
        let configMap = try #require(resources.objects.first { $0["kind"]?.stringValue == "ConfigMap" })
        try writeFiles(configMap["data"]?.objectValue ?? [:], into: directory, base64: false)
    }

    /// Writes the pod's Secret (base64-decoded) as files into `directory`.
    static func materialiseSecret(of resources: WorkspaceResources, into directory: String) throws {
        let secret = try #require(resources.objects.first {
            $0["kind"]?.stringValue == "Secret" && $0[path: ["metadata", "name"]]?.stringValue == resources.names.sshSecret
        })
        try writeFiles(secret["data"]?.objectValue ?? [:], into: directory, base64: true)
    }

    private static func writeFiles(_ data: [String: JSONValue], into directory: String, base64: Bool) throws {
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        for (key, value) in data {
            let text = try #require(value.stringValue)
            let bytes = base64 ? try #require(Data(base64Encoded: text)) : Data(text.utf8)
            try bytes.write(to: URL(fileURLWithPath: directory + "/" + key))
        }
    }
}

/// Where a test's temporary directories go: outside /tmp, which pods replace with their own.
enum TestDirectories {
    private static let counter = Atomic<Int>(0)

    /// A fresh, unique directory (mode 0755, so other users can traverse it).
    static func make(_ label: String) throws -> String {
        let number = counter.add(1, ordering: .relaxed).newValue
        let tag = String(UInt32.random(in: 0...UInt32.max), radix: 36)
        let path = "/var/tmp/cubicle-workspace-tests/\(label)-\(getpid())-\(number)-\(tag)"
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        _ = chmod("/var/tmp/cubicle-workspace-tests", 0o755)
        return path
    }
}

/// Ports handed to tests come from below the kernel's ephemeral range (32768+), where nothing in
/// this process binds by accident: a port taken from `bind(0)` and released could be handed to
/// another suite's listener a moment later, and an app test would then see its port "held by
/// another process". Each call takes the next number and checks it is bindable right now.
private let nextTestPort = Mutex(20_000 + Int(getpid() % 4_000) * 2)

/// A TCP port free on `ip` right now, never returned twice in this process.
func freePort(on ip: String = "127.0.0.1") throws -> Int {
    for _ in 0..<1_000 {
        let port = nextTestPort.withLock { next -> Int in
            defer { next = next >= 31_999 ? 20_000 : next + 1 }
            return next
        }
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        try #require(fd >= 0)
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port)).bigEndian
        inet_pton(AF_INET, ip, &address.sin_addr)
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        if bound == 0 { return port }
    }
    throw ListeningSocket.ListenFailure(port: 0, code: EADDRINUSE)
}

/// A socket listening on `ip:port` until `close`d: "another process" holding an app's port.
struct ListeningSocket {
    let fd: Int32

    init(ip: String = "127.0.0.1", port: Int) throws {
        fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        try #require(fd >= 0)
        var yes: Int32 = 1
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &yes, socklen_t(MemoryLayout<Int32>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = UInt16(port).bigEndian
        inet_pton(AF_INET, ip, &address.sin_addr)
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard bound == 0, listen(fd, 4) == 0 else {
            Glibc.close(fd)
            throw ListenFailure(port: port, code: errno)
        }
    }

    func close() { Glibc.close(fd) }

    struct ListenFailure: Error { var port: Int; var code: Int32 }
}
