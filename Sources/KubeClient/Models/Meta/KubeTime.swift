import CubicleModel
import Foundation

/// A Kubernetes `Time`: an instant written as RFC 3339 with whole seconds.
public struct KubeTime: Codable, Hashable, Sendable, Comparable, CustomStringConvertible {
    /// The instant.
    public var date: Date

    /// Wraps an instant (sub-second precision is dropped when encoded).
    public init(_ date: Date) { self.date = date }

    /// The wire form, e.g. `2026-11-23T10:00:00Z`.
    public var description: String { RFC3339.string(from: date) }

    /// Decodes an RFC 3339 string.
    public init(from decoder: any Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        guard let date = RFC3339.date(from: text) else {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "not an RFC 3339 time: \(text)"))
        }
        self.date = date
    }

    /// Encodes as RFC 3339 with whole seconds.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(RFC3339.string(from: date))
    }

    /// Orders by instant.
    public static func < (lhs: KubeTime, rhs: KubeTime) -> Bool { lhs.date < rhs.date }
}

/// A Kubernetes `MicroTime`: an instant written as RFC 3339 with six fractional digits.
public struct MicroTime: Codable, Hashable, Sendable, Comparable, CustomStringConvertible {
    /// The instant.
    public var date: Date

    /// Wraps an instant (precision beyond microseconds is dropped when encoded).
    public init(_ date: Date) { self.date = date }

    /// The wire form, e.g. `2026-11-23T10:00:00.123456Z`.
    public var description: String { RFC3339.microString(from: date) }

    /// Decodes an RFC 3339 string with or without a fraction.
    public init(from decoder: any Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        guard let date = RFC3339.date(from: text) else {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "not an RFC 3339 time: \(text)"))
        }
        self.date = date
    }

    /// Encodes as RFC 3339 with microseconds.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(RFC3339.microString(from: date))
    }

    /// Orders by instant.
    public static func < (lhs: MicroTime, rhs: MicroTime) -> Bool { lhs.date < rhs.date }
}
