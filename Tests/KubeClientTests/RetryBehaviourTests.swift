import CubicleTestSupport
import CubicleModel
import Foundation
import Testing

@testable import KubeClient

/// The retry policy as the choke point applies it, against injected 429/500 answers.
@Suite struct RetryBehaviourTests {
    @Test func getRetriesOn429HonouringRetryAfterOnTheInjectedClock() async throws {
        try await withKubeServer { server in
            let clock = ManualTimeSource()
            try await withClient(try KubeClient(config: try server.certificateConfig(), timeSource: clock)) { client in
                try await server.command(["cmd": "fail", "status": 429, "retryAfter": 7, "count": 2])
                let request = Task { try await client.list(Pod.self) }
                try await eventually("the first backoff") { clock.sleeperCount == 1 }
                clock.advance(by: 6.9)
                #expect(clock.sleeperCount == 1)  // still honouring Retry-After: 7
                #expect(try await server.requests().count == 1)
                clock.advance(by: 0.2)
                try await eventually("the second backoff") { try await server.requests().count == 2 && clock.sleeperCount == 1 }
                clock.advance(by: 7.1)
                let list = try await request.value
                #expect(list.items.isEmpty)
                #expect(try await server.requests().count == 3)
            }
        }
    }

    @Test func getRetriesServerErrorsAndGivesUpAfterMaxAttempts() async throws {
        try await withKubeServer { server in
            let policy = RetryPolicy(maxAttempts: 3, backoff: Backoff(initial: 0.001, maximum: 0.002))
            try await withClient(try KubeClient(config: try server.certificateConfig(), retryPolicy: policy)) { client in
                try await server.command(["cmd": "fail", "status": 500, "count": 3])
                do {
                    _ = try await client.get(Pod.self, name: "x")
                    Issue.record("succeeded through injected 500s")
                } catch let error as KubeError {
                    #expect(error.httpStatus == 500)
                    #expect(error.code == .clusterUnavailable)
                }
                #expect(try await server.requests().count == 3)
                try await server.command(["cmd": "clear-requests"])
                try await server.command(["cmd": "fail", "status": 503, "count": 1])
                let list = try await client.list(Pod.self)
                #expect(list.items.isEmpty)
                #expect(try await server.requests().count == 2)
            }
        }
    }

    @Test func createIsRetriedOn429ButNotOn500() async throws {
        try await withKubeServer { server in
            let policy = RetryPolicy(maxAttempts: 3, backoff: Backoff(initial: 0.001, maximum: 0.002))
            try await withClient(try KubeClient(config: try server.certificateConfig(), retryPolicy: policy)) { client in
                try await server.command(["cmd": "fail", "status": 500, "count": 1])
                await #expect(throws: KubeError.self) { try await client.create(ConfigMap(metadata: ObjectMeta(name: "a"))) }
                #expect(try await server.requests().count == 1)
                try await server.command(["cmd": "fail", "status": 429, "retryAfter": 0, "count": 1])
                _ = try await client.create(ConfigMap(metadata: ObjectMeta(name: "a")))
                #expect(try await server.requests().count == 3)
            }
        }
    }

    @Test func cancellationDuringBackoffStopsRetrying() async throws {
        try await withKubeServer { server in
            let clock = ManualTimeSource()
            try await withClient(try KubeClient(config: try server.certificateConfig(), timeSource: clock)) { client in
                try await server.command(["cmd": "fail", "status": 429, "retryAfter": 20, "count": 1])
                let request = Task { try await client.list(Pod.self) }
                try await eventually("the backoff") { clock.sleeperCount == 1 }
                request.cancel()
                await #expect(throws: CancellationError.self) { try await request.value }
                #expect(try await server.requests().count == 1)
            }
        }
    }
}
