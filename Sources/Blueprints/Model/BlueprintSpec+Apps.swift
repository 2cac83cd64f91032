/// One app of a workspace, supervised by the in-workspace agent.
public struct AppSpec: Sendable, Hashable, Codable {
    /// Whether the app is offered at all.
    public var enabled: Bool
    /// The app's executable; present means installed.
    public var binary: String?
    /// A shell script that installs the app.
    public var install: String?
    /// Whether `install` runs as root.
    public var installAsRoot: Bool
    /// The argv that starts the app.
    public var start: [String]
    /// The port the app listens on.
    public var listen: Int?
    /// What the app speaks on `listen`.
    public var `protocol`: AppProtocol
    /// When the supervisor restarts the app.
    public var restartPolicy: AppRestartPolicy
    /// The longest pause between restarts, in seconds.
    public var maxRestartBackoffSeconds: Int64
    /// Whether the app starts with the workspace.
    public var autoStart: Bool
    /// The argv that prints the app's version.
    public var versionCmd: [String]?
    /// The regular expression whose first group extracts the version from `versionCmd`'s output.
    public var versionRegex: String?

    /// The default `maxRestartBackoff`: five minutes.
    public static let defaultMaxRestartBackoffSeconds: Int64 = 300

    /// Creates an app.
    public init(
        enabled: Bool = true, binary: String? = nil, install: String? = nil, installAsRoot: Bool = false,
        start: [String] = [], listen: Int? = nil, protocol: AppProtocol = .http, restartPolicy: AppRestartPolicy = .never,
        maxRestartBackoffSeconds: Int64 = AppSpec.defaultMaxRestartBackoffSeconds, autoStart: Bool = false,
        versionCmd: [String]? = nil, versionRegex: String? = nil
    ) {
        self.enabled = enabled
        self.binary = binary
        self.install = install
        self.installAsRoot = installAsRoot
        self.start = start
        self.listen = listen
        self.protocol = `protocol`
        self.restartPolicy = restartPolicy
        self.maxRestartBackoffSeconds = maxRestartBackoffSeconds
        self.autoStart = autoStart
        self.versionCmd = versionCmd
        self.versionRegex = versionRegex
    }
}

/// What an app speaks on its port.
public enum AppProtocol: String, Sendable, Hashable, Codable, CaseIterable {
    /// Plain HTTP.
    case http
    /// HTTP over TLS.
    case https
    /// WebSocket.
    case ws
    /// Raw TCP.
    case tcp
}

/// When the agent restarts an app that exited.
public enum AppRestartPolicy: String, Sendable, Hashable, Codable, CaseIterable {
    /// Whenever it exits.
    case always
    /// Only when it exits with a failure.
    case onFailure = "on-failure"
    /// Never (the default).
    case never
}
