import CubicleTestSupport
import Foundation

/// A streamed HTTP/1.1 GET (Foundation on Linux cannot read a response while it is still
/// coming): reads until `until` holds for the text so far or `timeout` passes, then hangs up —
/// the way a client leaves a follow.
enum StreamingGet {
    /// The raw response so far (headers and chunked body) when `until` held or time ran out.
    static func read(
        port: Int, path: String, token: String, timeout: Double = 30, until: @escaping @Sendable (String) -> Bool
    ) async throws -> String {
        let connection = try await RawHTTP.open(port: port)
        do {
            try await connection.send(Array("GET \(path) HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer \(token)\r\n\r\n".utf8))
            let received = try await connection.receive(timeout: timeout) { until(String(decoding: $0, as: UTF8.self)) }
            await connection.close()
            return received.text
        } catch {
            await connection.close()
            throw error
        }
    }
}
