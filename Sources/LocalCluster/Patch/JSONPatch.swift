import CubicleModel
import Foundation

/// A failure to apply a patch: `malformed` patches are 400s, patches that do not fit the object 422s.
struct PatchFailure: Error, Sendable {
    let message: String
    let malformed: Bool
}

/// RFC 6902 JSON Patch over `JSONValue`, with RFC 6901 pointers.
enum JSONPatch {
    /// Applies the operations in `patch` (a JSON array) to `document` in order.
    static func apply(_ patch: JSONValue, to document: JSONValue) throws(PatchFailure) -> JSONValue {
        guard let operations = patch.arrayValue else {
            throw PatchFailure(message: "the JSON patch must be an array of operations", malformed: true)
        }
        var result = document
        for (index, operation) in operations.enumerated() {
            guard let op = operation["op"]?.stringValue, let pathText = operation["path"]?.stringValue else {
                throw PatchFailure(message: "operation \(index) needs string members 'op' and 'path'", malformed: true)
            }
            let path = try pointer(pathText)
            switch op {
            case "add":
                result = try add(try value(of: operation, index), at: path, in: result)
            case "remove":
                result = try remove(at: path, in: result).document
            case "replace":
                _ = try get(path, in: result)
                result = try set(try value(of: operation, index), at: path, in: result, inserting: false)
            case "move", "copy":
                guard let fromText = operation["from"]?.stringValue else {
                    throw PatchFailure(message: "operation \(index) (\(op)) needs 'from'", malformed: true)
                }
                let from = try pointer(fromText)
                if op == "move" {
                    if path.count > from.count, Array(path.prefix(from.count)) == from {
                        throw PatchFailure(message: "cannot move \(fromText) into its own child \(pathText)", malformed: false)
                    }
                    let (remaining, moved) = try remove(at: from, in: result)
                    result = try add(moved, at: path, in: remaining)
                } else {
                    result = try add(try get(from, in: result), at: path, in: result)
                }
            case "test":
                let expected = try value(of: operation, index)
                guard try get(path, in: result) == expected else {
                    throw PatchFailure(message: "testing value \(pathText) failed", malformed: false)
                }
            default:
                throw PatchFailure(message: "unexpected operation \"\(op)\"", malformed: true)
            }
        }
        return result
    }

    /// Splits an RFC 6901 pointer into unescaped tokens.
    static func pointer(_ text: String) throws(PatchFailure) -> [String] {
        if text.isEmpty { return [] }
        guard text.hasPrefix("/") else {
            throw PatchFailure(message: "JSON pointer \"\(text)\" must start with '/'", malformed: true)
        }
        return text.dropFirst().split(separator: "/", omittingEmptySubsequences: false).map {
            $0.replacingOccurrences(of: "~1", with: "/").replacingOccurrences(of: "~0", with: "~")
        }
    }

    private static func value(of operation: JSONValue, _ index: Int) throws(PatchFailure) -> JSONValue {
        guard let value = operation["value"] else {
            throw PatchFailure(message: "operation \(index) needs 'value'", malformed: true)
        }
        return value
    }

    static func get(_ path: [String], in document: JSONValue) throws(PatchFailure) -> JSONValue {
        var current = document
        for token in path {
            switch current {
            case .object(let members):
                guard let next = members[token] else { throw missing(path) }
                current = next
            case .array(let elements):
                guard let index = Int(token), elements.indices.contains(index) else { throw missing(path) }
                current = elements[index]
            default:
                throw missing(path)
            }
        }
        return current
    }

    private static func add(_ value: JSONValue, at path: [String], in document: JSONValue) throws(PatchFailure) -> JSONValue {
        try set(value, at: path, in: document, inserting: true)
    }

    /// Sets the value at `path`; in arrays, `inserting` inserts (and allows `-`) instead of replacing.
    private static func set(
        _ value: JSONValue, at path: [String], in document: JSONValue, inserting: Bool
    ) throws(PatchFailure) -> JSONValue {
        guard let token = path.first else { return value }
        let rest = Array(path.dropFirst())
        switch document {
        case .object(var members):
            if rest.isEmpty {
                members[token] = value
            } else {
                guard let child = members[token] else { throw missing(path) }
                members[token] = try set(value, at: rest, in: child, inserting: inserting)
            }
            return .object(members)
        case .array(var elements):
            if rest.isEmpty && inserting {
                if token == "-" {
                    elements.append(value)
                } else {
                    guard let index = Int(token), index >= 0, index <= elements.count else { throw missing(path) }
                    elements.insert(value, at: index)
                }
                return .array(elements)
            }
            guard let index = Int(token), elements.indices.contains(index) else { throw missing(path) }
            elements[index] = try rest.isEmpty ? value : set(value, at: rest, in: elements[index], inserting: inserting)
            return .array(elements)
        default:
            throw missing(path)
        }
    }

    private static func remove(at path: [String], in document: JSONValue) throws(PatchFailure) -> (document: JSONValue, removed: JSONValue) {
        guard let token = path.first else {
            throw PatchFailure(message: "cannot remove the whole document", malformed: false)
        }
        let rest = Array(path.dropFirst())
        switch document {
        case .object(var members):
            guard let child = members[token] else { throw missing(path) }
            if rest.isEmpty {
                members[token] = nil
                return (.object(members), child)
            }
            let (updated, removed) = try remove(at: rest, in: child)
            members[token] = updated
            return (.object(members), removed)
        case .array(var elements):
            guard let index = Int(token), elements.indices.contains(index) else { throw missing(path) }
            if rest.isEmpty {
                let removed = elements.remove(at: index)
                return (.array(elements), removed)
            }
            let (updated, removed) = try remove(at: rest, in: elements[index])
            elements[index] = updated
            return (.array(elements), removed)
        default:
            throw missing(path)
        }
    }

    private static func missing(_ path: [String]) -> PatchFailure {
        let text = path.map { "/" + $0.replacingOccurrences(of: "~", with: "~0").replacingOccurrences(of: "/", with: "~1") }.joined()
        return PatchFailure(message: "the path \"\(text)\" does not exist in the object", malformed: false)
    }
}
