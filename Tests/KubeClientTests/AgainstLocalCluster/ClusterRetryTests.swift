import CubicleModel
import CubicleTestSupport
import Foundation
import KubeClient
import Testing

/// Transient failures injected by the cluster's fault hook: retried with backoff on the client's
/// (manual) clock, `Retry-After` honoured, and a persistent failure reported clearly.
@Suite struct ClusterRetryTests {
    @Test func tooManyRequestsIsRetriedAfterRetryAfterAndSucceeds() async throws {
        try await withLocalCluster { cluster in
            let clock = ManualTimeSource()
            try await cluster.withAdmin(timeSource: clock) { client in
                _ = try await client.create(ClusterObjectTests.pod("p"))
                let faults = try cluster.faults
                faults.failNext(2, status: 429, verb: "list", resource: "pods", retryAfterSeconds: 7)
                let request = Task { try await client.list(Pod.self) }
                try await eventually("the first backoff") { clock.sleeperCount == 1 }
                #expect(faults.failedRequestCount == 1)
                clock.advance(by: 6.9)
                #expect(clock.sleeperCount == 1)  // Retry-After: 7 is still running
                #expect(faults.failedRequestCount == 1)
                clock.advance(by: 0.2)
                try await eventually("the second backoff") { faults.failedRequestCount == 2 && clock.sleeperCount == 1 }
                clock.advance(by: 7.1)
                let list = try await request.value
                #expect(list.items.compactMap(\.metadata.name) == ["p"])
                #expect(faults.failedRequestCount == 2)
            }
        }
    }

    @Test func serverErrorsAreRetriedWithBackoffUntilTheCallSucceeds() async throws {
        try await withLocalCluster { cluster in
            let clock = ManualTimeSource()
            let policy = RetryPolicy(maxAttempts: 5, backoff: Backoff(initial: 1, maximum: 4))
            try await cluster.withAdmin(retryPolicy: policy, timeSource: clock) { client in
                _ = try await client.create(ConfigMap(metadata: ObjectMeta(name: "c"), data: ["k": "v"]))
                let faults = try cluster.faults
                faults.failNext(3, status: 500, verb: "get", resource: "configmaps")
                let request = Task { try await client.get(ConfigMap.self, name: "c") }
                for failures in 1...3 {
                    try await eventually("backoff \(failures)") { faults.failedRequestCount == failures && clock.sleeperCount == 1 }
                    clock.advance(by: 5)
                }
                #expect(try await request.value.data == ["k": "v"])
                #expect(faults.failedRequestCount == 3)
            }
        }
    }

    @Test func createIsNotRepeatedAfterAServerError() async throws {
        try await withLocalCluster { cluster in
            let policy = RetryPolicy(maxAttempts: 5, backoff: Backoff(initial: 0.001, maximum: 0.002))
            try await cluster.withAdmin(retryPolicy: policy) { client in
                let faults = try cluster.faults
                faults.failNext(1, status: 500, verb: "create")
                let error = await kubeError("create through a 500") { _ = try await client.create(ConfigMap(metadata: ObjectMeta(name: "once"))) }
                #expect(error?.httpStatus == 500)
                #expect(faults.failedRequestCount == 1)
                _ = try await client.create(ConfigMap(metadata: ObjectMeta(name: "once")))
            }
        }
    }

    @Test func persistentFailureSurfacesAClearKubeError() async throws {
        try await withLocalCluster { cluster in
            let policy = RetryPolicy(maxAttempts: 3, backoff: Backoff(initial: 0.001, maximum: 0.002))
            try await cluster.withAdmin(retryPolicy: policy) { client in
                let faults = try cluster.faults
                faults.failNext(100, status: 503, verb: "list", resource: "configmaps")
                let error = await kubeError("list through persistent 503s") { _ = try await client.list(ConfigMap.self) }
                #expect(error?.httpStatus == 503)
                #expect(error?.code == .clusterUnavailable)
                #expect(error?.reason == "ServiceUnavailable")
                #expect(error?.message.hasPrefix("list configmaps in default: ") == true)
                #expect(error?.message.contains("injected fault") == true)
                #expect(faults.failedRequestCount == 3)
            }
        }
    }
}
