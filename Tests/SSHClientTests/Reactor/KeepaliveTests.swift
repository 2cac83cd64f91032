import Foundation
import SSHClient
import Testing

@Suite(.timeLimit(.minutes(2))) struct KeepaliveTests {
    @Test func aFrozenServerIsDetectedAndItsChannelsFail() async throws {
        try await withSSHD { sshd in
            try await withReactor { reactor in
                var options = SSHSessionOptions()
                options.keepaliveInterval = 0.3
                options.keepaliveMaxMissed = 2
                let session = try await reactor.connect(to: sshd.target(), options: options)
                let channel = try await session.exec("sleep 60")
                #expect(sshd.freezeSessions() > 0)
                let error = await #expect(throws: SSHError.self) { _ = try await readAll(channel) }
                #expect(error?.reason == .sessionDied)
                #expect(error?.message.contains("keepalive") == true)
                #expect(session.failure?.reason == .sessionDied)
                #expect(!session.isUsable)
                await #expect(throws: SSHError.self) { _ = try await channel.exitStatus() }
                await #expect(throws: SSHError.self) { _ = try await session.exec("true") }
            }
        }
    }

    @Test func keepalivesKeepAQuietHealthySessionAlive() async throws {
        try await withSSHD { sshd in
            try await withReactor { reactor in
                var options = SSHSessionOptions()
                options.keepaliveInterval = 0.25
                options.keepaliveMaxMissed = 3
                let session = try await reactor.connect(to: sshd.target(), options: options)
                // 3 s of silence is 12 keepalive intervals, and an unanswered session dies after 4:
                // only answered keepalives keep it alive. (Three misses are allowed so that a busy
                // machine's scheduling stall is not taken for a dead server.)
                let result = try await session.run("sleep 3; echo awake")
                #expect(result.stdoutText == "awake\n")
                #expect(session.isUsable)
            }
        }
    }
}
