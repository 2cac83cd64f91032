import Foundation
import Testing
import Yams

/// `docs/openapi.yaml`, parsed, with the lookups the spec tests need.
struct OpenAPIDocument {
    /// The HTTP methods an OpenAPI path item may hold.
    static let methods = ["get", "put", "post", "delete", "options", "head", "patch", "trace"]

    /// One operation: method (upper case), path as written in the spec, and its object.
    struct Operation {
        var method: String
        var path: String
        var object: [String: Any]
    }

    /// The whole document.
    let root: [String: Any]

    /// Loads the project's spec, found relative to this source file.
    static func load() throws -> OpenAPIDocument {
        let url = URL(fileURLWithPath: #filePath)
            .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("docs/openapi.yaml")
        let text = try String(contentsOf: url, encoding: .utf8)
        let root = try #require(try Yams.load(yaml: text) as? [String: Any], "openapi.yaml is not a mapping")
        return OpenAPIDocument(root: root)
    }

    /// The `servers[0].url`, the prefix of every path.
    var serverPrefix: String {
        ((root["servers"] as? [[String: Any]])?.first?["url"] as? String) ?? ""
    }

    /// The prefix of `path`: its path item's own `servers[0].url` (a root-level route such as
    /// `/metrics` overrides it with `/`), else the document's. No trailing slash.
    func prefix(of path: String) -> String {
        let own = (pathItem(path)["servers"] as? [[String: Any]])?.first?["url"] as? String
        var prefix = own ?? serverPrefix
        while prefix.hasSuffix("/") { prefix.removeLast() }
        return prefix
    }

    /// Every operation under `paths`.
    var operations: [Operation] {
        guard let paths = root["paths"] as? [String: Any] else { return [] }
        return paths.flatMap { path, item -> [Operation] in
            guard let item = item as? [String: Any] else { return [] }
            return Self.methods.compactMap { method in
                (item[method] as? [String: Any]).map { Operation(method: method.uppercased(), path: path, object: $0) }
            }
        }
    }

    /// The path item of `path`.
    func pathItem(_ path: String) -> [String: Any] {
        ((root["paths"] as? [String: Any])?[path] as? [String: Any]) ?? [:]
    }

    /// What a local `$ref` (`#/components/...`) points at, or nil when it does not resolve.
    func resolve(_ reference: String) -> Any? {
        guard reference.hasPrefix("#/") else { return nil }
        var node: Any = root
        for part in reference.dropFirst(2).split(separator: "/", omittingEmptySubsequences: false) {
            let key = part.replacingOccurrences(of: "~1", with: "/").replacingOccurrences(of: "~0", with: "~")
            guard let mapping = node as? [String: Any], let next = mapping[key] else { return nil }
            node = next
        }
        return node
    }

    /// `value` with a `$ref` followed (repeatedly); the value itself when it is no reference.
    func dereference(_ value: Any) -> Any? {
        var current: Any = value
        for _ in 0..<16 {
            guard let mapping = current as? [String: Any], let reference = mapping["$ref"] as? String else { return current }
            guard let next = resolve(reference) else { return nil }
            current = next
        }
        return nil
    }

    /// Every `$ref` string anywhere in the document, with where it was found.
    var allReferences: [(reference: String, location: String)] {
        var found: [(String, String)] = []
        func walk(_ node: Any, _ location: String) {
            if let mapping = node as? [String: Any] {
                for (key, value) in mapping {
                    if key == "$ref", let reference = value as? String { found.append((reference, location)) }
                    walk(value, "\(location)/\(key)")
                }
            } else if let list = node as? [Any] {
                for (index, value) in list.enumerated() { walk(value, "\(location)/\(index)") }
            }
        }
        walk(root, "#")
        return found
    }
}
