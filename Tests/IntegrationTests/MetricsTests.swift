import CubicleTestSupport
import Foundation
import Testing

/// `GET /metrics` on a real server: what a provision leaves there, that every line is valid
/// exposition format, that labels stay bounded, and who may scrape.
@Suite struct MetricsTests {
    /// A scrape as admin, parsed strictly.
    static func scrape(_ server: ServerHarness, token: String?? = .none) async throws -> (Exposition, String) {
        let reply = try await server.request("GET", "/metrics", token: token)
        let text = String(decoding: reply.body, as: UTF8.self)
        guard reply.status == 200 else { throw TestFailure("GET /metrics answered \(reply.status): \(text.prefix(300))") }
        guard reply.headers["content-type"] == "text/plain; version=0.0.4; charset=utf-8" else {
            throw TestFailure("content type \(reply.headers["content-type"] ?? "none")")
        }
        return (try Exposition(parsing: text), text)
    }

    @Test func provisionShowsAsJobOutcomeDurationWorkspaceStatusRequestsAndProcessFigures() async throws {
        try await ServerHarness.with { server in
            let reply = try await server.request("POST", "/api/v1/workspaces", body: #"{"blueprint":"dev"}"#)
            #expect(reply.status == 202)
            let answer = try reply.json()
            let name = try #require(answer["workspace"] as? String)
            let jobID = try #require(answer["jobId"] as? String)
            let job = try await server.finishedJob(jobID)
            try #require(job["result"] as? String == "succeeded")
            // An unknown path, to prove it does not become a label.
            let probe = "no-such-route-\(UInt32.random(in: 0...UInt32.max))"
            #expect(try await server.request("GET", "/api/v1/\(probe)").status == 404)

            let (metrics, text) = try await Self.scrape(server)
            #expect((metrics.value("cubicle_jobs_total", ["action": "provision", "result": "succeeded"]) ?? 0) >= 1)
            #expect(metrics.value("cubicle_jobs_total", ["action": "delete", "result": "failed"]) == 0)
            #expect(metrics.types["cubicle_provision_duration_seconds"] == "histogram")
            #expect((metrics.value("cubicle_provision_duration_seconds_count", ["action": "provision"]) ?? 0) >= 1)
            #expect((metrics.value("cubicle_provision_duration_seconds_sum", ["action": "provision"]) ?? -1) >= 0)
            #expect(metrics.value("cubicle_workspaces", ["status": "Running"]) == 1)
            #expect(metrics.value("cubicle_workspaces", ["status": "Error"]) == 0)
            #expect((metrics.value("cubicle_http_requests_total", ["method": "POST", "status": "202"]) ?? 0) >= 1)
            #expect((metrics.value("cubicle_http_requests_total", ["method": "GET", "status": "404"]) ?? 0) >= 1)
            #expect(!metrics.samples("cubicle_http_request_duration_seconds_count", ["route": "unmatched"]).isEmpty)
            let routes = Set(metrics.samples("cubicle_http_request_duration_seconds_count").compactMap { $0.labels["route"] })
            #expect(routes.contains { $0.hasPrefix("/api/v1/jobs/") }, "\(routes)")
            #expect(metrics.value("cubicle_shell_sessions_active") == 0)
            #expect(metrics.value("cubicle_file_bytes_total", ["direction": "upload"]) == 0)
            #expect((metrics.value("process_resident_memory_bytes") ?? 0) > 0)
            #expect((metrics.value("process_open_fds") ?? 0) > 0)
            #expect((metrics.value("process_cpu_seconds_total") ?? 0) > 0)
            #expect((metrics.value("process_start_time_seconds") ?? 0) > Date().timeIntervalSince1970 - 86_400 * 7)
            // No label carries a path, a job id or a workspace name: series stay bounded.
            for needle in [probe, jobID, name] { #expect(!text.contains(needle), "\(needle) leaked into a label") }
        }
    }

    @Test func scrapingNeedsAnAdminCredentialAndAMetricsScopeIsEnough() async throws {
        try await ServerHarness.with { server in
            let alice = try await server.makeUser("alice")
            func token(_ bearer: String, scopes: String) async throws -> String {
                let reply = try await server.request(
                    "POST", "/api/v1/me/tokens", token: .some(bearer), body: #"{"name":"scrape","scopes":\#(scopes)}"#)
                return try #require(try reply.json()["token"] as? String)
            }
            let adminMetrics = try await token(server.adminToken, scopes: #"["metrics:read"]"#)
            let adminFiles = try await token(server.adminToken, scopes: #"["files:read"]"#)
            let aliceMetrics = try await token(alice, scopes: #"["metrics"]"#)

            let anonymous = try await server.request("GET", "/metrics", token: .some(nil))
            #expect(anonymous.status == 401)
            #expect(anonymous.headers["www-authenticate"] == "Bearer realm=\"cubicle\"")
            #expect(try await server.request("GET", "/metrics", token: .some(alice)).status == 403)
            #expect(try await server.request("GET", "/metrics", token: .some(aliceMetrics)).status == 403)
            #expect(try await server.request("GET", "/metrics", token: .some(adminFiles)).status == 403)
            let (metrics, _) = try await Self.scrape(server, token: .some(adminMetrics))
            #expect((metrics.value("cubicle_http_requests_total", ["method": "GET", "status": "401"]) ?? 0) >= 1)
            #expect((metrics.value("cubicle_http_requests_total", ["method": "GET", "status": "403"]) ?? 0) >= 3)
            // The metrics scope reaches nothing else, and /api/v1/metrics is not an alias.
            #expect(try await server.request("GET", "/api/v1/me/profile", token: .some(adminMetrics)).status == 403)
            #expect(try await server.request("GET", "/api/v1/metrics").status == 404)
        }
    }

    @Test func metricsPublicServesScrapesWithoutAToken() async throws {
        try await ServerHarness.with(configure: { $0.metricsPublic = true }) { server in
            let (metrics, _) = try await Self.scrape(server, token: .some(nil))
            #expect(metrics.types["cubicle_jobs_total"] == "counter")
            // Everything else still needs a credential.
            #expect(try await server.request("GET", "/api/v1/me/profile", token: .some(nil)).status == 401)
        }
    }

    @Test func strictParserRejectsWhatPrometheusWouldNot() {
        let valid = "# HELP a_total A.\n# TYPE a_total counter\na_total{k=\"v\\\"\\n\\\\\"} 1\n"
        #expect((try? Exposition(parsing: valid))?.value("a_total", ["k": "v\"\n\\"]) == 1)
        let broken = [
            "# TYPE a counter\na 1",  // no final line feed
            "# TYPE a counter\na{k=\"\\x\"} 1\n",  // bad escape
            "# TYPE a counter\na{k=v} 1\n",  // unquoted value
            "# TYPE a counter\na one\n",  // bad value
            "# TYPE a counter\nb 1\n",  // sample outside its family
            "# TYPE a counter\na 1\na 2\n",  // repeated series
            "# TYPE h histogram\nh_bucket{le=\"1\"} 2\nh_bucket{le=\"+Inf\"} 1\nh_sum 1\nh_count 1\n",  // not cumulative
            "# TYPE h histogram\nh_bucket{le=\"1\"} 1\nh_sum 1\nh_count 1\n",  // no +Inf
            "# TYPE a counter\na 1\n# TYPE b counter\nb 1\n# HELP a again\n",  // reopened family
        ]
        for text in broken { #expect((try? Exposition(parsing: text)) == nil, "accepted: \(text)") }
    }
}
