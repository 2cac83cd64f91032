import Testing

@testable import cubicle_bench

@Suite struct ShellBenchLogicTests {
    @Test func execFramesRoundTripThroughTheirChannelByte() {
        let frames: [ExecFrame] = [.stdin([0x61, 0x62]), .stdout([0x0A]), .stderr([]), .status(Array(#"{"status":"Success"}"#.utf8)), .close(channel: 0)]
        for frame in frames {
            #expect(ExecFrame(decoding: frame.encoded) == frame)
        }
        #expect(ExecFrame.stdin([7]).encoded == [0, 7])
        #expect(ExecFrame.close(channel: 0).encoded == [255, 0])
        #expect(ExecFrame.resize(cols: 120, rows: 40).encoded == [4] + Array(#"{"Width":120,"Height":40}"#.utf8))
    }

    @Test func emptyAndUnknownMessagesAreNotMistakenForOutput() {
        #expect(ExecFrame(decoding: [UInt8]()) == nil)
        #expect(ExecFrame(decoding: [9, 1, 2]) == .unknown(channel: 9, payload: [1, 2]))
        #expect(ExecFrame(decoding: [255, 1, 2]) == .unknown(channel: 255, payload: [1, 2]))
    }

    @Test func statusSuccessIsReadFromTheStatusDocument() {
        #expect(ExecFrame.isSuccess(status: Array(#"{"metadata":{},"status":"Success"}"#.utf8)))
        #expect(!ExecFrame.isSuccess(status: Array(#"{"metadata":{},"status":"Failure","reason":"NonZeroExitCode"}"#.utf8)))
    }

    @Test func cpuTicksCountFromTheLastParenthesisOfTheCommandName() {
        // A thread name with spaces and a parenthesis must not shift the fields.
        let stat = "4242 (NIO-ELT-0 (x) #1) S 1 4242 4242 0 -1 4194560 100 0 0 0 37 5 0 0 20 0 8 0 123 456 789"
        #expect(ProcessStats.cpuTicks(stat: stat) == 42)
        #expect(ProcessStats.cpuTicks(stat: "garbage") == nil)
        #expect(ProcessStats.cpuTicks(stat: "1 (x) S 1 2") == nil)
    }

    @Test func echoLatencyIsTakenWhenTheLastByteOfAWriteComesBack() {
        var ledger = EchoLedger()
        ledger.wrote(4, at: 1.000)
        ledger.wrote(4, at: 1.010)
        ledger.read(3, at: 1.002)
        #expect(ledger.latencies.isEmpty)
        ledger.read(2, at: 1.005)
        #expect(ledger.latencies.count == 1)
        #expect(abs(ledger.latencies[0] - 5) < 1e-6)
        #expect(!ledger.caughtUp)
        ledger.read(3, at: 1.030)
        #expect(ledger.latencies.count == 2)
        #expect(abs(ledger.latencies[1] - 20) < 1e-6)
        #expect(ledger.caughtUp)
        #expect(ledger.sent == 8 && ledger.received == 8)
    }

    @Test func sshRunsTheCommandLineCubicleHandsTheShell() {
        #expect(ShellPrograms.commandLine(["sh", "-c", "printf 'x'"]) == #"'sh' '-c' 'printf '\''x'\'''"#)
        #expect(ShellPrograms.keystroke(0) == UInt8(ascii: "a"))
        #expect(ShellPrograms.keystroke(27) == UInt8(ascii: "b"))
    }
}
