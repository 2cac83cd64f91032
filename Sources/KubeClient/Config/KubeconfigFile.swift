/// One kubeconfig file's named stanzas, parsed and checked field by field but not yet resolved
/// (files referenced by path are read only for the stanzas actually used).
struct KubeconfigFile {
    /// A named stanza and where it was found.
    struct Entry<Value> {
        let value: Value
        /// The stanza's node, e.g. `users[0].user`.
        let node: KubeconfigNode
    }

    struct Cluster {
        var server: String?
        var certificateAuthority: String?
        var certificateAuthorityData: [UInt8]?
        var insecureSkipTLSVerify = false
        var proxyURL: String?
        var tlsServerName: String?
    }

    struct User {
        var clientCertificate: String?
        var clientCertificateData: [UInt8]?
        var clientKey: String?
        var clientKeyData: [UInt8]?
        var token: String?
        var tokenFile: String?
        var exec: Exec?
    }

    struct Exec {
        var command: String
        var args: [String]
        var env: [HTTPHeader]
        var apiVersion: String
        var installHint: String?
        var provideClusterInfo: Bool
    }

    struct Context {
        var cluster: String
        var user: String
        var namespace: String?
    }

    let path: String
    let directory: String
    var currentContext: String?
    var clusters: [String: Entry<Cluster>] = [:]
    var users: [String: Entry<User>] = [:]
    var contexts: [String: Entry<Context>] = [:]

    /// Parses a file's text; throws `KubeError` naming the file and field of the first problem.
    init(text: String, path: String) throws {
        self.path = path
        directory = FileAccess.directory(of: path)
        let root = try KubeconfigNode.parse(text, file: path)
        if let current = try root.string("current-context"), !current.isEmpty { currentContext = current }
        for item in try root.sequence("clusters") {
            let (name, body) = try Self.named(item, key: "cluster")
            if clusters[name] == nil { clusters[name] = Entry(value: try Self.cluster(body), node: body) }
        }
        for item in try root.sequence("users") {
            let (name, body) = try Self.named(item, key: "user")
            if users[name] == nil { users[name] = Entry(value: try Self.user(body), node: body) }
        }
        for item in try root.sequence("contexts") {
            let (name, body) = try Self.named(item, key: "context")
            if contexts[name] == nil { contexts[name] = Entry(value: try Self.context(body), node: body) }
        }
    }

    private static func named(_ item: KubeconfigNode, key: String) throws -> (String, KubeconfigNode) {
        _ = try item.requireMapping()
        guard let name = try item.string("name"), !name.isEmpty else { throw item.error("missing name") }
        guard let body = try item.member(key) else {
            throw KubeconfigNode(node: item.node, file: item.file, path: "\(item.path).\(key)").error("missing")
        }
        return (name, try body.requireMapping())
    }

    private static func cluster(_ node: KubeconfigNode) throws -> Cluster {
        var cluster = Cluster()
        cluster.server = try node.string("server")
        cluster.certificateAuthority = try node.string("certificate-authority")
        cluster.certificateAuthorityData = try node.base64("certificate-authority-data")
        cluster.insecureSkipTLSVerify = try node.bool("insecure-skip-tls-verify") ?? false
        cluster.proxyURL = try node.string("proxy-url")
        cluster.tlsServerName = try node.string("tls-server-name")
        return cluster
    }

    private static func user(_ node: KubeconfigNode) throws -> User {
        var user = User()
        user.clientCertificate = try node.string("client-certificate")
        user.clientCertificateData = try node.base64("client-certificate-data")
        user.clientKey = try node.string("client-key")
        user.clientKeyData = try node.base64("client-key-data")
        user.token = try node.string("token")
        user.tokenFile = try node.string("tokenFile")
        if let provider = try node.member("auth-provider") {
            throw provider.error("auth-provider plugins are not supported; use an exec plugin")
        }
        if let exec = try node.member("exec") {
            user.exec = try Self.exec(try exec.requireMapping())
        }
        return user
    }

    private static func exec(_ node: KubeconfigNode) throws -> Exec {
        guard let command = try node.string("command"), !command.isEmpty else {
            throw KubeconfigNode(node: node.node, file: node.file, path: "\(node.path).command").error("missing")
        }
        let apiVersion = try node.string("apiVersion") ?? ""
        guard ExecCredentialConfig.supportedAPIVersions.contains(apiVersion) else {
            throw KubeconfigNode(node: node.node, file: node.file, path: "\(node.path).apiVersion").error(
                "\(apiVersion.isEmpty ? "missing" : "unsupported version \"\(apiVersion)\""); expected one of "
                    + ExecCredentialConfig.supportedAPIVersions.joined(separator: ", "))
        }
        if let mode = try node.member("interactiveMode"), try node.string("interactiveMode") == "Always" {
            throw mode.error("Always needs an interactive terminal, which a server never has")
        }
        var env: [HTTPHeader] = []
        for item in try node.sequence("env") {
            _ = try item.requireMapping()
            guard let name = try item.string("name"), !name.isEmpty else { throw item.error("missing name") }
            env.append(HTTPHeader(name, try item.string("value") ?? ""))
        }
        return Exec(
            command: command, args: try node.strings("args"), env: env, apiVersion: apiVersion,
            installHint: try node.string("installHint"), provideClusterInfo: try node.bool("provideClusterInfo") ?? false)
    }

    private static func context(_ node: KubeconfigNode) throws -> Context {
        guard let cluster = try node.string("cluster"), !cluster.isEmpty else {
            throw KubeconfigNode(node: node.node, file: node.file, path: "\(node.path).cluster").error("missing")
        }
        // A context without a user is anonymous (or relies on the cluster's client certificate).
        return Context(cluster: cluster, user: try node.string("user") ?? "", namespace: try node.string("namespace"))
    }
}
