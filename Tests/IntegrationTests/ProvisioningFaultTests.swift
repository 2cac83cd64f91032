import CubicleTestSupport
import Foundation
import KubeClient
import Testing

/// Provisioning when things go wrong around it: an API server that fails requests and cuts
/// watches, and a Cubicle server killed with SIGKILL in the middle of its jobs.
@Suite struct ProvisioningFaultTests {
    /// `make soak` (CUBICLE_SOAK=1) runs the long variants: 100 provisions under faults, 50 killed.
    static let soak = ProcessInfo.processInfo.environment["CUBICLE_SOAK"] == "1"
    static let faultCount = soak ? 100 : 20
    static let killCount = soak ? 50 : 20

    /// Provisions `count` workspaces for the admin concurrently (instances `prefix0…`), returning
    /// (workspace, job id) for each accepted request.
    static func provisionMany(
        _ count: Int, prefix: String, post: @escaping @Sendable (String) async throws -> ServerHarness.Reply
    ) async throws -> [(workspace: String, job: String)] {
        try await withThrowingTaskGroup(of: (String, String).self) { group in
            for index in 0..<count {
                group.addTask {
                    let reply = try await post(#"{"blueprint":"minimal","instance":"\#(prefix)\#(index)"}"#)
                    guard reply.status == 202 else {
                        throw TestFailure("provision \(index) answered \(reply.status): \(String(decoding: reply.body, as: UTF8.self))")
                    }
                    let body = try reply.json()
                    guard let workspace = body["workspace"] as? String, let job = body["jobId"] as? String else {
                        throw TestFailure("provision \(index) answered without workspace/jobId")
                    }
                    return (workspace, job)
                }
            }
            var accepted: [(workspace: String, job: String)] = []
            for try await pair in group { accepted.append(pair) }
            return accepted
        }
    }

    @Test func concurrentProvisionsReachRunningThroughServerErrorsAndCutWatches() async throws {
        try await ServerHarness.with { server in
            let faults = try server.cluster.faults
            faults.failRandomly(probability: 0.3, statuses: [500, 429])
            faults.cutWatches(every: 1)
            let accepted = try await Self.provisionMany(Self.faultCount, prefix: "f") { body in
                try await server.request("POST", "/api/v1/workspaces", body: body)
            }
            #expect(Set(accepted.map(\.workspace)).count == Self.faultCount)
            for (workspace, job) in accepted {
                let finished = try await server.finishedJob(job, within: Self.soak ? 600 : 180)
                #expect(finished["result"] as? String == "succeeded", "\(workspace): \(finished.list("events").last.map { "\($0.value)" } ?? "")")
            }
            #expect(faults.failedRequestCount > 0, "the fault hook must actually have failed requests")
            faults.clear()
            let listed = try await server.request("GET", "/api/v1/workspaces").json().array
            let running = Set(listed.filter { $0["status"] as? String == "Running" }.compactMap { $0["name"] as? String })
            #expect(running == Set(accepted.map(\.workspace)))
        }
    }

    @Test func jobsInterruptedBySIGKILLFinishAfterRestartWithoutOrphans() async throws {
        let data = try TemporaryDirectory("cubicle-kill")
        defer { data.remove() }
        // Pods take 10 s to report Running, so the kill certainly catches jobs in flight even when a
        // loaded machine answers the provisions slowly (with 3 s, every job once finished first).
        let first = try await ServeProcess.start(
            dataDirectory: data.path, logName: "first", extraArguments: ["--kubelet", "instant", "--instant-delay", "10"])
        let token = try await blocking { try String(contentsOfFile: data.file("admin-token"), encoding: .utf8) }
            .trimmingCharacters(in: .whitespacesAndNewlines)
        // Kill as soon as half the provisions are accepted, so jobs are certainly in flight
        // (some admitted, some still being admitted); requests cut off by the kill are dropped.
        let count = Self.killCount
        let url = first.url
        let accepted = await withTaskGroup(of: (String, String)?.self) { group -> [(workspace: String, job: String)] in
            for index in 0..<count {
                group.addTask {
                    guard let reply = try? await ServerHarness.exchange(
                        "POST", url + "/api/v1/workspaces", bearer: token, body: #"{"blueprint":"minimal","instance":"k\#(index)"}"#),
                        reply.status == 202, let body = try? reply.json(),
                        let workspace = body["workspace"] as? String, let job = body["jobId"] as? String
                    else { return nil }
                    return (workspace, job)
                }
            }
            var accepted: [(workspace: String, job: String)] = []
            var killed = false
            for await pair in group {
                if let pair { accepted.append(pair) }
                if !killed && accepted.count >= count / 2 {
                    killed = true
                    try? await first.stop(signal: SIGKILL)
                }
            }
            if !killed { try? await first.stop(signal: SIGKILL) }
            return accepted
        }
        #expect(accepted.count >= count / 2)

        let second = try await ServeProcess.start(dataDirectory: data.path, logName: "second", extraArguments: ["--kubelet", "instant"])
        do {
            for (workspace, job) in accepted {
                var last = JSONObject([:])
                try await eventually("job \(job) of \(workspace) completes after the restart", within: Self.soak ? 600 : 120) {
                    last = try await ServerHarness.exchange("GET", second.url + "/api/v1/jobs/\(job)", bearer: token).json()
                    return last["status"] as? String == "completed"
                }
                #expect(last["result"] as? String == "succeeded", "\(workspace): \(last.list("events").last.map { "\($0.value)" } ?? "")")
            }
            let log = try await second.log()
            #expect(log.contains("resuming job"), "the kill must have caught jobs in flight for this test to mean anything")

            // Requests admitted just before the kill whose answer never arrived were resumed too:
            // every workspace the server knows must be Running, the accepted ones among them.
            var listed: [JSONObject] = []
            try await eventually("every known workspace is Running", within: Self.soak ? 600 : 120) {
                listed = try await ServerHarness.exchange("GET", second.url + "/api/v1/workspaces", bearer: token).json().array
                return listed.allSatisfy { $0["status"] as? String == "Running" }
            }
            let running = Set(listed.compactMap { $0["name"] as? String })
            #expect(Set(accepted.map(\.workspace)).isSubset(of: running))

            // No orphans: every managed object belongs to a workspace the server knows, and each
            // workspace has exactly one pod, its two Secrets (mounted, and Cubicle's own) and one ConfigMap.
            let kube = try KubeClient(config: try await KubeConfig.load(path: data.file("cluster/kubeconfig"), environment: [:]))
            defer { Task { await kube.shutdown() } }
            let managed = ListOptions(labelSelector: "app.kubernetes.io/managed-by=cubicle")
            let pods = try await kube.list(Pod.self, options: managed).items
            let secrets = try await kube.list(Secret.self, options: managed).items
            let maps = try await kube.list(ConfigMap.self, options: managed).items
            let claims = try await kube.list(PersistentVolumeClaim.self, options: managed).items
            let expected = running
            func owners(_ labels: [[String: String]?]) -> [String] { labels.map { $0?["cubicle.dev/workspace"] ?? "<unlabelled>" } }
            for (kind, names, copies) in [
                ("pods", owners(pods.map(\.metadata.labels)), 1), ("secrets", owners(secrets.map(\.metadata.labels)), 2),
                ("configmaps", owners(maps.map(\.metadata.labels)), 1),
            ] {
                let want = expected.flatMap { Array(repeating: $0, count: copies) }.sorted()
                #expect(names.sorted() == want, "\(kind) per workspace: \(names.sorted())")
            }
            #expect(Set(owners(claims.map(\.metadata.labels))).isSubset(of: expected))
        } catch {
            try? await second.stop(signal: SIGTERM)
            throw error
        }
        try await second.stop(signal: SIGTERM)
    }
}
