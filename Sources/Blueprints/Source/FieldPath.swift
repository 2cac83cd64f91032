/// Where a value sits inside a file or a blueprint, rendered the way people write it:
/// `blueprints[1].storages.home.type`, `extFiles["/etc/motd"]`.
struct FieldPath: Sendable, Hashable, CustomStringConvertible {
    enum Component: Sendable, Hashable {
        case key(String)
        case index(Int)
    }

    private(set) var components: [Component]

    init(_ components: [Component] = []) { self.components = components }

    static let root = FieldPath()

    func appending(_ key: String) -> FieldPath { FieldPath(components + [.key(key)]) }

    func appending(index: Int) -> FieldPath { FieldPath(components + [.index(index)]) }

    /// The keys only, ignoring list indices; what merge rules match on.
    var keys: [String] {
        components.compactMap { component in
            if case .key(let key) = component { return key }
            return nil
        }
    }

    var isEmpty: Bool { components.isEmpty }

    /// The path without its first `count` components.
    func dropping(prefix count: Int) -> FieldPath { FieldPath(Array(components.dropFirst(count))) }

    var description: String {
        var out = ""
        for component in components {
            switch component {
            case .index(let index):
                out += "[\(index)]"
            case .key(let key) where FieldPath.isPlain(key):
                out += out.isEmpty ? key : "." + key
            case .key(let key):
                out += "[\"" + key.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"") + "\"]"
            }
        }
        return out
    }

    private static func isPlain(_ key: String) -> Bool {
        guard let first = key.unicodeScalars.first, !("0"..."9").contains(first) else { return false }
        return key.unicodeScalars.allSatisfy { scalar in
            scalar.isASCII && (scalar.properties.isAlphabetic || ("0"..."9").contains(scalar) || scalar == "_" || scalar == "-")
        }
    }
}
