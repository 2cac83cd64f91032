import CubicleTestSupport
import Foundation
import Testing

/// Bytes no kubectl or browser would send over the shell WebSocket, from a raw socket client:
/// each gets its documented close code, the session behind it ends (no leaked row or SSH
/// channel), and the server keeps serving health checks and new shells.
@Suite(.shellWorkspace) struct ShellFaultTests {
    /// One kind of garbage and the close code it must get.
    struct Garbage: Sendable, CustomTestStringConvertible {
        let name: String
        let bytes: @Sendable () -> [UInt8]
        let code: UInt16
        var testDescription: String { name }

        static func binary(_ payload: [UInt8]) -> [UInt8] { RawWebSocket.encode(opcode: 0x2, payload) }

        static let all: [Garbage] = [
            Garbage(name: "text frame", bytes: { RawWebSocket.encode(opcode: 0x1, Array("ls\n".utf8)) }, code: 1003),
            Garbage(name: "invalid UTF-8 in a text frame", bytes: { RawWebSocket.encode(opcode: 0x1, [0x6C, 0xC3, 0x28, 0xFF, 0xFE]) }, code: 1003),
            Garbage(name: "unknown channel 9", bytes: { binary([9, 0x41, 0x42]) }, code: 1008),
            Garbage(name: "server channel 3", bytes: { binary([3] + Array("{}".utf8)) }, code: 1008),
            Garbage(name: "close of stdout (255,1)", bytes: { binary([255, 1]) }, code: 1008),
            Garbage(name: "1 MiB resize JSON", bytes: {
                binary([4] + Array(#"{"Width":80,"Height":24,"pad":""#.utf8) + [UInt8](repeating: 0x61, count: (1 << 20) - 64) + Array(#""}"#.utf8))
            }, code: 1007),
            Garbage(name: "malformed resize", bytes: { binary([4] + Array(#"{"Width":"#.utf8)) }, code: 1007),
            Garbage(name: "negative resize", bytes: { binary([4] + Array(#"{"Width":-5,"Height":10}"#.utf8)) }, code: 1007),
            Garbage(name: "enormous resize numbers", bytes: {
                binary([4] + Array(#"{"Width":1e400,"Height":99999999999999999999999999}"#.utf8))
            }, code: 1007),
            Garbage(name: "resize with a zero", bytes: { binary([4] + Array(#"{"Width":0,"Height":0}"#.utf8)) }, code: 1007),
            Garbage(name: "16 MiB binary frame", bytes: {
                // The header declares 16 MiB; the first 64 KiB follow. The server must refuse on
                // the header, not collect (or allocate) 16 MiB.
                [0x82, 0x80 | 127, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0] + [UInt8](repeating: 0, count: 64 * 1024)
            }, code: 1009),
            Garbage(name: "fragments adding up past the message limit", bytes: {
                let part = [UInt8](repeating: 0x61, count: 700 * 1024)
                return RawWebSocket.encode(opcode: 0x2, [0] + part, fin: false) + RawWebSocket.encode(opcode: 0x0, part, fin: false)
                    + RawWebSocket.encode(opcode: 0x0, part, fin: true)
            }, code: 1009),
            Garbage(name: "reserved opcode 3", bytes: { RawWebSocket.encode(opcode: 0x3, [1, 2, 3]) }, code: 1002),
            Garbage(name: "RSV bits set", bytes: {
                var frame = RawWebSocket.encode(opcode: 0x2, [0] + Array("x".utf8))
                frame[0] |= 0x70
                return frame
            }, code: 1002),
            Garbage(name: "continuation without a start", bytes: { RawWebSocket.encode(opcode: 0x0, [0, 0x41]) }, code: 1002),
        ]
    }

    static func connect(_ fixture: ShellWorkspace, _ query: String = "tty=false&command=cat", name: String) async throws -> (RawWebSocket, String) {
        let agent = "garbage-\(name.replacingOccurrences(of: " ", with: "-"))-\(UUID().uuidString.prefix(8))"
        let socket = try await RawWebSocket.connect(
            port: HostileHTTP.port(of: fixture.server.url), path: fixture.path(query), token: fixture.server.adminToken, userAgent: agent)
        try #require(socket.status == 101, "\(socket.head)")
        return (socket, agent)
    }

    /// Waits for the empty stdout frame the server sends once the shell runs.
    static func expectShellReady(_ socket: RawWebSocket) async throws {
        guard case .frame(let frame) = try await socket.next(timeout: 60) else { throw TestFailure("no frame after the upgrade") }
        #expect(frame.opcode == 0x2 && frame.payload == [1], "the first frame is an empty stdout frame")
    }

    /// The session row of `agent` gets its end time: the shell and its SSH channel are gone.
    static func expectSessionEnded(_ fixture: ShellWorkspace, agent: String) async throws {
        try await eventually("the session of \(agent) ends", within: 90) {
            let sessions = try await fixture.server.request("GET", "/api/v1/me/sessions?workspace=\(fixture.name)").json().array
            guard let row = sessions.first(where: { $0["client"] as? String == agent }) else { return false }
            return row["endTime"] is String
        }
    }

    /// The server still answers health checks and runs a new shell.
    static func expectHealthy(_ fixture: ShellWorkspace) async throws {
        #expect(try await fixture.server.request("GET", "/api/v1/healthcheck").status == 200)
        let (socket, _) = try await connect(fixture, "tty=false&command=echo&command=still-here", name: "after")
        defer { Task { await socket.close() } }
        let ending = try await socket.ending()
        #expect(ending.output(1) == "still-here\n")
        #expect(ending.closeCode == 1000)
    }

    @Test(arguments: Garbage.all)
    func garbageFrameClosesWithItsCodeAndEndsTheSession(_ garbage: Garbage) async throws {
        let fixture = try ShellWorkspace.get()
        let (socket, agent) = try await Self.connect(fixture, name: garbage.name)
        defer { Task { await socket.close() } }
        try await Self.expectShellReady(socket)
        // The server may refuse before reading everything; what it answers still counts.
        try? await socket.sendRaw(garbage.bytes())
        let ending = try await socket.ending(timeout: 60)
        #expect(ending.closeCode == garbage.code, "\(garbage.name): close \(ending.closeCode.map(String.init) ?? "none") \(ending.closeReason)")
        #expect(ending.socketClosed, "\(garbage.name): the server must close the connection")
        try await Self.expectSessionEnded(fixture, agent: agent)
        try await Self.expectHealthy(fixture)
    }

    @Test func emptyBinaryFramesAndEmptyStdinAreIgnored() async throws {
        let fixture = try ShellWorkspace.get()
        let (socket, agent) = try await Self.connect(fixture, name: "empty")
        defer { Task { await socket.close() } }
        try await socket.send(opcode: 0x2, [])
        try await socket.send(channel: 0, [])
        try await socket.send(channel: 0, Array("alive\n".utf8))
        #expect(try await socket.waitForOutput("alive\n"), "cat echoes after empty frames")
        try await socket.send(channel: 255, [0])
        let ending = try await socket.ending()
        #expect(ending.closeCode == 1000)
        try await Self.expectSessionEnded(fixture, agent: agent)
    }

    /// The WebSocket library does not check the mask bit; an unmasked frame is read as data
    /// (masking protects proxies' caches, not this server) — documented in docs/shells.md.
    @Test func unmaskedClientFramesAreReadAsData() async throws {
        let fixture = try ShellWorkspace.get()
        let (socket, agent) = try await Self.connect(fixture, name: "unmasked")
        defer { Task { await socket.close() } }
        try await socket.sendRaw(RawWebSocket.encode(opcode: 0x2, [0] + Array("unmasked\n".utf8), masked: false))
        #expect(try await socket.waitForOutput("unmasked\n"))
        try await socket.send(channel: 255, [0])
        #expect(try await socket.ending().closeCode == 1000)
        try await Self.expectSessionEnded(fixture, agent: agent)
    }

    @Test func framesAfterTheClientsCloseAreIgnoredAndTheCloseIsAnswered() async throws {
        let fixture = try ShellWorkspace.get()
        let (socket, agent) = try await Self.connect(fixture, name: "after-close")
        defer { Task { await socket.close() } }
        try await Self.expectShellReady(socket)
        try await socket.sendRaw(
            RawWebSocket.encode(opcode: 0x8, [0x03, 0xE8] + Array("bye".utf8)) + RawWebSocket.encode(opcode: 0x2, [0] + Array("late\n".utf8))
                + RawWebSocket.encode(opcode: 0x1, Array("late".utf8)) + RawWebSocket.encode(opcode: 0x8, [0x03, 0xE8]))
        let ending = try await socket.ending()
        #expect(ending.closeCode == 1000, "\(ending.closeReason)")
        #expect(ending.socketClosed)
        #expect(!ending.output(1).contains("late"), "input after the close must not reach the program")
        try await Self.expectSessionEnded(fixture, agent: agent)
        try await Self.expectHealthy(fixture)
    }

    @Test func halfSentHandshakeHoldsNothingElseUp() async throws {
        let fixture = try ShellWorkspace.get()
        let port = HostileHTTP.port(of: fixture.server.url)
        let full = RawWebSocket.handshake(path: fixture.path("tty=false&command=cat"), token: fixture.server.adminToken, userAgent: "half")
        var stalled: [RawHTTP] = []
        for cut in [0, 20, full.count / 2, full.count - 2] {
            let connection = try await RawHTTP.open(port: port)
            try await connection.send(Array(full.prefix(cut)))
            stalled.append(connection)
        }
        try await Self.expectHealthy(fixture)
        for connection in stalled { await connection.close() }
        try await Self.expectHealthy(fixture)
    }
}
