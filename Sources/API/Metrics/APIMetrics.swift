import CubicleMetrics

/// The API's metrics and the registry `/metrics` renders. Children on hot paths (bytes per
/// chunk) are resolved once here, so an update is a single atomic add.
public struct APIMetrics: Sendable {
    /// Every family of this server (the provisioner's and the process's too).
    public let registry: MetricsRegistry
    /// `metrics.public`: `/metrics` answers without a token (in-cluster scrapes).
    public var isPublic = false
    /// HTTP requests by method and status code.
    let requests: MetricFamily<Counter>
    /// Time to the response head by method and matched route pattern.
    let requestDurations: MetricFamily<Histogram>
    /// File transfers.
    let files: FileMetrics
    /// Interactive shells.
    let shells: ShellMetrics

    /// Registers the API's families in `registry`.
    public init(registry: MetricsRegistry) {
        self.registry = registry
        requests = registry.counter(
            "cubicle_http_requests_total", help: "HTTP requests answered, by method and status code.", labels: ["method", "status"])
        requestDurations = registry.histogram(
            "cubicle_http_request_duration_seconds", help: "Seconds until the response head, by method and route pattern.",
            labels: ["method", "route"], bounds: Histogram.latencyBounds)
        files = FileMetrics(registry: registry)
        shells = ShellMetrics(registry: registry)
    }
}

/// Bytes and transfers of the file endpoints.
struct FileMetrics: Sendable {
    /// A transfer's direction, as the `direction` label says it.
    enum Direction: String { case upload, download }

    /// Bytes received into workspaces (completed uploads and parts).
    let uploadBytes: Counter
    /// Bytes sent from workspaces.
    let downloadBytes: Counter
    private let transfers: MetricFamily<Counter>

    init(registry: MetricsRegistry) {
        let bytes = registry.counter("cubicle_file_bytes_total", help: "File bytes moved, by direction.", labels: ["direction"])
        uploadBytes = bytes.labels(Direction.upload.rawValue)
        downloadBytes = bytes.labels(Direction.download.rawValue)
        transfers = registry.counter(
            "cubicle_file_transfers_total", help: "File transfers finished, by direction and result.", labels: ["direction", "result"])
        for direction in [Direction.upload, .download] {
            for result in ["succeeded", "failed"] { _ = transfers.labels(direction.rawValue, result) }
        }
    }

    /// Counts a finished transfer.
    func transfer(_ direction: Direction, succeeded: Bool) {
        transfers.labels(direction.rawValue, succeeded ? "succeeded" : "failed").increment()
    }
}

/// Sessions and bytes of interactive shells.
struct ShellMetrics: Sendable {
    /// Sessions alive now.
    let active: Gauge
    /// Sessions started.
    let started: Counter
    /// Bytes from clients to programs.
    let bytesIn: Counter
    /// Bytes from programs to clients.
    let bytesOut: Counter

    init(registry: MetricsRegistry) {
        active = registry.gauge("cubicle_shell_sessions_active", help: "Shell and exec sessions alive now.").labels()
        started = registry.counter("cubicle_shell_sessions_total", help: "Shell and exec sessions started.").labels()
        let bytes = registry.counter("cubicle_shell_bytes_total", help: "Shell bytes moved: in is client input, out is program output.",
                                     labels: ["direction"])
        bytesIn = bytes.labels("in")
        bytesOut = bytes.labels("out")
    }
}
