import Dispatch
import Synchronization

/// A family whose samples are computed at scrape time (process figures, views of other state).
public struct CollectedFamily: Sendable {
    /// One sample: label pairs in order, and the value.
    public struct Sample: Sendable {
        /// Label names and values, in output order.
        public var labels: [(name: String, value: String)]
        /// The value.
        public var value: Double

        /// Creates a sample.
        public init(labels: [(name: String, value: String)] = [], value: Double) {
            self.labels = labels
            self.value = value
        }
    }

    /// The metric name.
    public var name: String
    /// The `# HELP` text.
    public var help: String
    /// The type.
    public var type: MetricType
    /// The samples.
    public var samples: [Sample]

    /// Creates a collected family.
    public init(name: String, help: String, type: MetricType, samples: [Sample]) {
        self.name = name
        self.help = help
        self.type = type
        self.samples = samples
    }
}

/// The metrics of one server: families registered by the parts that update them, collectors run
/// at scrape time, and the rendering in the Prometheus text format. Registering the same name
/// twice with the same type and labels returns the first family, so parts may share one.
public final class MetricsRegistry: Sendable {
    private struct Entry: Sendable {
        var name: String
        var type: MetricType
        var labelNames: [String]
        var family: any Sendable
        var render: @Sendable (inout ExpositionWriter) -> Void
    }

    private let entries = Mutex<[Entry]>([])
    private let collectors = Mutex<[@Sendable () -> [CollectedFamily]]>([])

    /// Creates an empty registry.
    public init() {}

    /// A counter family (`name` should end in `_total`).
    public func counter(_ name: String, help: String, labels: [String] = []) -> MetricFamily<Counter> {
        register(name, help: help, labels: labels, type: .counter, make: { Counter() }) { family, writer in
            for (values, child) in family.allChildren() {
                writer.sample(name, labels: Self.pairs(family.labelNames, values), value: String(child.value))
            }
        }
    }

    /// A gauge family.
    public func gauge(_ name: String, help: String, labels: [String] = []) -> MetricFamily<Gauge> {
        register(name, help: help, labels: labels, type: .gauge, make: { Gauge() }) { family, writer in
            for (values, child) in family.allChildren() {
                writer.sample(name, labels: Self.pairs(family.labelNames, values), value: String(child.value))
            }
        }
    }

    /// A histogram family with fixed bucket upper bounds (`+Inf` is implied; `le` is reserved).
    public func histogram(_ name: String, help: String, labels: [String] = [], bounds: [Double]) -> MetricFamily<Histogram> {
        precondition(!labels.contains("le"), "le is reserved for histogram buckets")
        return register(name, help: help, labels: labels, type: .histogram, make: { Histogram(bounds: bounds) }) { family, writer in
            for (values, child) in family.allChildren() {
                let labels = Self.pairs(family.labelNames, values)
                let snapshot = child.snapshot()
                for (index, bound) in snapshot.bounds.enumerated() {
                    writer.sample(
                        "\(name)_bucket", labels: labels + [("le", ExpositionWriter.format(bound))],
                        value: String(snapshot.cumulative[index]))
                }
                writer.sample("\(name)_bucket", labels: labels + [("le", "+Inf")], value: String(snapshot.count))
                writer.sample("\(name)_sum", labels: labels, value: snapshot.sum)
                writer.sample("\(name)_count", labels: labels, value: String(snapshot.count))
            }
        }
    }

    /// Adds a collector, run on every scrape; its families follow the registered ones.
    public func addCollector(_ collector: @escaping @Sendable () -> [CollectedFamily]) {
        collectors.withLock { $0.append(collector) }
    }

    /// The whole exposition. Collectors run on the calling thread: call `render()` off the
    /// cooperative pool when they do I/O (see `renderDetached()`).
    public func render() -> String {
        var writer = ExpositionWriter()
        for entry in entries.withLock({ $0 }) { entry.render(&writer) }
        for collector in collectors.withLock({ $0 }) {
            for family in collector() where !family.samples.isEmpty {
                writer.family(family.name, help: family.help, type: family.type)
                for sample in family.samples { writer.sample(family.name, labels: sample.labels, value: sample.value) }
            }
        }
        return writer.text
    }

    /// `render()` on a dispatch thread, so collectors reading `/proc` never block the
    /// cooperative pool.
    public func renderDetached() async -> String {
        await withCheckedContinuation { continuation in
            DispatchQueue.global().async { continuation.resume(returning: self.render()) }
        }
    }

    private func register<Child: Sendable>(
        _ name: String, help: String, labels: [String], type: MetricType, make: @escaping @Sendable () -> Child,
        samples: @escaping @Sendable (MetricFamily<Child>, inout ExpositionWriter) -> Void
    ) -> MetricFamily<Child> {
        precondition(ExpositionWriter.isValidMetricName(name), "invalid metric name \(name)")
        precondition(labels.allSatisfy(ExpositionWriter.isValidLabelName), "invalid label names \(labels)")
        return entries.withLock { entries in
            if let existing = entries.first(where: { $0.name == name }) {
                guard existing.type == type, existing.labelNames == labels, let family = existing.family as? MetricFamily<Child> else {
                    preconditionFailure("metric \(name) registered twice with different types or labels")
                }
                return family
            }
            let family = MetricFamily(name: name, help: help, labelNames: labels, type: type, make: make)
            entries.append(Entry(name: name, type: type, labelNames: labels, family: family) { writer in
                // A labelled family nobody has used yet has no samples and is left out, as the
                // reference clients do.
                guard !family.allChildren().isEmpty else { return }
                writer.family(name, help: help, type: type)
                samples(family, &writer)
            })
            return family
        }
    }

    private static func pairs(_ names: [String], _ values: [String]) -> [(name: String, value: String)] {
        Array(zip(names, values)).map { (name: $0.0, value: $0.1) }
    }
}
