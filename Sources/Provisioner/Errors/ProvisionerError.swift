import CubicleModel

/// Everything that can go wrong in the provisioner, with a stable code the API maps to HTTP.
public struct ProvisionerError: CodedError {
    /// The stable code.
    public let code: ErrorCode
    /// A message for people.
    public let message: String
    /// The underlying error, when there is one.
    public let underlying: (any Error)?

    /// Creates an error.
    public init(_ code: ErrorCode, _ message: String, underlying: (any Error)? = nil) {
        self.code = code
        self.message = message
        self.underlying = underlying
    }

    static func workspaceNotFound(_ name: String) -> ProvisionerError {
        ProvisionerError(.notFound, "workspace \"\(name)\" not found")
    }

    static func jobNotFound(_ id: String) -> ProvisionerError {
        ProvisionerError(.notFound, "job \"\(id)\" not found")
    }
}
