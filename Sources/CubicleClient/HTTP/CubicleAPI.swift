import AsyncHTTPClient
import CubicleModel
import Foundation
import NIOCore
import NIOHTTP1
import NIOPosix
import NIOSSL

/// The HTTP side of the public API (`/api/v1`): bearer auth, JSON in and out, the server's error
/// shape turned into `ClientError`, streamed bodies both ways. One instance per command; call
/// `shutdown()` when done.
public final class CubicleAPI: Sendable {
    /// Where requests go.
    public let connection: ServerConnection
    let http: HTTPClient
    /// TLS settings shared with the WebSocket client.
    let tls: TLSConfiguration?

    /// Connects lazily; `connectTimeout` bounds how long an unreachable server may take to fail.
    public init(connection: ServerConnection, connectTimeout: Double = 10) throws {
        self.connection = connection
        var tls: TLSConfiguration?
        if connection.server.hasPrefix("https://") {
            var configuration = TLSConfiguration.makeClientConfiguration()
            if connection.insecureSkipTLSVerify { configuration.certificateVerification = .none }
            if let ca = connection.certificateAuthority { configuration.trustRoots = .file(ca) }
            tls = configuration
        }
        self.tls = tls
        var configuration = HTTPClient.Configuration(tlsConfiguration: tls, redirectConfiguration: .disallow)
        configuration.timeout = .init(connect: .milliseconds(Int64(connectTimeout * 1000)))
        configuration.decompression = .disabled
        http = HTTPClient(eventLoopGroup: MultiThreadedEventLoopGroup.singleton, configuration: configuration)
    }

    /// Closes the connection pool.
    public func shutdown() async {
        try? await http.shutdown()
    }

    /// `<server>/api/v1/<path>?<query>`.
    public func url(_ path: String, query: [(String, String)] = []) -> String {
        let base = connection.server + "/api/v1/" + (path.hasPrefix("/") ? String(path.dropFirst()) : path)
        return query.isEmpty ? base : base + "?" + URLEncoding.query(query)
    }

    /// Sends a request and returns the response once its head arrived; statuses outside 2xx
    /// throw the server's error (its `msg` and `code`). The caller consumes the body.
    public func send(
        _ method: HTTPMethod, _ path: String, query: [(String, String)] = [], headers: [(String, String)] = [],
        body: HTTPClientRequest.Body? = nil, accept: Set<Int>? = nil
    ) async throws -> HTTPClientResponse {
        var request = HTTPClientRequest(url: url(path, query: query))
        request.method = method
        if let token = connection.token { request.headers.add(name: "Authorization", value: "Bearer \(token)") }
        request.headers.add(name: "User-Agent", value: "cubicle-cli/\(CubicleVersion.current)")
        for (name, value) in headers { request.headers.add(name: name, value: value) }
        request.body = body
        let response: HTTPClientResponse
        do {
            response = try await http.execute(request, deadline: .distantFuture)
        } catch let error as ClientError {
            throw error
        } catch is CancellationError {
            throw CancellationError()
        } catch {
            throw ClientError.unreachable("cannot reach \(connection.server): \(Self.describe(error))")
        }
        let status = Int(response.status.code)
        if accept.map({ $0.contains(status) }) ?? (200...299).contains(status) { return response }
        throw await Self.error(from: response)
    }

    /// A JSON request; the answer parsed (`null` for an empty body).
    @discardableResult
    public func json(_ method: HTTPMethod, _ path: String, query: [(String, String)] = [], body: JSONValue? = nil) async throws -> JSONValue {
        var headers = [("Accept", "application/json")]
        var payload: HTTPClientRequest.Body?
        if let body {
            headers.append(("Content-Type", "application/json"))
            payload = .bytes(ByteBuffer(bytes: body.serialized()))
        }
        let response = try await send(method, path, query: query, headers: headers, body: payload)
        let bytes = try await Self.collect(response, limit: 64 << 20)
        if bytes.isEmpty { return .null }
        do {
            return try JSONValue.parse(bytes)
        } catch {
            throw ClientError.protocolError("the server's answer to \(method) \(path) is not JSON")
        }
    }

    /// A request whose accepted statuses the caller names; the status and the whole body.
    public func exchange(
        _ method: HTTPMethod, _ path: String, query: [(String, String)] = [], accept: Set<Int>
    ) async throws -> (status: Int, body: [UInt8]) {
        let response = try await send(method, path, query: query, headers: [("Accept", "application/json")], accept: accept)
        return (Int(response.status.code), try await Self.collect(response, limit: 16 << 20))
    }

    /// Copies a response body (a log, a follow) into `file` as it arrives.
    public func stream(_ method: HTTPMethod, _ path: String, query: [(String, String)] = [], into file: LocalFile) async throws {
        let response = try await send(method, path, query: query)
        for try await chunk in response.body { try await file.write(chunk) }
    }

    /// The whole body, up to `limit` bytes.
    static func collect(_ response: HTTPClientResponse, limit: Int) async throws -> [UInt8] {
        var bytes: [UInt8] = []
        for try await chunk in response.body {
            guard bytes.count + chunk.readableBytes <= limit else {
                throw ClientError.protocolError("the server's answer is larger than \(limit) bytes")
            }
            bytes += chunk.readableBytesView
        }
        return bytes
    }

    /// The server's error for a non-2xx response: its `msg` and `code` when it sent the API's
    /// error shape, else the status line.
    static func error(from response: HTTPClientResponse) async -> ClientError {
        let status = Int(response.status.code)
        let bytes = (try? await collect(response, limit: 1 << 20)) ?? []
        if let document = try? JSONValue.parse(bytes), let message = document["msg"]?.stringValue {
            let code = document["code"]?.stringValue.map(ErrorCode.init(rawValue:)) ?? .internalError
            return ClientError(code, message, status: status)
        }
        let text = String(decoding: bytes.prefix(300), as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        return ClientError(.internalError, "\(status) \(response.status.reasonPhrase)\(text.isEmpty ? "" : ": \(text)")", status: status)
    }

    /// A short description of a transport error.
    static func describe(_ error: any Error) -> String {
        if let error = error as? HTTPClientError { return error.shortDescription }
        if let error = error as? NIOConnectionError {
            return error.connectionErrors.first.map { "\($0.error)" } ?? "\(error)"
        }
        return "\(error)"
    }
}
