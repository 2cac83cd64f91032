/// What a catalog knows about one name.
public enum BlueprintLookup: Sendable {
    /// A valid blueprint that can be provisioned.
    case concrete(ResolvedBlueprint)
    /// A valid template, which cannot be provisioned.
    case template(ResolvedBlueprint)
    /// A blueprint that failed validation (itself or through its parents).
    case invalid([BlueprintDiagnostic])
    /// No blueprint has that name.
    case notFound
}

/// An immutable snapshot of a blueprint directory: every blueprint by name, with the ones that
/// failed validation kept as such so a lookup can tell "invalid" from "not found".
public struct BlueprintCatalog: Sendable {
    /// Valid blueprints by name.
    public let blueprints: [String: ResolvedBlueprint]
    /// Invalid blueprints by name, with their problems.
    public let invalid: [String: [BlueprintDiagnostic]]
    /// Every name, in load order (files in byte order, blueprints in file order).
    public let names: [String]

    /// A catalog with nothing in it.
    public static let empty = BlueprintCatalog(blueprints: [:], invalid: [:], names: [])

    /// Creates a catalog; `names` fixes the order of the listings.
    public init(blueprints: [String: ResolvedBlueprint], invalid: [String: [BlueprintDiagnostic]], names: [String]) {
        self.blueprints = blueprints
        self.invalid = invalid
        self.names = names
    }

    /// The valid blueprints that can be provisioned, in load order.
    public var concrete: [ResolvedBlueprint] {
        names.compactMap { blueprints[$0] }.filter { !$0.isTemplate }
    }

    /// Name, description and parent of each valid concrete blueprint, for `GET /me/blueprints`.
    public var summaries: [BlueprintSummary] {
        concrete.map { BlueprintSummary(name: $0.name, description: $0.description, template: $0.template) }
    }

    /// What the catalog knows about `name`.
    public func lookup(_ name: String) -> BlueprintLookup {
        if let diagnostics = invalid[name] { return .invalid(diagnostics) }
        guard let blueprint = blueprints[name] else { return .notFound }
        return blueprint.isTemplate ? .template(blueprint) : .concrete(blueprint)
    }

    /// The blueprint to provision as `name`, or the error the API answers with: `not_found`
    /// (404), or `invalid_blueprint` (422) for a template or an invalid blueprint.
    public func provisionable(_ name: String) throws(BlueprintError) -> ResolvedBlueprint {
        switch lookup(name) {
        case .concrete(let blueprint): return blueprint
        case .template: throw BlueprintError.isTemplate(name)
        case .invalid(let diagnostics): throw BlueprintError.invalid(name, diagnostics)
        case .notFound: throw BlueprintError.notFound(name)
        }
    }
}
