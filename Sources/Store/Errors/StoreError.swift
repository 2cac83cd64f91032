import CubicleModel

/// The one error type of the Store: a stable code, a message for people, and the SQLite detail
/// behind it when there is one.
public struct StoreError: CodedError {
    /// The stable code (`not_found`, `already_exists`, `conflict`, `invalid_request`, `internal`).
    public let code: ErrorCode
    /// What went wrong, for people; never contains a secret.
    public let message: String
    /// The error that caused this one, if any.
    public let underlying: (any Error)?
    /// The extended SQLite result code when SQLite reported the failure.
    public let sqliteResultCode: Int32?

    init(code: ErrorCode, message: String, underlying: (any Error)? = nil, sqliteResultCode: Int32? = nil) {
        self.code = code
        self.message = message
        self.underlying = underlying
        self.sqliteResultCode = sqliteResultCode
    }

    /// The thing asked for does not exist (or has expired).
    public static func notFound(_ message: String) -> StoreError {
        StoreError(code: .notFound, message: message)
    }

    /// A record with the same identity exists already.
    public static func alreadyExists(_ message: String) -> StoreError {
        StoreError(code: .alreadyExists, message: message)
    }

    /// The record is not in a state that allows the change.
    public static func conflict(_ message: String) -> StoreError {
        StoreError(code: .conflict, message: message)
    }

    /// The caller passed a value the store cannot keep.
    public static func invalidRequest(_ message: String) -> StoreError {
        StoreError(code: .invalidRequest, message: message)
    }

    /// Something unexpected: a database failure, an unreadable row, a closed store.
    public static func internalError(_ message: String, underlying: (any Error)? = nil) -> StoreError {
        StoreError(code: .internalError, message: message, underlying: underlying)
    }

    /// The store has been closed.
    static let closed = StoreError.internalError("the store is closed")
}
