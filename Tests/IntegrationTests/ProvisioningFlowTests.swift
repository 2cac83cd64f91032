import CubicleTestSupport
import Foundation
import KubeClient
import Testing

/// Provisioning through the whole server against the embedded cluster (instant kubelet): the
/// job trail, soft stop, start again, full delete, and the answers for what cannot be done.
@Suite struct ProvisioningFlowTests {
    @Test func provisionReachesRunningWithAStageTrailAndMonotonicProgress() async throws {
        try await ServerHarness.with { server in
            let reply = try await server.request("POST", "/api/v1/workspaces", body: #"{"blueprint":"dev"}"#)
            #expect(reply.status == 202)
            let answer = try reply.json()
            let name = try #require(answer["workspace"] as? String)
            let jobID = try #require(answer["jobId"] as? String)
            #expect(name == "admin-3413d31")
            #expect(answer["monitorUrl"] as? String == "/api/v1/jobs/\(jobID)")

            let job = try await server.finishedJob(jobID)
            #expect(job["result"] as? String == "succeeded")
            #expect(job["action"] as? String == "provision")
            let events = job.list("events")
            let stages = events.filter { $0["type"] as? String == "status" }.compactMap { $0["status"] as? String }
            // The instant kubelet may finish before the first look; whatever was seen is in order.
            let order = ["Scheduling", "Pulling", "Initializing", "Starting", "Running"]
            let positions = stages.compactMap { order.firstIndex(of: $0) }
            #expect(positions.count == stages.count && positions == positions.sorted(), "stages \(stages)")
            #expect(stages.last == "Running")
            let progress = events.filter { $0["type"] as? String == "progress" }.compactMap { Int(($0["status"] as? String) ?? "") }
            #expect(progress == progress.sorted() && Set(progress).count == progress.count, "progress must be strictly increasing: \(progress)")
            #expect(progress.last == 100)
            let reasons = events.filter { $0["type"] as? String == "event" }.compactMap { ($0["message"] as? String)?.split(separator: ":").first }
            #expect(reasons.contains("Scheduled") && reasons.contains("Started"))
            #expect(events.map { $0["id"] as? Int ?? 0 } == Array(1...events.count))

            let workspace = try await server.request("GET", "/api/v1/workspaces/\(name)").json()
            #expect(workspace["status"] as? String == "Running")
            #expect((workspace["podIP"] as? String)?.hasPrefix("127.77.") == true)
            #expect(workspace["blueprint"] as? String == "dev")
            #expect(workspace["username"] as? String == "admin")
            let listed = try await server.request("GET", "/api/v1/workspaces").json().array
            #expect(listed.compactMap { $0["name"] as? String } == [name])
        }
    }

    /// A blueprint without init scripts has no init outcome to read: its successful start must
    /// end on Running, in the job and in the SSE stream, with no Failed status after it.
    @Test func aStartWithoutInitScriptsEndsOnRunningInTheWholeTrail() async throws {
        try await ServerHarness.with { server in
            let reply = try await server.request("POST", "/api/v1/workspaces", body: #"{"blueprint":"minimal"}"#).json()
            let jobID = try #require(reply["jobId"] as? String)
            let job = try await server.finishedJob(jobID)
            #expect(job["result"] as? String == "succeeded")
            let statuses = job.list("events").filter { $0["type"] as? String == "status" }.compactMap { $0["status"] as? String }
            #expect(!statuses.contains("Failed"), "a successful start recorded Failed: \(statuses)")
            #expect(statuses.last == "Running", "statuses \(statuses)")
            let order = ["Scheduling", "Pulling", "Initializing", "Starting", "Running"]
            let positions = statuses.compactMap { order.firstIndex(of: $0) }
            #expect(positions.count == statuses.count && positions == positions.sorted(), "statuses \(statuses)")
            let progress = job.list("events").filter { $0["type"] as? String == "progress" }.compactMap { Int(($0["status"] as? String) ?? "") }
            #expect(progress.last == 100)

            // What an SSE client reads last before the end is the same Running status.
            let stream = try await server.request("GET", "/api/v1/jobs/\(jobID)", headers: ["Accept": "text/event-stream"])
            let data = String(decoding: stream.body, as: UTF8.self).split(separator: "\n")
                .filter { $0.hasPrefix("data: ") }.compactMap { try? JSONObject(Data($0.dropFirst(6).utf8)) }
            let streamed = data.filter { $0["type"] as? String == "status" }.compactMap { $0["status"] as? String }
            #expect(streamed == statuses, "the stream's statuses \(streamed) differ from the job's \(statuses)")
        }
    }

    @Test func softStopKeepsVolumesAndStartingAgainReusesThem() async throws {
        try await ServerHarness.with { server in
            let first = try await server.request("POST", "/api/v1/workspaces", body: #"{"blueprint":"dev"}"#).json()
            let name = try #require(first["workspace"] as? String)
            _ = try await server.finishedJob(try #require(first["jobId"] as? String))

            let stop = try await server.request("DELETE", "/api/v1/workspaces/\(name)")
            #expect(stop.status == 202)
            let stopJob = try await server.finishedJob(try #require(try stop.json()["jobId"] as? String))
            #expect(stopJob["result"] as? String == "succeeded")
            #expect(stopJob["action"] as? String == "stop")
            try await eventually("the workspace reads Stopped") {
                try await server.request("GET", "/api/v1/workspaces/\(name)").json()["status"] as? String == "Stopped"
            }
            let claims = try await server.kube.list(PersistentVolumeClaim.self, namespace: "default", options: ListOptions(labelSelector: "cubicle.dev/workspace=\(name)"))
            #expect(claims.items.map(\.metadata.name) == ["\(name)-home"])
            let claimUID = claims.items.first?.metadata.uid

            // Stopping again is idempotent.
            let again = try await server.request("DELETE", "/api/v1/workspaces/\(name)")
            #expect(again.status == 202)
            _ = try await server.finishedJob(try #require(try again.json()["jobId"] as? String))

            let restart = try await server.request("POST", "/api/v1/workspaces", body: #"{"blueprint":"dev"}"#)
            #expect(restart.status == 202)
            let startJob = try await server.finishedJob(try #require(try restart.json()["jobId"] as? String))
            #expect(startJob["action"] as? String == "start")
            #expect(startJob["result"] as? String == "succeeded")
            let after = try await server.kube.list(PersistentVolumeClaim.self, namespace: "default", options: ListOptions(labelSelector: "cubicle.dev/workspace=\(name)"))
            #expect(after.items.first?.metadata.uid == claimUID, "the home volume must be the same claim")
        }
    }

    /// A workspace made with an instance name starts again by its name alone.
    @Test func aStoppedWorkspaceStartsByNameIncludingOneWithAnInstance() async throws {
        try await ServerHarness.with { server in
            let first = try await server.request("POST", "/api/v1/workspaces", body: #"{"blueprint":"minimal","instance":"scratch"}"#).json()
            let name = try #require(first["workspace"] as? String)
            _ = try await server.finishedJob(try #require(first["jobId"] as? String))
            let running = try await server.request("POST", "/api/v1/workspaces/\(name)/start")
            #expect(try running.status == 409 && running.json()["code"] as? String == "already_exists")

            _ = try await server.finishedJob(try #require(try await server.request("DELETE", "/api/v1/workspaces/\(name)").json()["jobId"] as? String))
            try await eventually("the workspace reads Stopped") {
                try await server.request("GET", "/api/v1/workspaces/\(name)").json()["status"] as? String == "Stopped"
            }
            let bob = try await server.makeUser("bob")
            #expect(try await server.request("POST", "/api/v1/workspaces/\(name)/start", token: .some(bob)).status == 404)
            let started = try await server.request("POST", "/api/v1/workspaces/\(name)/start")
            #expect(started.status == 202)
            let ticket = try started.json()
            #expect(ticket["workspace"] as? String == name)
            let job = try await server.finishedJob(try #require(ticket["jobId"] as? String))
            #expect(job["action"] as? String == "start" && job["result"] as? String == "succeeded")
            #expect(try await server.request("GET", "/api/v1/workspaces/\(name)").json()["status"] as? String == "Running")
            #expect(try await server.request("POST", "/api/v1/workspaces/nope-1234567/start").status == 404)
        }
    }

    @Test func fullDeleteRemovesEveryLabelledObject() async throws {
        try await ServerHarness.with { server in
            let first = try await server.request("POST", "/api/v1/workspaces", body: #"{"blueprint":"dev"}"#).json()
            let name = try #require(first["workspace"] as? String)
            _ = try await server.finishedJob(try #require(first["jobId"] as? String))

            let delete = try await server.request("DELETE", "/api/v1/workspaces/\(name)?delete=true")
            #expect(delete.status == 202)
            let job = try await server.finishedJob(try #require(try delete.json()["jobId"] as? String))
            #expect(job["result"] as? String == "succeeded")
            let selector = ListOptions(labelSelector: "cubicle.dev/workspace=\(name)")
            try await eventually("every labelled object is gone") {
                let pods = try await server.kube.list(Pod.self, namespace: "default", options: selector).items
                let secrets = try await server.kube.list(Secret.self, namespace: "default", options: selector).items
                let maps = try await server.kube.list(ConfigMap.self, namespace: "default", options: selector).items
                let claims = try await server.kube.list(PersistentVolumeClaim.self, namespace: "default", options: selector).items
                return pods.isEmpty && secrets.isEmpty && maps.isEmpty && claims.isEmpty
            }
            let after = try await server.request("GET", "/api/v1/workspaces/\(name)")
            #expect(after.status == 404, "a finished delete job means the API no longer shows the workspace")
        }
    }

    @Test func requestsThatCannotBeProvisionedAnswerWithTheirCodes() async throws {
        try await ServerHarness.with { server in
            let first = try await server.request("POST", "/api/v1/workspaces", body: #"{"blueprint":"minimal"}"#).json()
            _ = try await server.finishedJob(try #require(first["jobId"] as? String))

            let running = try await server.request("POST", "/api/v1/workspaces", body: #"{"blueprint":"minimal"}"#)
            #expect(running.status == 409)
            #expect(try running.json()["code"] as? String == "already_exists")

            let unknown = try await server.request("POST", "/api/v1/workspaces", body: #"{"blueprint":"nope"}"#)
            #expect(unknown.status == 404)
            #expect(try unknown.json()["code"] as? String == "not_found")

            let template = try await server.request("POST", "/api/v1/workspaces", body: #"{"blueprint":"base"}"#)
            #expect(template.status == 422)
            #expect(try template.json()["code"] as? String == "invalid_blueprint")

            let hostile = try await server.request("POST", "/api/v1/workspaces", body: #"{"blueprint":"../../etc/passwd"}"#)
            #expect(hostile.status == 404)
        }
    }

    @Test func imagePullFailureFailsTheJobWithItsReason() async throws {
        try await ServerHarness.with { server in
            _ = try server.cluster.faults.addPodFault(.init(fault: .errImagePull, labelSelector: "cubicle.dev/user=admin"))
            let reply = try await server.request("POST", "/api/v1/workspaces", body: #"{"blueprint":"minimal"}"#).json()
            let job = try await server.finishedJob(try #require(reply["jobId"] as? String), within: 120)
            #expect(job["result"] as? String == "failed")
            let last = job.list("events").last { $0["type"] as? String == "status" }
            #expect(last?["status"] as? String == "Failed")
            #expect((last?["message"] as? String)?.contains("ErrImagePull") == true, "\(String(describing: last?["message"]))")
        }
    }

    @Test func aPodThatStaysPendingTimesOutNamingTheStage() async throws {
        try await ServerHarness.with(provisionTimeout: 8) { server in
            _ = try server.cluster.faults.addPodFault(.init(fault: .stayPending, labelSelector: "cubicle.dev/user=admin"))
            let reply = try await server.request("POST", "/api/v1/workspaces", body: #"{"blueprint":"minimal"}"#).json()
            let job = try await server.finishedJob(try #require(reply["jobId"] as? String), within: 60)
            #expect(job["result"] as? String == "failed")
            let last = job.list("events").last { $0["type"] as? String == "status" }
            #expect((last?["message"] as? String)?.contains("Scheduling") == true, "\(String(describing: last?["message"]))")
        }
    }
}
