import CubicleTestSupport
import Foundation
import Testing

/// The HTTP contract's edges: auth, visibility between users, errors in one JSON shape for the
/// inputs an attacker would try, tokens, the event stream.
@Suite struct APIContractTests {
    @Test func healthcheckNeedsNoTokenAndNamesItsParts() async throws {
        try await ServerHarness.with { server in
            let reply = try await server.request("GET", "/api/v1/healthcheck", token: .some(nil))
            #expect(reply.status == 200)
            let body = try reply.json()
            #expect(body["status"] as? String == "ok")
            #expect(body["kubernetes"] as? String == "ok")
            #expect(body["store"] as? String == "ok")
        }
    }

    /// An unhealthy answer is in the API's error shape with one short, stable word per failing
    /// part; the raw error (URLs, server messages) goes to the log, not to an anonymous caller.
    @Test func anUnhealthyAnswerHasTheErrorShapeAndAStableReasonPerPart() async throws {
        try await ServerHarness.with { server in
            try server.cluster.faults.failNext(1_000, status: 403, verb: "list", resource: "pods")
            let reply = try await server.request("GET", "/api/v1/healthcheck", token: .some(nil))
            try server.cluster.faults.clear()
            #expect(reply.status == 503)
            let body = try reply.json()
            #expect(body["status"] as? Int == 503)
            #expect(body["code"] as? String == "cluster_unavailable")
            #expect(body["msg"] as? String == "not healthy: kubernetes (forbidden)")
            #expect(body["kubernetes"] as? String == "forbidden")
            #expect(body["store"] as? String == "ok")
            let text = String(decoding: reply.body, as: UTF8.self)
            #expect(!text.contains("http") && !text.contains("/api/v1/namespaces"), "raw error text leaked: \(text)")
            try await eventually("healthy again once the cluster answers") {
                try await server.request("GET", "/api/v1/healthcheck", token: .some(nil)).status == 200
            }
        }
    }

    @Test func missingOrBadTokensAreRejectedInTheErrorShape() async throws {
        try await ServerHarness.with { server in
            for token: String? in [nil, "cub_forged", "", String(repeating: "x", count: 5000), "cub_\u{0}\u{1}"] {
                let reply = try await server.request("GET", "/api/v1/workspaces", token: .some(token))
                #expect(reply.status == 401, "token \(String(describing: token?.prefix(10)))")
                let body = try reply.json()
                #expect(body["status"] as? Int == 401)
                #expect(body["code"] as? String == "unauthorized")
                #expect((body["msg"] as? String)?.isEmpty == false)
            }
            let basic = try await server.request("GET", "/api/v1/workspaces", token: .some(nil), headers: ["Authorization": "Basic YWRtaW46YWRtaW4="])
            #expect(basic.status == 401)
        }
    }

    @Test func malformedBodiesAndUnknownRoutesGetClearJSONErrors() async throws {
        try await ServerHarness.with { server in
            for body in ["{", "[]", "{\"blueprint\": 5}", "null", "\u{FEFF}{}garbage"] {
                let reply = try await server.request("POST", "/api/v1/workspaces", body: body)
                #expect(reply.status == 400, "body \(body)")
                #expect(try reply.json()["code"] as? String == "invalid_request")
            }
            let huge = try await server.request("POST", "/api/v1/workspaces", body: "{\"blueprint\":\"" + String(repeating: "a", count: 2 << 20) + "\"}")
            #expect(huge.status == 413)
            #expect(try huge.json()["code"] as? String == "payload_too_large")

            let unknown = try await server.request("GET", "/api/v1/no/such/route")
            #expect(unknown.status == 404)
            #expect(try unknown.json()["code"] as? String == "not_found")
            for name in ["..%2F..%2Fetc", String(repeating: "a", count: 300), "UPPER", "a%00b"] {
                let reply = try await server.request("GET", "/api/v1/workspaces/\(name)")
                #expect(reply.status == 404, "name \(name.prefix(20))")
                #expect(try reply.json()["code"] as? String == "not_found")
            }
            let badFlag = try await server.request("GET", "/api/v1/workspaces?all=maybe")
            #expect(badFlag.status == 400)
            // Nothing was created by any of it.
            #expect(try await server.request("GET", "/api/v1/workspaces").json().array.isEmpty)
        }
    }

