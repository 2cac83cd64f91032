import CubicleModel
import Foundation

/// Durations as `kubectl` prints them in AGE columns: `45s`, `3m12s`, `5h`, `2d4h`, `3y`.
enum HumanDuration {
    /// The age of `object` at `now`, or `<unknown>` without a creation time.
    static func age(of object: JSONValue, now: Date) -> String {
        guard let created = object.creationDate else { return "<unknown>" }
        return format(now.timeIntervalSince(created))
    }

    /// The time since an RFC 3339 timestamp, or `<unknown>`.
    static func since(_ timestamp: String?, now: Date) -> String {
        guard let timestamp, let date = RFC3339.date(from: timestamp) else { return "<unknown>" }
        return format(now.timeIntervalSince(date))
    }

    /// Renders `interval` with two significant units while short, one when long.
    static func format(_ interval: Double) -> String {
        let seconds = Int(interval.rounded(.towardZero))
        if seconds < -1 { return "<invalid>" }
        if seconds < 0 { return "0s" }
        if seconds < 120 { return "\(seconds)s" }
        let minutes = seconds / 60
        if minutes < 10 { return pair(minutes, "m", seconds % 60, "s") }
        if minutes < 180 { return "\(minutes)m" }
        let hours = minutes / 60
        if hours < 8 { return pair(hours, "h", minutes % 60, "m") }
        if hours < 48 { return "\(hours)h" }
        let days = hours / 24
        if hours < 24 * 8 { return pair(days, "d", hours % 24, "h") }
        if days < 365 * 2 { return "\(days)d" }
        let years = days / 365
        if days < 365 * 8 { return pair(years, "y", days % 365, "d") }
        return "\(years)y"
    }

    private static func pair(_ major: Int, _ majorUnit: String, _ minor: Int, _ minorUnit: String) -> String {
        minor == 0 ? "\(major)\(majorUnit)" : "\(major)\(majorUnit)\(minor)\(minorUnit)"
    }
}
