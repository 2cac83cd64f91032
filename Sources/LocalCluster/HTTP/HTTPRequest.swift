import CubicleModel
import NIOHTTP1

/// One complete HTTP request as the API layer sees it.
struct HTTPRequest: Sendable {
    let method: HTTPMethod
    /// The request target as sent (path and query).
    let uri: String
    let headers: HTTPHeaders
    let body: [UInt8]
    /// The user of the connection's verified client certificate, if any.
    let certificateUser: UserInfo?

    /// The first value of header `name`.
    func header(_ name: String) -> String? { headers.first(name: name) }
}

/// What the API layer answers: a complete body, or a watch stream.
enum APIResponse: Sendable {
    case body(status: HTTPResponseStatus, contentType: String, bytes: [UInt8], headers: [(String, String)])
    case watch(WatchStream)

    /// A JSON response.
    static func json(_ status: HTTPResponseStatus, _ value: JSONValue, contentType: String = "application/json") -> APIResponse {
        var bytes = value.serialized()
        bytes.append(0x0A)
        return .body(status: status, contentType: contentType, bytes: bytes, headers: [])
    }

    /// The `Status` response of an error (with `Retry-After` for 429s and injected faults).
    static func failure(_ error: LocalClusterError) -> APIResponse {
        var bytes = error.status.serialized()
        bytes.append(0x0A)
        var headers: [(String, String)] = []
        if let retry = error.details?.retryAfterSeconds { headers.append(("Retry-After", String(retry))) }
        return .body(
            status: HTTPResponseStatus(statusCode: error.httpStatus), contentType: "application/json", bytes: bytes,
            headers: headers
        )
    }

    /// A plain-text response.
    static func text(_ status: HTTPResponseStatus, _ text: String) -> APIResponse {
        .body(status: status, contentType: "text/plain; charset=utf-8", bytes: Array(text.utf8), headers: [])
    }
}
