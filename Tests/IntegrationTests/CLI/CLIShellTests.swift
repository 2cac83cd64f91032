import CubicleModel
import CubicleTestSupport
import Foundation
import Testing

/// `cubicle shell` inside a real pseudo-terminal, driven like a person at a keyboard.
enum CLIShellTests {
    /// Runs `cubicle shell` in a pty under `sh`, which records `stty -a` before and after: a prompt
    /// answers `echo $((6*7))`, `stty size` follows a resize of the outer terminal, Ctrl-C stops
    /// `sleep 100` without ending the shell, `exit 3` ends the client with 3, and the terminal is
    /// back in its cooked mode.
    static let driver = #"""
        import os, pty, select, signal, struct, sys, termios, fcntl, time
        exe, workspace, work = sys.argv[1:4]
        pid, fd = pty.fork()
        if pid == 0:
            script = 'stty -a > "$3/before"; "$1" shell "$2"; echo $? > "$3/rc"; stty -a > "$3/after"'
            os.execv("/bin/sh", ["/bin/sh", "-c", script, "sh", exe, workspace, work])
        def size(rows, cols):
            fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", rows, cols, 0, 0))
        size(30, 100)
        seen = b""
        def expect(token, timeout=60):
            global seen
            end = time.time() + timeout
            while token not in seen:
                ready, _, _ = select.select([fd], [], [], max(0, end - time.time()))
                if not ready:
                    sys.exit(f"timed out waiting for {token!r}; the screen ends with {seen[-400:]!r}")
                try:
                    seen += os.read(fd, 65536)
                except OSError:
                    sys.exit(f"the terminal closed waiting for {token!r}; it ends with {seen[-400:]!r}")
            seen = seen[seen.index(token) + len(token):]
        def send(text):
            os.write(fd, text)
        time.sleep(1)
        send(b"echo $((6*7))\r"); expect(b"42")
        send(b"stty size\r"); expect(b"30 100")
        size(40, 120)
        # The outer terminal's size changed: the client (the pty's foreground job) gets SIGWINCH.
        os.killpg(os.tcgetpgrp(fd), signal.SIGWINCH)
        # The resize travels client → server → workspace; ask again until it has arrived.
        for attempt in range(60):
            send(b"stty size\r"); expect(b"\n")
            try:
                expect(b"40 120", timeout=1)
                break
            except SystemExit:
                continue
        else:
            sys.exit("the terminal size never followed the resize")
        send(b"sleep 100; echo slept\r"); time.sleep(1)
        send(b"\x03"); time.sleep(0.5)
        send(b"echo still-$((20+1))\r"); expect(b"still-21")
        send(b"exit 3\r")
        while True:
            try:
                if not os.read(fd, 65536):
                    break
            except OSError:
                break
        os.waitpid(pid, 0)
        print("done")
        """#

    static func aShellInARealTerminal(_ cli: CLIRunner, name: String) async throws {
        let work = try TemporaryDirectory("cubicle-cli-pty")
        defer { work.remove() }
        let environment = cli.environment
        let python = try await blocking { try PythonTools.interpreter(importing: "pty") }
        let outcome = try await blocking {
            try Program.run(python, ["-c", driver, cli.executable, name, work.path], environment: environment, timeout: 180)
        }
        #expect(outcome.status == 0, "\(outcome.output) \(outcome.errors)")
        #expect(try work.read("rc").trimmingCharacters(in: .whitespacesAndNewlines) == "3", "the remote `exit 3` is the client's status")
        // The first line holds the size, which the test changed; every mode after it must be back.
        let before = try work.read("before").split(separator: "\n").dropFirst()
        let after = try work.read("after").split(separator: "\n").dropFirst()
        #expect(!before.isEmpty && Array(before) == Array(after), "the terminal must be back in the mode it had: \(after)")
        #expect(!(try work.read("after")).contains("-icanon") , "cooked mode: icanon on")
    }
}
