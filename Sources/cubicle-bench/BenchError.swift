import CubicleModel

/// Why a benchmark could not run (a failed provision is a measured failure, not this).
struct BenchError: CodedError {
    /// The stable code.
    let code: ErrorCode
    /// What went wrong.
    let message: String
    /// The error underneath, when there is one.
    let underlying: (any Error)?

    /// Creates an error.
    init(_ message: String, code: ErrorCode = .internalError, underlying: (any Error)? = nil) {
        self.code = code
        self.message = message
        self.underlying = underlying
    }
}