    @Test func anotherUsersWorkspaceAndJobAnswerNotFound() async throws {
        try await ServerHarness.with { server in
            let bob = try await server.makeUser("bob")
            let mine = try await server.request("POST", "/api/v1/workspaces", body: #"{"blueprint":"minimal"}"#).json()
            let name = try #require(mine["workspace"] as? String)
            let jobID = try #require(mine["jobId"] as? String)
            _ = try await server.finishedJob(jobID)

            #expect(try await server.request("GET", "/api/v1/workspaces/\(name)", token: .some(bob)).status == 404)
            #expect(try await server.request("DELETE", "/api/v1/workspaces/\(name)?delete=true", token: .some(bob)).status == 404)
            #expect(try await server.request("GET", "/api/v1/jobs/\(jobID)", token: .some(bob)).status == 404)
            #expect(try await server.request("GET", "/api/v1/workspaces", token: .some(bob)).json().array.isEmpty)
            #expect(try await server.request("GET", "/api/v1/workspaces?all=true", token: .some(bob)).status == 403)
            #expect(try await server.request("GET", "/api/v1/users", token: .some(bob)).status == 403)
            #expect(try await server.request("GET", "/api/v1/users/admin/profile", token: .some(bob)).status == 404)
            let forOthers = try await server.request("POST", "/api/v1/workspaces", token: .some(bob), body: #"{"username":"admin","blueprint":"dev"}"#)
            #expect(forOthers.status == 403)
            // The admin's workspace is untouched by all of it.
            #expect(try await server.request("GET", "/api/v1/workspaces/\(name)").json()["status"] as? String == "Running")

            // Bob provisions his own; the admin sees both with all=true.
            let his = try await server.request("POST", "/api/v1/workspaces", token: .some(bob), body: #"{"blueprint":"minimal"}"#).json()
            _ = try await server.finishedJob(try #require(his["jobId"] as? String), token: bob)
            let all = try await server.request("GET", "/api/v1/workspaces?all=true").json().array.compactMap { $0["username"] as? String }
            #expect(Set(all) == ["admin", "bob"])
        }
    }

    @Test func blueprintsAllowedPerUserAreListedAndEnforced() async throws {
        try await ServerHarness.with { server in
            let carol = try await server.makeUser("carol", blueprints: ["minimal"])
            let listed = try await server.request("GET", "/api/v1/me/blueprints", token: .some(carol)).json().array
            #expect(listed.compactMap { $0["name"] as? String } == ["minimal"])
            let denied = try await server.request("POST", "/api/v1/workspaces", token: .some(carol), body: #"{"blueprint":"dev"}"#)
            #expect(denied.status == 403)
            #expect(try denied.json()["code"] as? String == "forbidden")
            let defaulted = try await server.request("POST", "/api/v1/workspaces", token: .some(carol), body: "")
            #expect(defaulted.status == 202)
            #expect(try defaulted.json()["workspace"] as? String == "carol-" + String(try #require(try defaulted.json()["workspace"] as? String).suffix(7)))
        }
    }

    @Test func revokedTokensStopWorkingAtOnce() async throws {
        try await ServerHarness.with { server in
            let issued = try await server.request("POST", "/api/v1/me/tokens", body: #"{"name":"laptop"}"#)
            #expect(issued.status == 201)
            let token = try #require(try issued.json()["token"] as? String)
            let id = try #require(try issued.json()["id"] as? String)
            #expect(token.hasPrefix("cub_"))
            #expect(try await server.request("GET", "/api/v1/me/profile", token: .some(token)).status == 200)
            let listed = try await server.request("GET", "/api/v1/me/tokens").json().array
            #expect(listed.contains { $0["id"] as? String == id && $0["token"] == nil })
            #expect(try await server.request("DELETE", "/api/v1/me/tokens/\(id)").status == 204)
            #expect(try await server.request("GET", "/api/v1/me/profile", token: .some(token)).status == 401)
            #expect(try await server.request("DELETE", "/api/v1/me/tokens/\(id)").status == 404)
        }
    }

    @Test func jobEventsStreamAsServerSentEventsAndResumeFromLastEventID() async throws {
        try await ServerHarness.with { server in
            let reply = try await server.request("POST", "/api/v1/workspaces", body: #"{"blueprint":"minimal"}"#).json()
            let jobID = try #require(reply["jobId"] as? String)
            let stream = try await server.request("GET", "/api/v1/jobs/\(jobID)", headers: ["Accept": "text/event-stream"])
            #expect(stream.headers["content-type"]?.hasPrefix("text/event-stream") == true)
            let text = String(decoding: stream.body, as: UTF8.self)
            let ids = text.split(separator: "\n").filter { $0.hasPrefix("id: ") }.compactMap { Int($0.dropFirst(4)) }
            #expect(!ids.isEmpty && ids == Array(1...ids.count))
            #expect(text.contains("event: end"))
            #expect(text.contains("\"result\":\"succeeded\""))

            let resumed = try await server.request("GET", "/api/v1/jobs/\(jobID)", headers: ["Accept": "text/event-stream", "Last-Event-ID": "\(ids.count - 1)"])
            let resumedIDs = String(decoding: resumed.body, as: UTF8.self).split(separator: "\n").filter { $0.hasPrefix("id: ") }.compactMap { Int($0.dropFirst(4)) }
            #expect(resumedIDs == [ids.count])
        }
    }
}
