import CubicleModel

/// The JSON document a typed object was decoded from. `create` and `update` replay the caller's
/// edits onto it so fields the typed model does not know survive a read-modify-write. It carries
/// no meaning of its own, so it never takes part in `==` or hashing, and is never encoded.
public struct DecodedDocument: Hashable, Sendable {
    /// The document, or nil for a value built in code.
    public var json: JSONValue?

    /// Wraps a document.
    public init(_ json: JSONValue? = nil) { self.json = json }

    /// Always true: two objects with equal modelled fields are equal whatever they were decoded from.
    public static func == (lhs: DecodedDocument, rhs: DecodedDocument) -> Bool { true }

    /// Contributes nothing, matching `==`.
    public func hash(into hasher: inout Hasher) {}
}
