import CubicleModel
import Foundation
import SSHClient
import Testing

@Suite(.timeLimit(.minutes(3))) struct SSHSessionPoolTests {
    @Test func hundredConcurrentExecsShareOneSessionConnectedOnce() async throws {
        try await withSSHD { sshd in
            try await withReactor { reactor in
                // One connection per key: the 100 execs queue for its channel slots.
                let pool = SSHSessionPool(reactor: reactor, maxSessionsPerKey: 1)
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

    @Test func channelsBeyondOneConnectionsSlotsOpenOnExtraConnections() async throws {
        // sshd allows 3 sessions per connection; 10 long-running channels need 4 connections.
        try await withSSHD(extraConfig: ["MaxSessions 3"]) { sshd in
            try await withReactor { reactor in
                var options = SSHSessionOptions()
                options.maxChannels = 3
                options.channelOpenTimeout = 10
                let pool = SSHSessionPool(reactor: reactor, options: options, maxSessionsPerKey: 4)
                let target = sshd.target()
                let channels = try await withThrowingTaskGroup(of: SSHChannel.self) { group in
                    for index in 0..<10 {
                        group.addTask {
                            let channel = try await pool.exec(key: "ws", target: target, command: "echo started \(index); cat")
                            var seen: [UInt8] = []
                            for try await chunk in channel.output {
                                seen += chunk.bytes
                                if seen.contains(0x0A) { break }
                            }
                            #expect(String(decoding: seen, as: UTF8.self) == "started \(index)\n")
                            return channel
                        }
                    }
                    var channels: [SSHChannel] = []
                    for try await channel in group { channels.append(channel) }
                    return channels
                }
                #expect(channels.count == 10)
                #expect(pool.sessionCount(for: "ws") == 4)
                #expect(Set(channels.map { ObjectIdentifier($0.session) }).count == 4)
                #expect(channels.allSatisfy { $0.session.channelCount <= 3 })
                for channel in channels { channel.close() }
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
