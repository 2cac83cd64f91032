import Foundation
#if canImport(Glibc)
import Glibc
#endif
import Yams

/// `~/.config/cubicle/config.yaml`: named contexts (server, token, TLS options) and the current
/// one, like a kubeconfig. Written with mode 0600 in a 0700 directory; tokens are never printed.
public struct ClientConfiguration: Codable, Sendable, Equatable {
    /// One server and how to reach it.
    public struct Context: Codable, Sendable, Equatable {
        /// The context's name.
        public var name: String
        /// The server's base URL, e.g. `https://cubicle.example.com`.
        public var server: String
        /// A personal access token (`cub_…`).
        public var token: String?
        /// Who the token belongs to (informational).
        public var username: String?
        /// Skip TLS certificate verification (for test servers only).
        public var insecureSkipTLSVerify: Bool?
        /// A PEM file with the CA that signed the server's certificate.
        public var certificateAuthority: String?

        /// Creates a context.
        public init(
            name: String, server: String, token: String? = nil, username: String? = nil, insecureSkipTLSVerify: Bool? = nil,
            certificateAuthority: String? = nil
        ) {
            self.name = name
            self.server = server
            self.token = token
            self.username = username
            self.insecureSkipTLSVerify = insecureSkipTLSVerify
            self.certificateAuthority = certificateAuthority
        }
    }

    /// The context used when none is named.
    public var currentContext: String?
    /// Every context, in the order they were added.
    public var contexts: [Context]

    enum CodingKeys: String, CodingKey {
        case currentContext = "current-context"
        case contexts
    }

    /// An empty configuration.
    public init(currentContext: String? = nil, contexts: [Context] = []) {
        self.currentContext = currentContext
        self.contexts = contexts
    }

    /// The context called `name`.
    public func context(named name: String) -> Context? { contexts.first { $0.name == name } }

    /// Adds `context`, replacing one of the same name.
    public mutating func upsert(_ context: Context) {
        if let index = contexts.firstIndex(where: { $0.name == context.name }) {
            contexts[index] = context
        } else {
            contexts.append(context)
        }
    }

    /// Removes the context called `name`; false when there was none.
    @discardableResult
    public mutating func remove(_ name: String) -> Bool {
        guard let index = contexts.firstIndex(where: { $0.name == name }) else { return false }
        contexts.remove(at: index)
        if currentContext == name { currentContext = contexts.first?.name }
        return true
    }

    // MARK: - The file

    /// Where the file lives: `$CUBICLE_CONFIG`, else `$XDG_CONFIG_HOME/cubicle/config.yaml`,
    /// else `~/.config/cubicle/config.yaml`.
    public static func defaultPath(environment: [String: String] = ProcessInfo.processInfo.environment) -> String {
        if let explicit = environment["CUBICLE_CONFIG"], !explicit.isEmpty { return explicit }
        let base = environment["XDG_CONFIG_HOME"].flatMap { $0.isEmpty ? nil : $0 }
            ?? ((environment["HOME"] ?? NSHomeDirectory()) + "/.config")
        return base + "/cubicle/config.yaml"
    }

    /// Reads the file; a missing file is an empty configuration. Blocking: call off the
    /// cooperative pool.
    public static func load(from path: String) throws -> ClientConfiguration {
        guard FileManager.default.fileExists(atPath: path) else { return ClientConfiguration() }
        let text: String
        do {
            text = try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            throw ClientError.local("cannot read \(path): \(error.localizedDescription)")
        }
        if text.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty { return ClientConfiguration() }
        do {
            return try YAMLDecoder().decode(ClientConfiguration.self, from: text)
        } catch {
            throw ClientError.invalid("\(path) is not a Cubicle client configuration: \(error)")
        }
    }

    /// Writes the file atomically with mode 0600 (its directory 0700). Blocking.
    public func save(to path: String) throws {
        let directory = (path as NSString).deletingLastPathComponent
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        let text = try YAMLEncoder().encode(self)
        try PrivateFile.write(Array(text.utf8), to: path)
    }
}

/// Files only their owner may read, replaced atomically (temporary file, fsync, rename).
enum PrivateFile {
    /// Writes `bytes` to `path` with mode 0600.
    static func write(_ bytes: [UInt8], to path: String) throws {
        let temporary = path + ".tmp-\(getpid())"
        let fd = open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw ClientError.local("cannot write \(temporary): \(String(cString: strerror(errno)))") }
        let written = bytes.withUnsafeBytes { Glibc.write(fd, $0.baseAddress, $0.count) }
        fsync(fd)
        close(fd)
        guard written == bytes.count, rename(temporary, path) == 0 else {
            unlink(temporary)
            throw ClientError.local("cannot write \(path): \(String(cString: strerror(errno)))")
        }
    }
}
