import CubicleTestSupport
import Foundation

/// Sends bytes no well-behaved client would (invalid UTF-8 in the request line, oversized
/// headers, conflicting framing) and reads what comes back until the server answers, closes, or
/// `timeout` passes.
enum HostileHTTP {
    /// The status code of the first response line, or nil when the server closed without one.
    struct Answer: Sendable {
        let status: Int?
        let text: String
        /// True when the server answered or closed; false when our read timed out (a hang).
        let ended: Bool
    }

    static func exchange(_ bytes: [UInt8], port: Int, timeout: Double = 30) async throws -> Answer {
        let connection = try await RawHTTP.open(port: port)
        // The server may refuse and close before reading everything; what it answers still counts.
        try? await connection.send(bytes)
        let received = try await connection.receive(timeout: timeout, until: RawHTTP.holdsCompleteResponse)
        await connection.close()
        let text = received.text
        let status = text.hasPrefix("HTTP/1.1 ") ? Int(text.dropFirst(9).prefix(3)) : nil
        return Answer(status: status, text: text, ended: received.closed || RawHTTP.holdsCompleteResponse(received.bytes))
    }

    /// The port of a `http://host:port` URL.
    static func port(of url: String) -> Int { Int(url.split(separator: ":").last ?? "") ?? 0 }
}
