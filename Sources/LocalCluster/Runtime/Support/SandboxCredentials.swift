/// Another user the runtime builds sandboxes as (through `setpriv`), so that the unprivileged
/// path can be exercised end to end on a host where the runtime itself runs as root.
struct SandboxCredentials: Sendable, Hashable {
    /// The user id.
    var uid: UInt32
    /// The group id.
    var gid: UInt32

    /// The command prefix that drops to these credentials, or nil without `setpriv`.
    var commandPrefix: [String]? {
        SandboxTools.find("setpriv").map { [$0, "--reuid=\(uid)", "--regid=\(gid)", "--clear-groups", "--"] }
    }
}
