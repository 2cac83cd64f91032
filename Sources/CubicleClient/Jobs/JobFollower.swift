import AsyncHTTPClient
import CubicleModel
import NIOCore

/// What following a job yields.
public enum JobUpdate: Sendable {
    /// One event of the job's trail (the API's `JobEvent` JSON).
    case event(JSONValue)
    /// The stream dropped; it is being resumed from the last event seen.
    case reconnecting(afterEventID: Int)
    /// The job completed with this result (`succeeded` or `failed`).
    case completed(result: String?)
}

extension CubicleAPI {
    /// Follows job `id` over server-sent events from `afterEventID`, resuming with
    /// `Last-Event-ID` when the stream drops, until the job completes. Throws when the job is gone
    /// or the server stays unreachable for `giveUpAfter` seconds.
    public func followJob(_ id: String, afterEventID: Int = 0, giveUpAfter: Double = 60) -> AsyncThrowingStream<JobUpdate, any Error> {
        AsyncThrowingStream { continuation in
            let task = Task {
                var last = afterEventID
                var failingSince: ContinuousClock.Instant?
                while !Task.isCancelled {
                    do {
                        let response = try await send(
                            .GET, "jobs/\(URLEncoding.component(id))",
                            headers: [("Accept", "text/event-stream"), ("Last-Event-ID", String(last))])
                        failingSince = nil
                        var parser = ServerSentEvents()
                        for try await chunk in response.body {
                            for event in parser.feed(chunk.readableBytesView) {
                                switch event.name {
                                case "end":
                                    let result = (try? JSONValue.parse(Array(event.data.utf8)))?["result"]?.stringValue
                                    continuation.yield(.completed(result: result))
                                    continuation.finish()
                                    return
                                case "error":
                                    let message = (try? JSONValue.parse(Array(event.data.utf8)))?["msg"]?.stringValue ?? event.data
                                    throw ClientError(.notFound, "job \(id): \(message)", status: 404)
                                default:
                                    guard let value = try? JSONValue.parse(Array(event.data.utf8)) else { continue }
                                    if let eventID = value["id"]?.intValue { last = max(last, Int(eventID)) }
                                    continuation.yield(.event(value))
                                }
                            }
                        }
                    } catch let error as ClientError where error.isFromServer {
                        throw error
                    } catch is CancellationError {
                        break
                    } catch {
                        let now = ContinuousClock.now
                        let since = failingSince ?? now
                        failingSince = since
                        if now - since > .seconds(giveUpAfter) { throw error }
                    }
                    continuation.yield(.reconnecting(afterEventID: last))
                    try await Task.sleep(for: .seconds(1))
                }
                continuation.finish(throwing: CancellationError())
            }
            continuation.onTermination = { _ in task.cancel() }
            // Errors thrown in the task end the stream with them.
            Task {
                if case .failure(let error) = await task.result { continuation.finish(throwing: error) }
            }
        }
    }
}
