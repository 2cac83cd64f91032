import CubicleTestSupport
import Foundation
import Testing

/// What an attacker (or a broken client) sends at the HTTP layer gets a 4xx or a closed
/// connection, never a crash or a 500, and the server stays healthy for everyone else.
@Suite struct HTTPGarbageTests {
    static func request(_ head: String, body: [UInt8] = []) -> [UInt8] { Array(head.utf8) + body }

    @Test func hostileRequestsGetClientErrorsAndTheServerStaysHealthy() async throws {
        try await ServerHarness.with { server in
            let port = HostileHTTP.port(of: server.url)
            let auth = "Authorization: Bearer \(server.adminToken)\r\n"

            // Invalid UTF-8 in the path.
            var invalidPath = Array("GET /api/v1/workspaces/".utf8) + [0xFF, 0xFE, 0xC0, 0x80]
            invalidPath += Array(" HTTP/1.1\r\nHost: x\r\n\(auth)Connection: close\r\n\r\n".utf8)
            let pathAnswer = try await HostileHTTP.exchange(invalidPath, port: port)
            #expect(pathAnswer.ended, "the server left the connection hanging")
            #expect(pathAnswer.status.map { (400..<500).contains($0) } ?? true, "\(pathAnswer.text.prefix(200))")

            // Percent-encoded invalid UTF-8 and NUL.
            for path in ["/api/v1/workspaces/%FF%FE", "/api/v1/workspaces/a%00b", "/api/v1/jobs/%C0%80", "/api/v1/users/%FF/profile"] {
                let answer = try await HostileHTTP.exchange(Self.request("GET \(path) HTTP/1.1\r\nHost: x\r\n\(auth)Connection: close\r\n\r\n"), port: port)
                #expect(answer.status.map { (400..<500).contains($0) } == true, "\(path): \(answer.text.prefix(200))")
            }

            // A 1 MiB header.
            let hugeHeader = "X-Big: " + String(repeating: "a", count: 1 << 20) + "\r\n"
            let big = try await HostileHTTP.exchange(Self.request("GET /api/v1/workspaces HTTP/1.1\r\nHost: x\r\n\(auth)\(hugeHeader)Connection: close\r\n\r\n"), port: port)
            #expect(big.ended, "the server left the connection hanging")
            #expect(big.status.map { (400..<500).contains($0) } ?? true, "\(big.text.prefix(200))")

            // Conflicting framing (Content-Length and chunked) must not smuggle a second request.
            let smuggle = "POST /api/v1/workspaces HTTP/1.1\r\nHost: x\r\n\(auth)Content-Type: application/json\r\n"
                + "Content-Length: 4\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n0\r\n\r\nGET /api/v1/users HTTP/1.1\r\nHost: x\r\n\r\n"
            let smuggled = try await HostileHTTP.exchange(Self.request(smuggle), port: port)
            #expect(smuggled.ended, "the server left the connection hanging")
            #expect(smuggled.status.map { (400..<500).contains($0) } ?? true, "\(smuggled.text.prefix(300))")
            #expect(!smuggled.text.contains("\"username\""), "a second, smuggled request was answered")

            // Deeply nested JSON must not overflow the stack.
            let deep = String(repeating: "[", count: 100_000) + String(repeating: "]", count: 100_000)
            let nested = try await server.request("POST", "/api/v1/workspaces", body: deep)
            #expect(nested.status == 400)
            let deepObject = String(repeating: "{\"a\":", count: 50_000) + "1" + String(repeating: "}", count: 50_000)
            #expect(try await server.request("POST", "/api/v1/users", body: deepObject).status == 400)

            // Invalid UTF-8 inside a JSON string.
            let invalidBody = Array(#"{"blueprint":""#.utf8) + [0xFF, 0xFE, 0x22, 0x7D]
            let badString = Self.request(
                "POST /api/v1/workspaces HTTP/1.1\r\nHost: x\r\n\(auth)Content-Type: application/json\r\nContent-Length: \(invalidBody.count)\r\nConnection: close\r\n\r\n",
                body: invalidBody)
            let badAnswer = try await HostileHTTP.exchange(badString, port: port)
            #expect(badAnswer.status == 400, "\(badAnswer.text.prefix(200))")

            // Control characters and an absurd token in Authorization.
            for token in ["\u{1}\u{2}", String(repeating: "x", count: 8000), "cub_" + String(repeating: "A", count: 43) + "%"] {
                let answer = try await HostileHTTP.exchange(Self.request("GET /api/v1/workspaces HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer \(token)\r\nConnection: close\r\n\r\n"), port: port)
                // A header the parser refuses may just close the connection; it must never hang.
                #expect(answer.ended, "the server left the connection hanging")
                #expect(answer.status.map { [400, 401, 431].contains($0) } ?? true, "\(answer.text.prefix(200))")
            }

            // A body that stops short of its Content-Length leaves nothing behind (the server rightly
            // waits for the rest, so only what it answered, if anything, is judged).
            let short = try await HostileHTTP.exchange(
                Self.request("POST /api/v1/workspaces HTTP/1.1\r\nHost: x\r\n\(auth)Content-Type: application/json\r\nContent-Length: 1000\r\nConnection: close\r\n\r\n{\"blue"),
                port: port, timeout: 2)
            #expect(short.status.map { $0 != 500 && $0 != 202 } ?? true, "\(short.text.prefix(200))")

            // Still healthy, and none of it created anything.
            #expect(try await server.request("GET", "/api/v1/healthcheck", token: .some(nil)).status == 200)
            #expect(try await server.request("GET", "/api/v1/workspaces").json().array.isEmpty)
        }
    }

    /// A client that never completes its request head (none at all, or one trickled) and a
    /// kept-alive connection left silent lose their connections after `http.headerTimeout` /
    /// `http.idleTimeout`, so idle sockets cannot pile up; complete requests are served meanwhile.
    /// A real `cubicle serve` child with the flags, so the timers run on its own event loops,
    /// not on ones a parallel test may be keeping busy.
    @Test func unfinishedRequestHeadsAndIdleConnectionsAreClosed() async throws {
        let data = try TemporaryDirectory("cubicle-head-timeout")
        defer { data.remove() }
        let serve = try await ServeProcess.start(
            dataDirectory: data.path, logName: "serve",
            extraArguments: ["--kubelet", "instant", "--http-header-timeout", "10", "--http-idle-timeout", "10"])
        do {
            let port = HostileHTTP.port(of: serve.url)
            // Warm the fresh server first (its first request is slow on a loaded machine, and a
            // head it has not read within the timeout would count as a stalled client).
            let warm = try await HostileHTTP.exchange(
                Array("GET /api/v1/healthcheck HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n".utf8), port: port, timeout: 60)
            #expect(warm.status == 200, "\(warm.text.prefix(200))")
            let health = Array("GET /api/v1/healthcheck HTTP/1.1\r\nHost: x\r\n\r\n".utf8)
            let idle = try await RawHTTP.open(port: port)
            try await idle.send(health)
            let answered = try await idle.receive { RawHTTP.holdsCompleteResponse($0) }
            #expect(answered.text.hasPrefix("HTTP/1.1 200"), "\(answered.text.prefix(200))")
            let silent = try await RawHTTP.open(port: port)
            let partial = try await RawHTTP.open(port: port)
            try await partial.send(Array(health.dropLast(2)))
            let upgrade = try await RawHTTP.open(port: port)
            try await upgrade.send(Array("GET /api/v1/workspaces/x/interactive HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\n".utf8))
            for (name, connection) in [("silent", silent), ("partial head", partial), ("partial upgrade", upgrade), ("idle keep-alive", idle)] {
                let outcome = try await connection.drain(timeout: 90)
                #expect(outcome.closed, "the \(name) connection was left open")
                await connection.close()
            }
            // A fresh connection is served as before.
            let fresh = try await HostileHTTP.exchange(
                Array("GET /api/v1/healthcheck HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n".utf8), port: port)
            #expect(fresh.status == 200, "\(fresh.text.prefix(200))")
        } catch {
            try? await serve.stop(signal: SIGKILL)
            throw error
        }
        try await serve.stop(signal: SIGTERM)
    }
}
