import CubicleModel

/// How the process kubelet runs pods: where their files live, which loopback addresses they get,
/// and how quickly it retries. The defaults are Kubernetes' own; tests shorten the delays.
public struct KubeletConfiguration: Sendable {
    /// The pod runtime's state root; nil: `<data dir>/kubelet/runtime`.
    public var stateRoot: String?
    /// The directory holding one directory per pod; nil: `<data dir>/kubelet/pods`.
    public var podsDirectory: String?
    /// The third octets `x` of pod addresses `127.77.x.y` this kubelet hands out.
    public var addressBlocks: ClosedRange<Int>
    /// Where the machine-wide pod address locks live (every Cubicle on the machine must share
    /// it); nil: `/run/cubicle/pod-addresses` for root, else a per-user temporary directory.
    public var addressLockDirectory: String?
    /// Container restarts: 10 s doubling to 5 min (no jitter, like the kubelet).
    public var restartBackoff: Backoff
    /// Image pull retries after a (simulated) pull failure.
    public var imagePullBackoff: Backoff
    /// Seconds between retries of a pod that cannot start yet (a missing ConfigMap, Secret or claim).
    public var retryInterval: Double
    /// Seconds between passes over unscheduled pods that the watch alone would not revisit.
    public var resyncInterval: Double
    /// The longest grace period honoured when a pod is deleted, in seconds.
    public var maximumGracePeriod: Double
    /// The grace period for pods stopped because the kubelet itself shuts down, in seconds.
    public var shutdownGracePeriod: Double
    /// Overrides the host probe (tests); nil probes the host on start.
    var support: SandboxSupport?

    /// A configuration with Kubernetes' delays and addresses `127.77.0.1` to `127.77.249.254`.
    public init(
        stateRoot: String? = nil, podsDirectory: String? = nil, addressBlocks: ClosedRange<Int> = 0...249,
        restartBackoff: Backoff = Backoff(initial: 10, maximum: 300, jitter: 0),
        imagePullBackoff: Backoff = Backoff(initial: 10, maximum: 300, jitter: 0),
        retryInterval: Double = 2, resyncInterval: Double = 10, maximumGracePeriod: Double = 30,
        shutdownGracePeriod: Double = 5
    ) {
        self.stateRoot = stateRoot
        self.podsDirectory = podsDirectory
        self.addressBlocks = addressBlocks
        self.restartBackoff = restartBackoff
        self.imagePullBackoff = imagePullBackoff
        self.retryInterval = retryInterval
        self.resyncInterval = resyncInterval
        self.maximumGracePeriod = maximumGracePeriod
        self.shutdownGracePeriod = shutdownGracePeriod
    }

    /// Parses `--pod-address-blocks` (`0-249`, or one block `7`) into third octets.
    public static func parseAddressBlocks(_ text: String) throws -> ClosedRange<Int> {
        let parts = text.split(separator: "-", omittingEmptySubsequences: false).map { Int($0) }
        guard (1...2).contains(parts.count), let low = parts.first ?? nil, let high = parts.last ?? nil,
              (0...255).contains(low), (low...255).contains(high)
        else { throw LocalClusterError.setup("--pod-address-blocks must be N or N-M with 0 <= N <= M <= 255, got \(text)") }
        return low...high
    }
}
