import Foundation
import SSHClient
import Testing

@Suite(.timeLimit(.minutes(5))) struct ExecTests {
    @Test func execRunsTheCommandThroughTheLoginShell() async throws {
        try await withSSHD { sshd in
            try await withReactor { reactor in
                let session = try await reactor.connect(to: sshd.target())
                let result = try await session.run("echo $((6*7))")
                #expect(result.stdoutText == "42\n")
                #expect(result.stderrText == "")
                #expect(result.exitCode == 0)
            }
        }
    }

    @Test func exitCodesAndSignalsAreReported() async throws {
        try await withSSHD { sshd in
            try await withReactor { reactor in
                let session = try await reactor.connect(to: sshd.target())
                let failed = try await session.run("exit 3")
                #expect(failed.exit == SSHExit(code: 3))
                let killed = try await session.run("kill -TERM $$")
                #expect(killed.exit.code == nil)
                #expect(killed.exit.signal == "TERM")
            }
        }
    }

    @Test func stdoutAndStderrAreSeparated() async throws {
        try await withSSHD { sshd in
            try await withReactor { reactor in
                let session = try await reactor.connect(to: sshd.target())
                let channel = try await session.exec("echo out; echo err >&2; echo out2")
                let (stdout, stderr) = try await readAll(channel)
                #expect(stdout == "out\nout2\n")
                #expect(stderr == "err\n")
                #expect(try await channel.exitStatus() == SSHExit(code: 0))
            }
        }
    }

    @Test func stdinIsPipedToTheProgramAndEOFEndsIt() async throws {
        try await withSSHD { sshd in
            try await withReactor { reactor in
                let session = try await reactor.connect(to: sshd.target())
                // Bigger than the SSH window and the stdin queue, so writes must wait for the remote.
                let payload = (0..<(3 * 1024 * 1024)).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ $0 >> 9) }
                let channel = try await session.exec("cat; echo after-eof >&2")
                async let written: Void = {
                    var offset = 0
                    while offset < payload.count {
                        let end = min(payload.count, offset + 100_000)
                        try await channel.write(Array(payload[offset..<end]))
                        offset = end
                    }
                    channel.sendEOF()
                }()
                var echoed: [UInt8] = []
                var stderr = ""
                for try await chunk in channel.output {
                    if chunk.stream == .stdout { echoed += chunk.bytes } else { stderr += String(decoding: chunk.bytes, as: UTF8.self) }
                }
                try await written
                #expect(echoed == payload)
                #expect(stderr == "after-eof\n")
                #expect(try await channel.exitStatus() == SSHExit(code: 0))
            }
        }
    }

    /// Output read by a consumer that keeps falling behind arrives whole and in order: every
    /// resume of kept-back output must hand the older bytes on before any that arrive meanwhile.
    @Test func outputReadInFitsAndStartsArrivesInOrder() async throws {
        try await withSSHD { sshd in
            try await withReactor { reactor in
                let session = try await reactor.connect(to: sshd.target())
                let expected = Array((1...700_000).map { "\($0)\n" }.joined().utf8)
                // A few rounds: the race this guards against does not lose every time.
                for round in 1...3 {
                    let channel = try await session.exec("seq 1 700000")
                    var received: [UInt8] = []
                    var chunks = 0
                    for try await chunk in channel.output where chunk.stream == .stdout {
                        received += chunk.bytes
                        chunks += 1
                        // Fall behind now and then, so the channel keeps stopping and resuming.
                        if chunks % 8 == 0 { try await Task.sleep(for: .milliseconds(2)) }
                    }
                    #expect(received.count == expected.count, "round \(round)")
                    if received != expected {
                        // Only a failure pays for finding where (the walk is slow in a debug build).
                        let firstDifference = zip(received, expected).enumerated().first { $0.element.0 != $0.element.1 }?.offset
                        Issue.record("round \(round): output differs from byte \(firstDifference ?? min(received.count, expected.count)) on")
                    }
                    #expect(try await channel.exitStatus() == SSHExit(code: 0))
                }
            }
        }
    }

    @Test func environmentVariablesReachTheProgram() async throws {
        try await withSSHD { sshd in
            try await withReactor { reactor in
                let session = try await reactor.connect(to: sshd.target())
                let result = try await session.run("printf %s \"$CUBICLE_GREETING\"", environment: ["CUBICLE_GREETING": "hi there"])
                #expect(result.stdoutText == "hi there")
                await #expect(throws: SSHError.self) {
                    _ = try await session.run("true", environment: ["NOT_ACCEPTED": "x"])
                }
                #expect(try await session.run("echo still-usable").stdoutText == "still-usable\n")
            }
        }
    }

    @Test func channelsBeyondTheSlotLimitWaitAndTimeOutClearly() async throws {
        try await withSSHD { sshd in
            try await withReactor { reactor in
                var options = SSHSessionOptions()
                options.maxChannels = 1
                options.channelOpenTimeout = 3
                let session = try await reactor.connect(to: sshd.target(), options: options)
                let shell = try await session.openShell()
                let error = await #expect(throws: SSHError.self) { _ = try await session.exec("true") }
                #expect(error?.reason == .timedOut)
                #expect(error?.message.contains("channel slots") == true)
                shell.close()
                try await waitUntil("the shell's slot is free") { session.channelCount == 0 }
                #expect(try await session.run("echo freed").stdoutText == "freed\n")
            }
        }
    }

    @Test func runEnforcesOutputCapAndTimeout() async throws {
        try await withSSHD { sshd in
            try await withReactor { reactor in
                let session = try await reactor.connect(to: sshd.target())
                let tooBig = await #expect(throws: SSHError.self) {
                    _ = try await session.run("head -c 100000 /dev/zero", maxOutputBytes: 50_000)
                }
                #expect(tooBig?.reason == .outputTooLarge)
                let slow = await #expect(throws: SSHError.self) {
                    _ = try await session.run("sleep 30", timeout: 0.5)
                }
                #expect(slow?.reason == .timedOut)
                #expect(slow?.code == .timeout)
                let fed = try await session.run("wc -c", stdin: Array(repeating: 65, count: 12345))
                #expect(fed.stdoutText.trimmingCharacters(in: .whitespacesAndNewlines) == "12345")
            }
        }
    }
}
