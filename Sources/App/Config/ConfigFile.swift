import API
import Foundation
import Yams

/// `cubicle serve --config FILE`: a YAML document with sections (`auth:` today). Every key is
/// checked: an unknown or mistyped key stops the start with its path, e.g. `auth.providers[0].isuser`.
public struct ConfigFile: Sendable {
    /// The `auth` section.
    public var auth: AuthSettings
    /// Users declared under `auth.staticUsers`, created or updated at start.
    public var staticUsers: [StaticUser]

    /// A user declared in the config file.
    public struct StaticUser: Sendable, Hashable {
        /// The login name.
        public var username: String
        /// The display name.
        public var fullname: String
        /// The e-mail address.
        public var email: String
        /// Roles such as `admin`.
        public var roles: [String]
        /// Blueprints the user may provision.
        public var blueprints: [String]
        /// A fixed uid, if any.
        public var uid: Int?
        /// A fixed gid, if any.
        public var gid: Int?
        /// Whether the user is locked.
        public var locked: Bool
    }

    /// An empty configuration.
    public init(auth: AuthSettings = AuthSettings(), staticUsers: [StaticUser] = []) {
        self.auth = auth
        self.staticUsers = staticUsers
    }

    /// Parses YAML text; `environment` resolves `clientSecretEnv`, `readFile` `clientSecretFile`.
    public static func parse(
        _ text: String, environment: [String: String] = ProcessInfo.processInfo.environment,
        readFile: @escaping (String) throws -> String = { try String(contentsOfFile: $0, encoding: .utf8) }
    ) throws -> ConfigFile {
        let root: Node
        do {
            guard let node = try Yams.compose(yaml: text) else { return ConfigFile() }
            root = node
        } catch {
            throw ConfigError("the config file is not valid YAML: \(error)")
        }
        var reader = ConfigReader(environment: environment, readFile: readFile)
        return try reader.file(root)
    }

    /// Loads and parses `path`.
    public static func load(path: String, environment: [String: String] = ProcessInfo.processInfo.environment) throws -> ConfigFile {
        let text: String
        do {
            text = try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            throw ConfigError("cannot read the config file \(path): \(error.localizedDescription)")
        }
        return try parse(text, environment: environment)
    }
}

/// A config file that cannot be used; the message names the key path.
public struct ConfigError: Error, CustomStringConvertible, Sendable {
    /// What is wrong and where.
    public let description: String

    init(_ description: String) { self.description = description }
}
