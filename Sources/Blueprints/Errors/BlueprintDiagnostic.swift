/// One problem found while loading blueprints, pinned to a file position and a field path:
/// `blueprints/dev.yaml:12:5: blueprints[1].storages.home.type: expected one of …`.
public struct BlueprintDiagnostic: Sendable, Hashable, CustomStringConvertible {
    /// Where the offending node (or key) starts.
    public let location: BlueprintLocation
    /// The field path inside the file (`blueprints[1].storages.home.type`); empty for the whole file.
    public let path: String
    /// What is wrong.
    public let message: String

    /// Creates a diagnostic.
    public init(location: BlueprintLocation, path: String, message: String) {
        self.location = location
        self.path = path
        self.message = message
    }

    init(_ location: BlueprintLocation, _ path: FieldPath, _ message: String) {
        self.init(location: location, path: path.description, message: message)
    }

    /// `file:line:column: path: message`.
    public var description: String {
        path.isEmpty ? "\(location): \(message)" : "\(location): \(path): \(message)"
    }
}
