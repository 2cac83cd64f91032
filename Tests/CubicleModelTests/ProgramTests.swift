import CubicleModel
import Foundation
import Testing

/// `Program` is what every child process of Cubicle and its tests starts through.
@Suite struct ProgramTests {
    @Test func stdoutAndStderrArriveApartWithTheExitCode() throws {
        let outcome = try Program.run("/bin/sh", ["-c", "printf out; printf err >&2; exit 7"])
        #expect(outcome.output == "out")
        #expect(outcome.errors == "err")
        #expect(outcome.status == 7 && !outcome.signaled && !outcome.succeeded)
    }

    @Test func inputLargerThanASocketBufferReachesStdinWhileOutputIsRead() throws {
        let input = [UInt8](repeating: UInt8(ascii: "x"), count: 4 << 20)
        let outcome = try Program.run("/bin/cat", [], input: input)
        #expect(outcome.succeeded)
        #expect(outcome.stdout.count == input.count)
    }

    @Test func aProgramPastItsTimeoutIsKilled() throws {
        let outcome = try Program.run("/bin/sleep", ["30"], timeout: 0.2)
        #expect(outcome.timedOut)
        #expect(outcome.signaled && outcome.status == 128 + SIGKILL)
    }

    @Test func environmentAndWorkingDirectoryAreTheOnesGiven() throws {
        let outcome = try Program.run("/bin/sh", ["-c", "printf '%s|%s' \"$GREETING\" \"$PWD\""], environment: ["GREETING": "hi there"], workingDirectory: "/tmp")
        #expect(outcome.output == "hi there|/tmp")
    }

    @Test func aMissingProgramIsALaunchErrorNamingIt() {
        #expect(throws: Program.LaunchError.self) { try Program.run("/nonexistent/program", []) }
    }

    @Test func aLaunchedChildCanBeSignalledAndReaped() throws {
        let child = try Program.launch("/bin/sleep", ["30"], stdout: .null, stderr: .null)
        #expect(child.poll() == nil)
        child.signal(SIGTERM)
        let (status, signaled) = child.wait()
        #expect(signaled && status == 128 + SIGTERM)
    }
}
