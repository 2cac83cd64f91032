import CubicleModel

/// Why the server could not start.
public struct ServerError: CodedError {
    /// The stable code.
    public let code: ErrorCode
    /// What went wrong.
    public let message: String

    /// Creates an error.
    public init(_ message: String, code: ErrorCode = .internalError) {
        self.code = code
        self.message = message
    }
}
