import Foundation

/// What a `Range` header asks of a representation of `size` bytes (RFC 9110 §14): the whole
/// file, one satisfiable range, or nothing satisfiable (`416`). Only single `bytes` ranges are
/// honoured; anything else (other units, several ranges, garbage) is ignored and the whole file
/// is served, as the RFC allows.
enum ByteRange: Equatable, Sendable {
    /// Serve everything (`200`).
    case whole
    /// Serve `length` bytes from `offset` (`206`).
    case partial(offset: UInt64, length: UInt64)
    /// Nothing in the file matches (`416` with `Content-Range: bytes */size`).
    case unsatisfiable

    /// The longest header value looked at; longer ones are ignored.
    static let maximumHeaderLength = 200

    /// Interprets `header` (the `Range` value, nil when absent) for a file of `size` bytes.
    static func parse(_ header: String?, size: UInt64) -> ByteRange {
        guard let header, header.utf8.count <= maximumHeaderLength else { return .whole }
        let trimmed = header.trimmingCharacters(in: .whitespaces)
        guard trimmed.lowercased().hasPrefix("bytes=") else { return .whole }
        let spec = trimmed.dropFirst("bytes=".count).trimmingCharacters(in: .whitespaces)
        guard !spec.contains(","), let dash = spec.firstIndex(of: "-") else { return .whole }
        let first = spec[..<dash].trimmingCharacters(in: .whitespaces)
        let last = spec[spec.index(after: dash)...].trimmingCharacters(in: .whitespaces)
        if first.isEmpty {
            // Suffix range: the final `n` bytes.
            guard let count = digits(last) else { return .whole }
            guard count > 0, size > 0 else { return .unsatisfiable }
            let length = min(count, size)
            return .partial(offset: size - length, length: length)
        }
        guard let start = digits(first) else { return .whole }
        var end: UInt64?
        if !last.isEmpty {
            guard let value = digits(last), value >= start else { return .whole }
            end = value
        }
        guard start < size else { return .unsatisfiable }
        let lastByte = min(end ?? (size - 1), size - 1)
        return .partial(offset: start, length: lastByte - start + 1)
    }

    /// A non-negative decimal without sign or spaces; nil for anything else (or overflow).
    private static func digits(_ text: String) -> UInt64? {
        guard !text.isEmpty, text.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) else { return nil }
        return UInt64(text)
    }
}
