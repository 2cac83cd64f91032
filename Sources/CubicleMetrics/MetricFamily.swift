import Synchronization

/// What a family is, as its `# TYPE` line says.
public enum MetricType: String, Sendable {
    /// Only goes up.
    case counter
    /// Goes up and down.
    case gauge
    /// Bucketed observations with sum and count.
    case histogram
    /// No declared semantics.
    case untyped
}

/// A named metric with label names; each distinct tuple of label values is one child (a
/// `Counter`, `Gauge` or `Histogram`). Resolving a child takes a lock and a dictionary lookup,
/// so hot paths resolve theirs once and keep it.
public final class MetricFamily<Child: Sendable>: Sendable {
    /// The metric name, e.g. `cubicle_jobs_total`.
    public let name: String
    /// The `# HELP` text.
    public let help: String
    /// The label names, in the order values are given.
    public let labelNames: [String]
    /// The family's type.
    public let type: MetricType
    private let make: @Sendable () -> Child
    private let children = Mutex<[[String]: Child]>([:])

    init(name: String, help: String, labelNames: [String], type: MetricType, make: @escaping @Sendable () -> Child) {
        self.name = name
        self.help = help
        self.labelNames = labelNames
        self.type = type
        self.make = make
    }

    /// The child for these label values (one per label name, in order), created on first use.
    public func labels(_ values: String...) -> Child { labels(values) }

    /// The child for these label values (one per label name, in order), created on first use.
    /// Too few values are padded with empty strings and extra ones dropped, so a mistake shows
    /// in the output instead of crashing the server.
    public func labels(_ values: [String]) -> Child {
        var key = Array(values.prefix(labelNames.count))
        while key.count < labelNames.count { key.append("") }
        return children.withLock { children in
            if let child = children[key] { return child }
            let child = make()
            children[key] = child
            return child
        }
    }

    /// Every child with its label values, sorted by them (stable output for scrapes and tests).
    public func allChildren() -> [(values: [String], child: Child)] {
        children.withLock { children in children.map { (values: $0.key, child: $0.value) } }
            .sorted { $0.values.lexicographicallyPrecedes($1.values) }
    }
}
