import Foundation

#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// A minimal HTTP client for Cubicle's API over real sockets (URLSession, libcurl underneath).
struct APIClient: Sendable {
    /// One HTTP exchange.
    struct Reply: Sendable {
        let status: Int
        let body: Data

        /// The body as text, for error messages.
        var text: String { String(decoding: body.prefix(500), as: UTF8.self) }

        /// A string member of the body's JSON object.
        func string(_ key: String) -> String? {
            ((try? JSONSerialization.jsonObject(with: body)) as? [String: Any])?[key] as? String
        }
    }

    let baseURL: String
    private let session: URLSession

    /// Creates a client allowing `connections` parallel connections: URLSession's default of 6
    /// per host would otherwise cap the in-flight provisions, since each holds an event stream.
    init(baseURL: String, connections: Int) {
        self.baseURL = baseURL
        let configuration = URLSessionConfiguration.ephemeral
        configuration.httpMaximumConnectionsPerHost = max(6, connections)
        configuration.timeoutIntervalForRequest = 600
        configuration.timeoutIntervalForResource = 600
        session = URLSession(configuration: configuration)
    }

    /// Closes the idle keep-alive connections, so the server's shutdown finds none open.
    func close() { session.invalidateAndCancel() }

    /// Sends a request with a bearer token; `json` is sent as an `application/json` body.
    func send(_ method: String, _ path: String, token: String, json: String? = nil, accept: String? = nil) async throws -> Reply {
        guard let url = URL(string: baseURL + path) else { throw BenchError("bad URL \(baseURL + path)", code: .invalidRequest) }
        var request = URLRequest(url: url)
        request.httpMethod = method
        request.setValue("Bearer \(token)", forHTTPHeaderField: "Authorization")
        if let accept { request.setValue(accept, forHTTPHeaderField: "Accept") }
        if let json {
            request.httpBody = Data(json.utf8)
            request.setValue("application/json", forHTTPHeaderField: "Content-Type")
        }
        let (data, response) = try await session.data(for: request)
        return Reply(status: (response as? HTTPURLResponse)?.statusCode ?? 0, body: data)
    }

    /// Creates a user allowed every blueprint and returns a fresh token of theirs.
    func makeUser(_ name: String, adminToken: String) async throws -> String {
        let created = try await send(
            "POST", "/api/v1/users", token: adminToken, json: #"{"username":"\#(name)","roles":[],"blueprints":["*"]}"#)
        guard created.status == 201 else { throw BenchError("creating user \(name): \(created.status) \(created.text)") }
        let issued = try await send("POST", "/api/v1/users/\(name)/tokens", token: adminToken, json: #"{"name":"bench"}"#)
        guard issued.status == 201 || issued.status == 200, let token = issued.string("token") else {
            throw BenchError("issuing a token for \(name): \(issued.status) \(issued.text)")
        }
        return token
    }

    /// How a provision's job is followed to completion.
    enum Follow: String, Sendable, CaseIterable {
        /// `GET /jobs/:id` with `Accept: text/event-stream`; the stream ends after `event: end`.
        case sse
        /// `GET /jobs/:id` every 20 ms until `status` is `completed`.
        case poll
    }

    /// Follows job `id` until it completes and returns its `result` (`succeeded`, `failed`, …).
    func finish(job id: String, token: String, follow: Follow) async throws -> String {
        switch follow {
        case .sse:
            // The server closes the stream right after `event: end`, so the whole body is the trail.
            let reply = try await send("GET", "/api/v1/jobs/\(id)", token: token, accept: "text/event-stream")
            guard reply.status == 200 else { throw BenchError("following job \(id): \(reply.status) \(reply.text)") }
            return try Self.endResult(of: String(decoding: reply.body, as: UTF8.self), job: id)
        case .poll:
            while true {
                let reply = try await send("GET", "/api/v1/jobs/\(id)", token: token)
                guard reply.status == 200 else { throw BenchError("reading job \(id): \(reply.status) \(reply.text)") }
                if reply.string("status") == "completed" { return reply.string("result") ?? "unknown" }
                try await Task.sleep(for: .milliseconds(20))
            }
        }
    }

    /// The `result` of the stream's `event: end`.
    static func endResult(of stream: String, job id: String) throws -> String {
        var sawEnd = false
        for line in stream.split(separator: "\n", omittingEmptySubsequences: false) {
            if line == "event: end" {
                sawEnd = true
            } else if sawEnd, line.hasPrefix("data: ") {
                let object = (try? JSONSerialization.jsonObject(with: Data(line.dropFirst(6).utf8))) as? [String: Any]
                return object?["result"] as? String ?? "unknown"
            } else if line.hasPrefix("event: error") {
                throw BenchError("the event stream of job \(id) reported an error: \(stream.suffix(200))")
            }
        }
        throw BenchError("the event stream of job \(id) ended without `event: end`")
    }
}
