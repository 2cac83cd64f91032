/// One entry of `agent apps` (and the answer of `app-install`, `app-start`, `app-stop`).
struct AppDocument: Decodable, Equatable {
    var name: String
    var status: String
    var version: String
    var port: Int?
    var pid: Int32?
    var age: Int?
    var restarts: Int
    var `protocol`: String
}

/// An agent failure.
struct AgentErrorDocument: Decodable, Equatable {
    var error: String
    var message: String
}

/// `agent sysinfo`.
struct SysinfoDocument: Decodable {
    struct System: Decodable {
        var uptime: Int?
        var cpuUsageMillicores: Int?
        var cpuLimitMillicores: Int?
        var memoryUsageMiB: Int?
        var memLimitMiB: Int?
        var cpuAvg1min: Double?
        var cpuAvg5min: Double?
        var cpuAvg15min: Double?
        var users: Int?
    }

    struct Mount: Decodable {
        var mountPoint: String
        var fsType: String
        var readOnly: Bool
        var totalBytes: Int64?
        var usedBytes: Int64?
        var availableBytes: Int64?
    }

    var time: String
    var system: System
    var mounts: [Mount]
}

/// One entry of `agent init-status`.
struct InitScriptDocument: Decodable, Equatable {
    var name: String
    var status: String
    var exitCode: Int?
    var log: String
}

/// `agent supervise`'s first line.
struct SupervisorDocument: Decodable {
    var supervisor: String
    var pid: Int32?
}
