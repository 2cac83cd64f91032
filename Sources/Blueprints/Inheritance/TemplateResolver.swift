/// A blueprint as found in a file, before inheritance.
struct BlueprintSource: Sendable {
    /// The blueprint's name.
    let name: String
    /// The blueprint's own mapping node.
    let node: YAMLNode
    /// Where the name was written, for duplicate-name errors.
    let nameLocation: BlueprintLocation
    /// `isTemplate` as this blueprint itself says (it is never inherited).
    let isTemplate: Bool
    /// The parent's name and the `template` node naming it.
    let parent: (name: String, node: YAMLNode)?
    /// Load order, which makes reports deterministic.
    let order: Int
}

/// Walks `template` chains to their roots and merges each chain parent → child, memoising per
/// name; a missing parent, a cycle or an over-long chain fails the blueprint and every
/// blueprint below it with one shared diagnostic.
struct TemplateResolver {
    /// Chains longer than this are refused; no sane hierarchy is that deep.
    static let maximumChainLength = 32

    enum Resolution: Sendable {
        case merged(YAMLNode, chain: [String])
        case failed([BlueprintDiagnostic])
    }

    private let sources: [String: BlueprintSource]
    private var memo: [String: Resolution] = [:]

    init(sources: [String: BlueprintSource]) { self.sources = sources }

    mutating func resolve(_ name: String) -> Resolution { resolve(name, visiting: []) }

    private mutating func resolve(_ name: String, visiting: [String]) -> Resolution {
        if let done = memo[name] { return done }
        if let start = visiting.firstIndex(of: name) {
            return .failed([cycleDiagnostic(Array(visiting[start...]))])
        }
        guard let source = sources[name] else { return .failed([]) }
        let resolution: Resolution
        if let parent = source.parent {
            if sources[parent.name] == nil {
                resolution = .failed([BlueprintDiagnostic(parent.node.location, parent.node.path, missingParentMessage(parent.name))])
            } else if visiting.count >= TemplateResolver.maximumChainLength {
                resolution = .failed([BlueprintDiagnostic(
                    parent.node.location, parent.node.path,
                    "template chain is longer than \(TemplateResolver.maximumChainLength) blueprints"
                )])
            } else {
                switch resolve(parent.name, visiting: visiting + [name]) {
                case .failed(let diagnostics):
                    resolution = .failed(diagnostics)
                case .merged(let parentNode, let chain):
                    resolution = .merged(NodeMerge.inherit(parent: parentNode, child: source.node), chain: chain + [name])
                }
            }
        } else {
            resolution = .merged(source.node, chain: [name])
        }
        memo[name] = resolution
        return resolution
    }

    /// One diagnostic per cycle whichever member is resolved first: the chain starts at the
    /// member loaded first and is reported at its `template` key.
    private func cycleDiagnostic(_ members: [String]) -> BlueprintDiagnostic {
        let first = members.min { (sources[$0]?.order ?? 0) < (sources[$1]?.order ?? 0) } ?? members[0]
        var chain = [first]
        var current = first
        while let next = sources[current]?.parent?.name, next != first, chain.count <= members.count {
            chain.append(next)
            current = next
        }
        chain.append(first)
        let node = sources[first]?.parent?.node ?? sources[first]?.node
        return BlueprintDiagnostic(
            node?.location ?? BlueprintLocation(file: "", line: 1, column: 1), node?.path ?? .root,
            "template cycle: \(chain.joined(separator: " -> "))"
        )
    }

    private func missingParentMessage(_ parent: String) -> String {
        let close = sources.keys.filter { KeySet.distance($0, parent) <= 2 }.sorted().first
        return "template \"\(parent)\" not found" + (close.map { " (did you mean \"\($0)\"?)" } ?? "")
    }
}
