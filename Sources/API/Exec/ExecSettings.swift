/// Limits of `POST /workspaces/:name/exec` and the wrapper it runs commands under.
public struct ExecSettings: Sendable, Hashable {
    /// `workspace/exec-wrapper`, sent inline with every command (nil: exec answers 503).
    public var wrapper: String?
    /// The default and the largest `timeout`, in seconds.
    public var defaultTimeout: Double = 60
    /// The largest `timeout` a request may ask for.
    public var maximumTimeout: Double = 3600
    /// The default and the largest `maxOutput` per stream, in bytes.
    public var defaultMaxOutput = 1 << 20
    /// The largest `maxOutput` a request may ask for.
    public var maximumMaxOutput = 16 << 20
    /// Seconds between SIGTERM and SIGKILL to the process group of a command past its timeout.
    public var killGrace: Double = 2

    /// The defaults: 60 s (at most an hour), 1 MiB of each stream kept (at most 16 MiB).
    public init(wrapper: String? = nil) { self.wrapper = wrapper }
}
