import CubicleModel
import Foundation
import HTTPTypes
import Hummingbird
import Store

/// `GET /jobs/:id`: the job as JSON, or its events as server-sent events (`Accept:
/// text/event-stream`; `Last-Event-ID` resumes) ending when the job completes. Followers wake on
/// the job trail's change notifications, never by polling the store.
struct JobRoutes: RouteSet {
    let dependencies: APIDependencies

    init(dependencies: APIDependencies) { self.dependencies = dependencies }

    /// Seconds between keep-alive comments on an idle event stream.
    static let keepAliveInterval = 15.0

    private let lastEventID = HTTPField.Name("Last-Event-ID")!

    /// The one endpoint.
    enum Endpoint: CaseIterable { case show }

    static var endpoints: [Endpoint] { Endpoint.allCases }

    static func route(_ endpoint: Endpoint) -> (method: HTTPRequest.Method, path: String) {
        switch endpoint {
        case .show: (.get, "jobs/:id")
        }
    }

    func handle(_ endpoint: Endpoint, _ request: Request, _ context: CubicleRequestContext) async throws -> Response {
        switch endpoint {
        case .show:
            let caller = try context.requireCaller()
            let id = try context.parameters.require("id")
            let job = try await visibleJob(id, for: caller)
            let accept = request.headers[.accept] ?? ""
            if accept.contains("text/event-stream") {
                let lastID = request.headers[lastEventID].flatMap { Int($0.trimmingCharacters(in: .whitespaces)) } ?? 0
                return stream(job.id, after: max(0, lastID))
            }
            return try JSONBody.response(JobBody(job: job))
        }
    }

    private func visibleJob(_ id: String, for caller: Caller) async throws -> Job {
        guard id.utf8.count <= 64, id.utf8.allSatisfy({ $0 == UInt8(ascii: "-") || (0x30...0x39).contains($0) || (0x61...0x66).contains($0) }) else {
            throw APIError.notFound("job \"\(id.prefix(64))\" not found")
        }
        do {
            let job = try await dependencies.store.jobs.get(id: id)
            guard caller.mayAccess(owner: job.username) else { throw APIError.notFound("job \"\(id)\" not found") }
            return job
        } catch let error as StoreError where error.code == .notFound {
            throw APIError.notFound("job \"\(id)\" not found (jobs expire after they finish)")
        }
    }

    private func stream(_ id: String, after lastID: Int) -> Response {
        var headers = HTTPFields()
        headers[.contentType] = "text/event-stream"
        headers[.cacheControl] = "no-cache"
        let jobs = dependencies.store.jobs
        let changes = dependencies.provisioner.jobTrail.changes
        let time = dependencies.time
        let body = ResponseBody { writer in
            var last = lastID
            let encoder = JSONBody.encoder()
            while !Task.isCancelled {
                let version = changes.version(of: id)
                let slice: JobEventSlice
                do {
                    slice = try await jobs.events(of: id, after: last)
                } catch {
                    try await writer.write(ByteBuffer(string: "event: error\ndata: {\"msg\":\"the job is gone\"}\n\n"))
                    break
                }
                for event in slice.events {
                    let data = try encoder.encode(event)
                    try await writer.write(ByteBuffer(string: "id: \(event.id)\ndata: \(String(decoding: data, as: UTF8.self))\n\n"))
                    last = event.id
                }
                if slice.status == .completed {
                    let result = slice.result?.rawValue ?? "null"
                    try await writer.write(ByteBuffer(string: "event: end\ndata: {\"status\":\"completed\",\"result\":\"\(result)\"}\n\n"))
                    break
                }
                await changes.waitForChange(of: id, after: version, until: time.now.addingTimeInterval(Self.keepAliveInterval), time: time)
                if changes.version(of: id) == version { try await writer.write(ByteBuffer(string: ": keep-alive\n\n")) }
            }
            try await writer.finish(nil)
        }
        return Response(status: .ok, headers: headers, body: body)
    }
}
