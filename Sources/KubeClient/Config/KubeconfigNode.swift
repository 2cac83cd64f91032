import Foundation
import Yams

/// A YAML node of a kubeconfig together with the file it came from and its field path, so every
/// error can say `kubeconfig /x/config: users[0].user.client-key-data: not valid base64`.
struct KubeconfigNode {
    let node: Node
    let file: String
    let path: String

    /// Parses a kubeconfig file's text; an empty file is an empty mapping.
    static func parse(_ text: String, file: String) throws -> KubeconfigNode {
        let root: Node?
        do {
            root = try Yams.compose(yaml: text)
        } catch {
            throw KubeError.config(file: file, "not valid YAML: \(yamlProblem(error))")
        }
        let node = KubeconfigNode(node: root ?? Node([(Node, Node)]()), file: file, path: "")
        guard node.node.mapping != nil else { throw KubeError.config(file: file, "the document is not a mapping") }
        return node
    }

    /// An error about this node.
    func error(_ problem: String) -> KubeError {
        KubeError.config(file: file, field: path.isEmpty ? nil : path, problem)
    }

    private func childPath(_ key: String) -> String { path.isEmpty ? key : "\(path).\(key)" }

    /// The member `key`, or nil when absent or null; throws if this node is not a mapping.
    func member(_ key: String) throws -> KubeconfigNode? {
        guard let mapping = node.mapping else { throw error("expected a mapping") }
        guard let child = mapping[key] else { return nil }
        if case .scalar(let scalar) = child, scalar.style == .plain, ["", "~", "null", "Null", "NULL"].contains(scalar.string) {
            return nil
        }
        return KubeconfigNode(node: child, file: file, path: childPath(key))
    }

    /// The string member `key`, or nil when absent; throws if it is not a scalar.
    func string(_ key: String) throws -> String? {
        guard let child = try member(key) else { return nil }
        guard case .scalar(let scalar) = child.node else { throw child.error("expected a string") }
        return scalar.string
    }

    /// The boolean member `key`, or nil when absent; throws if it is not `true`/`false`.
    func bool(_ key: String) throws -> Bool? {
        guard let child = try member(key) else { return nil }
        guard let value = child.node.bool else { throw child.error("expected true or false") }
        return value
    }

    /// The base64 member `key`, decoded; throws if it is not valid base64.
    func base64(_ key: String) throws -> [UInt8]? {
        guard let text = try string(key) else { return nil }
        let compact = text.filter { !$0.isWhitespace }
        guard let data = Data(base64Encoded: compact) else {
            throw KubeconfigNode(node: node, file: file, path: childPath(key)).error("not valid base64")
        }
        return [UInt8](data)
    }

    /// The sequence member `key` (empty when absent); throws if it is not a sequence.
    func sequence(_ key: String) throws -> [KubeconfigNode] {
        guard let child = try member(key) else { return [] }
        guard let items = child.node.sequence else { throw child.error("expected a list") }
        return items.enumerated().map { index, item in
            KubeconfigNode(node: item, file: file, path: "\(child.path)[\(index)]")
        }
    }

    /// The string-list member `key` (empty when absent).
    func strings(_ key: String) throws -> [String] {
        try sequence(key).map { item in
            guard case .scalar(let scalar) = item.node else { throw item.error("expected a string") }
            return scalar.string
        }
    }

    /// Requires this node to be a mapping.
    func requireMapping() throws -> KubeconfigNode {
        guard node.mapping != nil else { throw error("expected a mapping") }
        return self
    }

    private static func yamlProblem(_ error: any Error) -> String {
        let text = "\(error)"
        return text.split(separator: "\n").first.map(String.init) ?? text
    }
}
