import CubicleModel
import Foundation
import SSHClient
import Testing

@Suite(.timeLimit(.minutes(3))) struct SSHSessionPoolTests {
    @Test func hundredConcurrentExecsShareOneSessionConnectedOnce() async throws {
        try await withSSHD { sshd in
            try await withReactor { reactor in
                let pool = SSHSessionPool(reactor: reactor)
                let target = sshd.target()
                let outputs = try await withThrowingTaskGroup(of: (Int, String).self) { group in
                    for index in 0..<100 {
                        group.addTask {
                            let result = try await pool.run(key: "alice-1234567", target: target, command: "echo n\(index)")
                            return (index, result.stdoutText)
                        }
                    }
                    var outputs: [Int: String] = [:]
                    for try await (index, text) in group { outputs[index] = text }
                    return outputs
                }
                #expect(outputs.count == 100)
                #expect(outputs.allSatisfy { $0.value == "n\($0.key)\n" })
                #expect(pool.statistics.connects == 1)
                #expect(sshd.log.components(separatedBy: "Accepted publickey").count - 1 == 1)
                _ = try await pool.run(key: "alice-1234567", target: target, command: "true")
                #expect(pool.statistics.connects == 1)
                #expect(pool.statistics.reuses >= 1)
                await pool.shutdown()
            }
        }
    }

    @Test func poolReconnectsAfterTheServerRestarts() async throws {
        try await withSSHD { sshd in
            try await withReactor { reactor in
                let pool = SSHSessionPool(reactor: reactor)
                let first = try await pool.session(for: "ws", target: sshd.target())
                #expect(try await pool.run(key: "ws", target: sshd.target(), command: "echo one").stdoutText == "one\n")
                try await sshd.restart()
                try await waitUntil("the old session notices the server is gone") { !first.isUsable }
                #expect(first.failure?.reason == .sessionDied)
                #expect(try await pool.run(key: "ws", target: sshd.target(), command: "echo two").stdoutText == "two\n")
                #expect(pool.statistics.connects == 2)
                await pool.shutdown()
            }
        }
    }

    @Test func aChangedTargetGetsANewSession() async throws {
        try await withSSHD { first in
            try await withSSHD { second in
                try await withReactor { reactor in
                    let pool = SSHSessionPool(reactor: reactor)
                    let old = try await pool.session(for: "ws", target: first.target())
                    let new = try await pool.session(for: "ws", target: second.target())
                    #expect(old !== new)
                    #expect(new.target == second.target())
                    #expect(pool.statistics.replacements == 1)
                    try await waitUntil("the replaced idle session closes") { old.failure != nil }
                    #expect(try await pool.run(key: "ws", target: second.target(), command: "echo ok").stdoutText == "ok\n")
                    await pool.shutdown()
                }
            }
        }
    }

    @Test func idleSessionsCloseAfterTheIdleTimeoutButBusyOnesStay() async throws {
        try await withSSHD { sshd in
            try await withReactor { reactor in
                let clock = ManualTimeSource()
                var options = SSHSessionOptions()
                options.timeSource = clock
                let pool = SSHSessionPool(reactor: reactor, options: options, idleTimeout: 60)
                let target = sshd.target()
                _ = try await pool.run(key: "ws", target: target, command: "true")
                let session = try await pool.session(for: "ws", target: target)
                clock.advance(by: 30)
                #expect(pool.closeIdleSessions() == 0)

                let shell = try await pool.openShell(key: "ws", target: target)
                clock.advance(by: 120)
                #expect(pool.closeIdleSessions() == 0)
                shell.close()
                try await waitUntil("the shell's channel is released") { session.channelCount == 0 }
                clock.advance(by: 61)
                #expect(pool.closeIdleSessions() == 1)
                #expect(!session.isUsable)
                try await waitUntil("the idle session is closed") { session.failure?.reason == .sessionClosed }

                _ = try await pool.run(key: "ws", target: target, command: "true")
                #expect(pool.statistics.connects == 2)
                #expect(pool.statistics.idleClosures == 1)
                await pool.shutdown()
            }
        }
    }

    @Test func shutdownClosesEverySessionAndRefusesNewOnes() async throws {
        try await withSSHD { sshd in
            try await withReactor { reactor in
                let pool = SSHSessionPool(reactor: reactor)
                let session = try await pool.session(for: "ws", target: sshd.target())
                await pool.shutdown()
                try await waitUntil("the session is closed") { session.failure != nil }
                let error = await #expect(throws: SSHError.self) { _ = try await pool.session(for: "ws", target: sshd.target()) }
                #expect(error?.reason == .shutDown)
            }
        }
    }
}
