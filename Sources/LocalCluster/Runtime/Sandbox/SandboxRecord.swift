import Foundation

/// What a running sandbox leaves on disk so that a later run of the runtime — after a crash or
/// SIGKILL — can find and remove it. Processes are identified by pid and start time together,
/// so a recycled pid is never mistaken for the sandbox.
struct SandboxRecord: Codable, Sendable, Hashable {
    /// A process identity.
    struct ProcessIdentity: Codable, Sendable, Hashable {
        /// The pid in the host namespace.
        var pid: Int32
        /// The start time from `/proc/<pid>/stat` (clock ticks after boot).
        var startTime: UInt64
    }

    /// The pod uid.
    var podUID: String
    /// The pod directory.
    var podDirectory: String
    /// The `unshare` process (the runtime's direct child).
    var launcher: ProcessIdentity?
    /// The sandbox's pid 1 (the infra shell); killing it ends the whole PID namespace.
    var infra: ProcessIdentity?
    /// The PID namespace (`pid:[inode]`) of the sandbox.
    var pidNamespace: String?
    /// The pod-level cgroup directories (one per hierarchy).
    var cgroups: [String]
    /// When the sandbox was created.
    var createdAt: Date

    /// Encodes as pretty JSON.
    func encoded() -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        encoder.dateEncodingStrategy = .iso8601
        return (try? encoder.encode(self)).map { String(decoding: $0, as: UTF8.self) } ?? "{}"
    }

    /// Decodes; nil for anything unreadable.
    static func decode(_ text: String) -> SandboxRecord? {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        return try? decoder.decode(SandboxRecord.self, from: Data(text.utf8))
    }
}
