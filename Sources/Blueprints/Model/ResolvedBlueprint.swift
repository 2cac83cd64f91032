/// A blueprint after inheritance and validation, expressions compiled: instantiate it for a
/// workspace to get a `BlueprintSpec`.
public struct ResolvedBlueprint: Sendable {
    /// The blueprint's name.
    public let name: String
    /// The blueprint's description (inherited when it has none of its own).
    public let description: String?
    /// True for templates, which only serve as parents.
    public let isTemplate: Bool
    /// The direct parent, if any.
    public let template: String?
    /// The inheritance chain from the root template down to this blueprint.
    public let chain: [String]
    /// Where the blueprint is defined.
    public let location: BlueprintLocation
    let recipe: BlueprintRecipe

    /// Evaluates every field for one workspace; a template, or an expression that fails or
    /// produces a value its field does not accept, throws an `invalid_blueprint` error naming
    /// the blueprint and the field.
    public func instantiate(context: BlueprintContext) throws(BlueprintError) -> BlueprintSpec {
        if isTemplate { throw BlueprintError.isTemplate(name) }
        var instance = Instantiation(blueprint: name, activation: context.activation(blueprint: name))
        return try instance.spec(from: recipe)
    }
}

/// A summary for `GET /me/blueprints`.
public struct BlueprintSummary: Sendable, Hashable, Codable {
    /// The blueprint's name.
    public let name: String
    /// Its description.
    public let description: String?
    /// Its direct parent, if any.
    public let template: String?
}
