import CubicleModel
import Foundation
import Yams

/// Prints API results: the API's own JSON (`-o json`), the same as YAML, names only, or an
/// aligned table for people.
struct Printer {
    let format: OutputFormat

    /// A column: its header, whether only `-o wide` shows it, and how to read it from a row.
    struct Column: Sendable {
        let header: String
        var wide = false
        let value: @Sendable (JSONValue) -> String
    }

    /// Prints `value` (one object or a list) with `columns` for the table forms and `name` for `-o name`.
    func print(_ value: JSONValue, columns: [Column], name: (JSONValue) -> String) {
        let rows = value.arrayValue ?? [value]
        switch format {
        case .json:
            Console.line(Self.prettyJSON(value))
        case .yaml:
            Console.write((try? Yams.dump(object: Self.plain(value), allowUnicode: true)) ?? "", to: .standardOutput)
        case .name:
            for row in rows { Console.line(name(row)) }
        case .table, .wide:
            let shown = columns.filter { format == .wide || !$0.wide }
            let cells = rows.map { row in shown.map { $0.value(row) } }
            Console.write(Self.table(headers: shown.map(\.header), rows: cells), to: .standardOutput)
        }
    }

    /// Aligned columns separated by three spaces, like kubectl.
    static func table(headers: [String], rows: [[String]]) -> String {
        var widths = headers.map(\.count)
        for row in rows {
            for (index, cell) in row.enumerated() where index < widths.count { widths[index] = max(widths[index], cell.count) }
        }
        func line(_ cells: [String]) -> String {
            cells.enumerated().map { index, cell in
                index == cells.count - 1 ? cell : cell.padding(toLength: widths[index], withPad: " ", startingAt: 0)
            }.joined(separator: "   ")
        }
        return ([line(headers)] + rows.map(line)).joined(separator: "\n") + "\n"
    }

    /// Indented JSON with sorted keys.
    static func prettyJSON(_ value: JSONValue) -> String {
        let bytes = Data(value.serialized())
        guard let object = try? JSONSerialization.jsonObject(with: bytes, options: [.fragmentsAllowed]),
              let pretty = try? JSONSerialization.data(withJSONObject: object, options: [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes, .fragmentsAllowed])
        else { return String(decoding: bytes, as: UTF8.self) }
        return String(decoding: pretty, as: UTF8.self)
    }

    /// Foundation values for YAML.
    static func plain(_ value: JSONValue) -> Any {
        switch value {
        case .null: return NSNull()
        case .bool(let flag): return flag
        case .int(let number): return Int(number)
        case .double(let number): return number
        case .string(let text): return text
        case .array(let items): return items.map(plain)
        case .object(let members): return members.mapValues(plain)
        }
    }
}

extension JSONValue {
    /// The member as text for a table cell (`-` when absent or null).
    func text(_ key: String) -> String {
        switch self[key] {
        case .string(let value)?: value.isEmpty ? "-" : value
        case .int(let value)?: String(value)
        case .double(let value)?: String(value)
        case .bool(let value)?: String(value)
        case .array(let items)?: items.compactMap(\.stringValue).joined(separator: ",")
        default: "-"
        }
    }
}

/// Human-friendly ages and sizes.
enum Human {
    /// `3m`, `2h`, `5d` since an RFC 3339 time.
    static func age(since text: String?, now: Date = Date()) -> String {
        guard let text, let date = RFC3339.date(from: text) else { return "-" }
        let seconds = max(0, Int(now.timeIntervalSince(date)))
        switch seconds {
        case ..<60: return "\(seconds)s"
        case ..<3600: return "\(seconds / 60)m"
        case ..<86_400: return "\(seconds / 3600)h"
        default: return "\(seconds / 86_400)d"
        }
    }

    /// `12.3 MiB`.
    static func bytes(_ count: Int64) -> String {
        let units = ["B", "KiB", "MiB", "GiB", "TiB"]
        var value = Double(count)
        var unit = 0
        while value >= 1024, unit < units.count - 1 {
            value /= 1024
            unit += 1
        }
        return unit == 0 ? "\(count) B" : String(format: "%.1f %@", value, units[unit])
    }

    /// `1:05` or `12s`.
    static func duration(_ seconds: Double) -> String {
        let total = Int(seconds.rounded())
        return total < 60 ? "\(total)s" : String(format: "%d:%02d", total / 60, total % 60)
    }
}
