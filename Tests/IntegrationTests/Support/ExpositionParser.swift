import CubicleTestSupport
import Foundation

/// A strict reader of the Prometheus text format 0.0.4 as Cubicle writes it: every line must
/// be a `# HELP`, a `# TYPE` or a sample of the family just declared; names, label syntax,
/// escapes and values must be valid; series must not repeat; histograms must be cumulative with
/// a `+Inf` bucket equal to `_count`. Any deviation throws, naming the line.
struct Exposition {
    /// One sample.
    struct Series: Sendable {
        let name: String
        let labels: [String: String]
        let value: Double
    }

    /// Every sample, in order.
    let series: [Series]
    /// Family name → type.
    let types: [String: String]

    /// The samples named `name` whose labels include `labels`.
    func samples(_ name: String, _ labels: [String: String] = [:]) -> [Series] {
        series.filter { series in series.name == name && labels.allSatisfy { key, value in series.labels[key] == value } }
    }

    /// The one sample named `name` with exactly `labels`.
    func value(_ name: String, _ labels: [String: String] = [:]) -> Double? {
        series.first { $0.name == name && $0.labels == labels }?.value
    }

    init(parsing text: String) throws {
        guard text.hasSuffix("\n") else { throw TestFailure("the exposition does not end with a line feed") }
        var series: [Series] = []
        var types: [String: String] = [:]
        var helped: Set<String> = []
        var current: String?
        var finished: Set<String> = []
        var seen: Set<String> = []
        for (index, line) in text.dropLast().split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let number = index + 1
            func fail(_ why: String) -> TestFailure { TestFailure("line \(number) \(why): \(line)") }
            if line.hasPrefix("#") {
                let parts = line.split(separator: " ", maxSplits: 3, omittingEmptySubsequences: false)
                guard parts.count >= 3, parts[0] == "#", parts[1] == "HELP" || parts[1] == "TYPE" else { throw fail("is a malformed comment") }
                let name = String(parts[2])
                guard Self.isMetricName(name) else { throw fail("names an invalid metric") }
                if name != current {
                    if let current { finished.insert(current) }
                    guard !finished.contains(name) else { throw fail("reopens family \(name)") }
                    current = name
                }
                if parts[1] == "HELP" {
                    guard helped.insert(name).inserted else { throw fail("repeats HELP") }
                    try Self.checkEscapes(parts.count == 4 ? parts[3] : "", allowQuote: false, fail)
                } else {
                    guard parts.count == 4, ["counter", "gauge", "histogram", "summary", "untyped"].contains(parts[3]) else {
                        throw fail("has an unknown type")
                    }
                    guard types[name] == nil else { throw fail("repeats TYPE") }
                    guard !series.contains(where: { Self.family(of: $0.name, types) == name }) else { throw fail("types after samples") }
                    types[name] = String(parts[3])
                }
                continue
            }
            guard !line.isEmpty else { throw fail("is empty") }
            let parsed = try Self.sample(line, fail)
            guard let family = current, Self.family(of: parsed.name, types) == family else {
                throw fail("is not a sample of the declared family \(current ?? "none")")
            }
            let key = parsed.name + "{" + parsed.labels.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: ",") + "}"
            guard seen.insert(key).inserted else { throw fail("repeats a series") }
            series.append(parsed)
        }
        self.series = series
        self.types = types
        try checkHistograms()
    }

    /// The family a sample name belongs to (`x_bucket` → `x` when `x` is a histogram).
    private static func family(of name: String, _ types: [String: String]) -> String {
        for suffix in ["_bucket", "_sum", "_count"] where name.hasSuffix(suffix) {
            let base = String(name.dropLast(suffix.count))
            if types[base] == "histogram" || types[base] == "summary" { return base }
        }
        return name
    }

    private static func sample(_ line: Substring, _ fail: (String) -> TestFailure) throws -> Series {
        var rest = line[...]
        let nameEnd = rest.firstIndex { $0 == "{" || $0 == " " } ?? rest.endIndex
        let name = String(rest[..<nameEnd])
        guard isMetricName(name) else { throw fail("has an invalid metric name") }
        rest = rest[nameEnd...]
        var labels: [String: String] = [:]
        if rest.first == "{" {
            rest = rest.dropFirst()
            while rest.first != "}" {
                guard let equals = rest.firstIndex(of: "=") else { throw fail("has a label without =") }
                let label = String(rest[..<equals])
                guard isLabelName(label) else { throw fail("has an invalid label name \(label)") }
                rest = rest[rest.index(after: equals)...]
                guard rest.first == "\"" else { throw fail("has an unquoted label value") }
                rest = rest.dropFirst()
                var value = ""
                while true {
                    guard let character = rest.first else { throw fail("has an unterminated label value") }
                    rest = rest.dropFirst()
                    if character == "\"" { break }
                    if character == "\\" {
                        guard let escaped = rest.first else { throw fail("ends inside an escape") }
                        rest = rest.dropFirst()
                        switch escaped {
                        case "\\": value.append("\\")
                        case "\"": value.append("\"")
                        case "n": value.append("\n")
                        default: throw fail("has an invalid escape \\\(escaped)")
                        }
                    } else {
                        value.append(character)
                    }
                }
                guard labels.updateValue(value, forKey: label) == nil else { throw fail("repeats label \(label)") }
                if rest.first == "," { rest = rest.dropFirst() } else if rest.first != "}" { throw fail("has junk between labels") }
            }
            rest = rest.dropFirst()
        }
        guard rest.first == " " else { throw fail("has no space before the value") }
        let fields = rest.dropFirst().split(separator: " ", omittingEmptySubsequences: false)
        guard fields.count == 1 || (fields.count == 2 && Int64(fields[1]) != nil), let value = parseValue(fields[0]) else {
            throw fail("has an invalid value")
        }
        return Series(name: name, labels: labels, value: value)
    }

    private static func parseValue(_ text: Substring) -> Double? {
        switch text {
        case "+Inf": return .infinity
        case "-Inf": return -.infinity
        case "NaN": return .nan
        default:
            guard !text.isEmpty, text.allSatisfy({ $0.isNumber || "+-.eE".contains($0) }) else { return nil }
            return Double(text)
        }
    }

    private static func checkEscapes(_ text: Substring, allowQuote: Bool, _ fail: (String) -> TestFailure) throws {
        var iterator = text.makeIterator()
        while let character = iterator.next() {
            guard character == "\\" else { continue }
            guard let next = iterator.next(), next == "\\" || next == "n" || (allowQuote && next == "\"") else {
                throw fail("has an invalid escape in HELP")
            }
        }
    }

    private func checkHistograms() throws {
        for (name, type) in types where type == "histogram" {
            var groups: [[String: String]: [(le: Double, count: Double)]] = [:]
            for sample in series where sample.name == "\(name)_bucket" {
                var labels = sample.labels
                guard let raw = labels.removeValue(forKey: "le"), let le = Self.parseValue(raw[...]) else {
                    throw TestFailure("\(name)_bucket without a valid le: \(sample.labels)")
                }
                groups[labels, default: []].append((le, sample.value))
            }
            for (labels, buckets) in groups {
                guard buckets.map(\.le) == buckets.map(\.le).sorted(), buckets.last?.le == .infinity else {
                    throw TestFailure("\(name)\(labels): buckets out of order or without +Inf")
                }
                guard zip(buckets, buckets.dropFirst()).allSatisfy({ $0.count <= $1.count }) else {
                    throw TestFailure("\(name)\(labels): buckets are not cumulative")
                }
                guard value("\(name)_count", labels) == buckets.last?.count, value("\(name)_sum", labels) != nil else {
                    throw TestFailure("\(name)\(labels): +Inf bucket differs from _count, or _sum is missing")
                }
            }
        }
    }

    private static func isMetricName(_ name: String) -> Bool {
        guard let first = name.first, !first.isNumber else { return false }
        return name.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_" || $0 == ":") }
    }

    private static func isLabelName(_ name: String) -> Bool {
        guard let first = name.first, !first.isNumber else { return false }
        return name.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_") }
    }
}
