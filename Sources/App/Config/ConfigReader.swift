import API
import Foundation
import Yams

/// Walks the YAML tree with a key path, so every error says where it is.
struct ConfigReader {
    let environment: [String: String]
    let readFile: (String) throws -> String

    func mapping(_ node: Node, _ path: String, allowed: Set<String>) throws -> [String: Node] {
        guard let mapping = node.mapping else { throw ConfigError("\(path) must be a mapping") }
        var result: [String: Node] = [:]
        for (key, value) in mapping {
            guard let name = key.string else { throw ConfigError("\(path) has a key that is not a string") }
            let keyPath = path.isEmpty ? name : "\(path).\(name)"
            guard allowed.contains(name) else {
                throw ConfigError("unknown key \(keyPath) (known here: \(allowed.sorted().joined(separator: ", ")))")
            }
            guard result[name] == nil else { throw ConfigError("duplicate key \(keyPath)") }
            result[name] = value
        }
        return result
    }

    func string(_ node: Node?, _ path: String) throws -> String? {
        guard let node else { return nil }
        guard let scalar = node.scalar else { throw ConfigError("\(path) must be a string") }
        return scalar.string
    }

    func strings(_ node: Node?, _ path: String) throws -> [String]? {
        guard let node else { return nil }
        guard let sequence = node.sequence else { throw ConfigError("\(path) must be a list of strings") }
        return try sequence.enumerated().map { index, item in
            guard let text = try string(item, "\(path)[\(index)]") else { throw ConfigError("\(path)[\(index)] is empty") }
            return text
        }
    }

    func int(_ node: Node?, _ path: String) throws -> Int? {
        guard let text = try string(node, path) else { return nil }
        guard let value = Int(text) else { throw ConfigError("\(path) must be an integer, not \(text.prefix(40))") }
        return value
    }

    func bool(_ node: Node?, _ path: String) throws -> Bool? {
        guard let text = try string(node, path) else { return nil }
        switch text.lowercased() {
        case "true", "yes", "on": return true
        case "false", "no", "off": return false
        default: throw ConfigError("\(path) must be true or false")
        }
    }

    /// Seconds from `3600`, `90s`, `30m`, `12h` or `7d`.
    func duration(_ node: Node?, _ path: String) throws -> Double? {
        guard let text = try string(node, path) else { return nil }
        let units: [Character: Double] = ["s": 1, "m": 60, "h": 3600, "d": 86400]
        var number = Substring(text), factor = 1.0
        if let last = text.last, let unit = units[last] {
            number = text.dropLast()
            factor = unit
        }
        guard let value = Double(number), value > 0 else { throw ConfigError("\(path) must be a duration such as 3600, 30m or 12h") }
        return value * factor
    }

    mutating func file(_ root: Node) throws -> ConfigFile {
        let top = try mapping(root, "", allowed: ["auth"])
        var file = ConfigFile()
        guard let authNode = top["auth"] else { return file }
        let auth = try mapping(authNode, "auth", allowed: ["providers", "staticUsers", "sessionTTL", "publicURL", "internalTokenTTL"])
        if let ttl = try duration(auth["sessionTTL"], "auth.sessionTTL") { file.auth.sessionTTL = ttl }
        if let ttl = try duration(auth["internalTokenTTL"], "auth.internalTokenTTL") { file.auth.internalTokenTTL = ttl }
        if let url = try string(auth["publicURL"], "auth.publicURL") {
            guard url.hasPrefix("http://") || url.hasPrefix("https://") else { throw ConfigError("auth.publicURL must be an http(s) URL") }
            file.auth.publicURL = url
        }
        if let providers = auth["providers"] {
            guard let list = providers.sequence else { throw ConfigError("auth.providers must be a list") }
            file.auth.providers = try list.enumerated().map { try provider($1, "auth.providers[\($0)]") }
            let ids = file.auth.providers.map(\.id)
            if Set(ids).count != ids.count { throw ConfigError("auth.providers has two providers with the same id") }
        }
        if let users = auth["staticUsers"] {
            guard let list = users.sequence else { throw ConfigError("auth.staticUsers must be a list") }
            file.staticUsers = try list.enumerated().map { try staticUser($1, "auth.staticUsers[\($0)]") }
            file.auth.staticUsernames = Set(file.staticUsers.map(\.username))
        }
        return file
    }

