import CubicleModel

/// The one error type of the Blueprints module: a lookup that found nothing or a template, a
/// blueprint that failed validation, or an expression that failed at provision time.
public struct BlueprintError: CodedError, Sendable {
    /// What went wrong, stable for callers to switch on; new kinds may be added.
    public struct Kind: Hashable, Sendable, CustomStringConvertible {
        private let name: String
        private init(_ name: String) { self.name = name }
        /// The name of the kind.
        public var description: String { name }

        /// No blueprint has that name.
        public static let notFound = Kind("notFound")
        /// The blueprint is a template (`isTemplate: true`) and cannot be provisioned.
        public static let isTemplate = Kind("isTemplate")
        /// The blueprint (or one of its parents) failed validation at load time.
        public static let invalid = Kind("invalid")
        /// An expression failed or produced an unacceptable value at provision time.
        public static let evaluation = Kind("evaluation")
        /// The blueprint directory could not be watched.
        public static let watch = Kind("watch")
    }

    /// What went wrong.
    public let kind: Kind
    /// The stable code: `not_found` for unknown names, else `invalid_blueprint` (HTTP 422).
    public let code: ErrorCode
    /// A message for people.
    public let message: String
    /// The blueprint concerned.
    public let blueprint: String
    /// The field concerned (`storages.home.path`), for evaluation errors.
    public let field: String?
    /// The load-time problems behind an `invalid` error.
    public let diagnostics: [BlueprintDiagnostic]
    /// The error underneath, when there is one.
    public let underlying: (any Error & Sendable)?

    init(
        kind: Kind, code: ErrorCode, blueprint: String, message: String, field: String? = nil,
        diagnostics: [BlueprintDiagnostic] = [], underlying: (any Error & Sendable)? = nil
    ) {
        self.kind = kind
        self.code = code
        self.blueprint = blueprint
        self.message = message
        self.field = field
        self.diagnostics = diagnostics
        self.underlying = underlying
    }

    static func notFound(_ name: String) -> BlueprintError {
        BlueprintError(kind: .notFound, code: .notFound, blueprint: name, message: "blueprint \"\(name)\" not found")
    }

    static func isTemplate(_ name: String) -> BlueprintError {
        BlueprintError(
            kind: .isTemplate, code: .invalidBlueprint, blueprint: name,
            message: "blueprint \"\(name)\" is a template and cannot be provisioned"
        )
    }

    static func invalid(_ name: String, _ diagnostics: [BlueprintDiagnostic]) -> BlueprintError {
        let first = diagnostics.first.map { ": \($0)" } ?? ""
        let more = diagnostics.count > 1 ? " (+\(diagnostics.count - 1) more)" : ""
        return BlueprintError(
            kind: .invalid, code: .invalidBlueprint, blueprint: name,
            message: "blueprint \"\(name)\" is invalid\(first)\(more)", diagnostics: diagnostics
        )
    }

    static func evaluation(_ name: String, field: String, _ problem: String) -> BlueprintError {
        BlueprintError(
            kind: .evaluation, code: .invalidBlueprint, blueprint: name,
            message: "blueprint \"\(name)\": \(field): \(problem)", field: field
        )
    }
}
