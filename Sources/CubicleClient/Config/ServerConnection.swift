import Foundation

/// Where a command goes and with which credential, resolved like kubectl: flags override the
/// environment (`CUBICLE_SERVER`, `CUBICLE_TOKEN`, `CUBICLE_CONTEXT`), which overrides the file.
public struct ServerConnection: Sendable, Equatable {
    /// The base URL without a trailing slash, e.g. `http://127.0.0.1:8080`.
    public var server: String
    /// The bearer token, if any.
    public var token: String?
    /// Skip TLS verification.
    public var insecureSkipTLSVerify: Bool
    /// A CA bundle (PEM) for the server's certificate.
    public var certificateAuthority: String?
    /// The context this came from, if any.
    public var contextName: String?

    /// Creates a connection.
    public init(server: String, token: String? = nil, insecureSkipTLSVerify: Bool = false, certificateAuthority: String? = nil, contextName: String? = nil) {
        self.server = Self.normalize(server)
        self.token = token
        self.insecureSkipTLSVerify = insecureSkipTLSVerify
        self.certificateAuthority = certificateAuthority
        self.contextName = contextName
    }

    /// The hint every "nothing configured" error ends with.
    public static let loginHint = "run `cubicle login --server URL` (or `cubicle context add NAME --server URL --token-stdin`)"

    /// Resolves the connection for one command.
    public static func resolve(
        context: String?, server: String?, token: String?, configuration: ClientConfiguration,
        environment: [String: String] = ProcessInfo.processInfo.environment
    ) throws -> ServerConnection {
        let name = context ?? environment["CUBICLE_CONTEXT"].flatMap { $0.isEmpty ? nil : $0 } ?? configuration.currentContext
        var chosen: ClientConfiguration.Context?
        if let name {
            guard let found = configuration.context(named: name) else {
                if context != nil || environment["CUBICLE_CONTEXT"] != nil {
                    throw ClientError.noContext("no context named \(name); `cubicle context list` shows them")
                }
                throw ClientError.noContext("the current context \(name) is not in the configuration; \(loginHint)")
            }
            chosen = found
        }
        guard let base = server ?? environment["CUBICLE_SERVER"].flatMap({ $0.isEmpty ? nil : $0 }) ?? chosen?.server else {
            throw ClientError.noContext("no context configured — \(loginHint)")
        }
        guard base.hasPrefix("http://") || base.hasPrefix("https://") else {
            throw ClientError.invalid("the server must be an http:// or https:// URL, got \(base)")
        }
        let bearer = token ?? environment["CUBICLE_TOKEN"].flatMap { $0.isEmpty ? nil : $0 } ?? chosen?.token
        return ServerConnection(
            server: base, token: bearer, insecureSkipTLSVerify: chosen?.insecureSkipTLSVerify ?? false,
            certificateAuthority: chosen?.certificateAuthority, contextName: chosen?.name)
    }

    /// `ws://` or `wss://` for the same server.
    public var webSocketBase: String {
        server.hasPrefix("https://") ? "wss://" + server.dropFirst("https://".count) : "ws://" + server.dropFirst("http://".count)
    }

    private static func normalize(_ server: String) -> String {
        var text = server.trimmingCharacters(in: .whitespaces)
        while text.hasSuffix("/") { text.removeLast() }
        return text
    }
}

/// Percent-encoding for paths and query strings (RFC 3986 unreserved characters stay as they are;
/// a space is `%20`, `+` is `%2B`).
public enum URLEncoding {
    private static let unreserved: Set<UInt8> = Set(Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~".utf8))

    /// One encoded component.
    public static func component(_ text: String) -> String {
        var out = ""
        for byte in text.utf8 {
            if unreserved.contains(byte) {
                out.unicodeScalars.append(Unicode.Scalar(byte))
            } else {
                out += String(format: "%%%02X", byte)
            }
        }
        return out
    }

    /// `a=1&b=2`, each side encoded; repeated names stay repeated.
    public static func query(_ items: [(String, String)]) -> String {
        items.map { component($0.0) + "=" + component($0.1) }.joined(separator: "&")
    }
}