    func provider(_ node: Node, _ path: String) throws -> OIDCProviderSettings {
        let fields = try mapping(node, path, allowed: [
            "id", "issuer", "clientId", "clientSecret", "clientSecretFile", "clientSecretEnv", "scopes", "displayName", "claims",
        ])
        guard let id = try string(fields["id"], "\(path).id"), !id.isEmpty, id.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" }) else {
            throw ConfigError("\(path).id is required: letters, digits, '-' or '_'")
        }
        guard let issuer = try string(fields["issuer"], "\(path).issuer"), issuer.hasPrefix("http") else {
            throw ConfigError("\(path).issuer is required and must be an http(s) URL")
        }
        guard let clientID = try string(fields["clientId"], "\(path).clientId") else { throw ConfigError("\(path).clientId is required") }
        let secret: String
        let sources = ["clientSecret", "clientSecretFile", "clientSecretEnv"].filter { fields[$0] != nil }
        guard sources.count == 1 else { throw ConfigError("\(path) needs exactly one of clientSecret, clientSecretFile, clientSecretEnv") }
        switch sources[0] {
        case "clientSecret": secret = try string(fields["clientSecret"], "\(path).clientSecret") ?? ""
        case "clientSecretFile":
            let file = try string(fields["clientSecretFile"], "\(path).clientSecretFile") ?? ""
            do {
                secret = try readFile(file).trimmingCharacters(in: .whitespacesAndNewlines)
            } catch {
                throw ConfigError("\(path).clientSecretFile: cannot read \(file)")
            }
        default:
            let name = try string(fields["clientSecretEnv"], "\(path).clientSecretEnv") ?? ""
            guard let value = environment[name] else { throw ConfigError("\(path).clientSecretEnv: \(name) is not set") }
            secret = value
        }
        var claims = ClaimMapping()
        if let claimsNode = fields["claims"] {
            let map = try mapping(claimsNode, "\(path).claims", allowed: ["username", "fullname", "email", "uid", "gid", "defaultRoles", "defaultBlueprints"])
            if let value = try string(map["username"], "\(path).claims.username") { claims.username = value }
            if let value = try string(map["fullname"], "\(path).claims.fullname") { claims.fullname = value }
            if let value = try string(map["email"], "\(path).claims.email") { claims.email = value }
            claims.uid = try string(map["uid"], "\(path).claims.uid")
            claims.gid = try string(map["gid"], "\(path).claims.gid")
            if let value = try strings(map["defaultRoles"], "\(path).claims.defaultRoles") { claims.defaultRoles = value }
            if let value = try strings(map["defaultBlueprints"], "\(path).claims.defaultBlueprints") { claims.defaultBlueprints = value }
        }
        return OIDCProviderSettings(
            id: id, issuer: issuer, clientID: clientID, clientSecret: secret,
            scopes: try strings(fields["scopes"], "\(path).scopes") ?? ["openid", "profile", "email"],
            displayName: try string(fields["displayName"], "\(path).displayName"), claims: claims)
    }

    func staticUser(_ node: Node, _ path: String) throws -> ConfigFile.StaticUser {
        let fields = try mapping(node, path, allowed: ["username", "fullname", "email", "roles", "blueprints", "uid", "gid", "locked"])
        guard let username = try string(fields["username"], "\(path).username") else { throw ConfigError("\(path).username is required") }
        return ConfigFile.StaticUser(
            username: username, fullname: try string(fields["fullname"], "\(path).fullname") ?? "",
            email: try string(fields["email"], "\(path).email") ?? "", roles: try strings(fields["roles"], "\(path).roles") ?? [],
            blueprints: try strings(fields["blueprints"], "\(path).blueprints") ?? ["*"], uid: try int(fields["uid"], "\(path).uid"),
            gid: try int(fields["gid"], "\(path).gid"), locked: try bool(fields["locked"], "\(path).locked") ?? false)
    }
}
