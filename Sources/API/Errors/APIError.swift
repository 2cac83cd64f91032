import CubicleModel
import Foundation
import Hummingbird

/// An error answered in the API's one shape, `{"status","msg","code"}`.
public struct APIError: HTTPResponseError, CodedError {
    /// The HTTP status.
    public let status: HTTPResponse.Status
    /// The stable code scripts match on.
    public let code: ErrorCode
    /// The message for people.
    public let message: String

    /// Creates an error.
    public init(_ status: HTTPResponse.Status, _ code: ErrorCode, _ message: String) {
        self.status = status
        self.code = code
        self.message = message
    }

    /// The JSON body.
    public var body: [UInt8] {
        let document: JSONValue = ["status": .int(Int64(status.code)), "msg": .string(message), "code": .string(code.rawValue)]
        return document.serialized()
    }

    /// The response: the JSON body with the status.
    public func response(from request: Request, context: some RequestContext) throws -> Response {
        var headers = HTTPFields()
        headers[.contentType] = "application/json; charset=utf-8"
        if status == .unauthorized { headers[.wwwAuthenticate] = "Bearer realm=\"cubicle\"" }
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: body)))
    }

    static func unauthorized(_ message: String = "a valid bearer token or session is required") -> APIError {
        APIError(.unauthorized, .unauthorized, message)
    }

    static func notFound(_ message: String) -> APIError { APIError(.notFound, .notFound, message) }

    static func forbidden(_ message: String) -> APIError { APIError(.forbidden, .forbidden, message) }

    static func invalid(_ message: String) -> APIError { APIError(.badRequest, .invalidRequest, message) }
}
