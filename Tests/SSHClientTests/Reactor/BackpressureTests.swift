import Foundation
import SSHClient
import Testing

@Suite(.timeLimit(.minutes(3))) struct BackpressureTests {
    @Test func slowConsumerBoundsMemoryAndOtherChannelsStillAnswer() async throws {
        try await withSSHD { sshd in
            // One reactor thread: the flood and the second channel share it.
            try await withReactor(threads: 1) { reactor in
                var options = SSHSessionOptions()
                options.outputBufferBytes = 256 * 1024
                let session = try await reactor.connect(to: sshd.target(), options: options)
                let total = 200 * 1024 * 1024
                let flood = try await session.exec("yes | head -c \(total)")

                // Nobody reads: the channel must stop reading and stay within its buffer.
                try await waitUntil("the flooding channel pauses") { flood.isOutputPaused }
                #expect(flood.bufferedOutputBytes <= options.outputBufferBytes)

                // Meanwhile another channel on the same session and thread still completes.
                let answer = try await session.run("echo $((6*7))", timeout: 30)
                #expect(answer.stdoutText == "42\n")
                #expect(flood.bufferedOutputBytes <= options.outputBufferBytes)

                var received = 0
                var chunks = 0
                for try await chunk in flood.output {
                    received += chunk.bytes.count
                    chunks += 1
                    if chunks <= 40 { try await Task.sleep(for: .milliseconds(5)) }
                }
                #expect(received == total)
                // The channel's own high-water mark is the property; the process RSS is shared with
                // every other test running in parallel and says nothing about this channel. On
                // resume the channel takes everything libssh kept back at once (so libssh's window
                // stays bounded), which is at most two of libssh's 1,280,000-byte windows.
                #expect(flood.peakBufferedOutputBytes <= options.outputBufferBytes + 2 * 1_280_000)
                #expect(try await flood.exitStatus() == SSHExit(code: 0))
            }
        }
    }
}
