import Foundation
import SSHClient
import Testing

@Suite(.timeLimit(.minutes(2))) struct ShellTests {
    @Test func ptyReflectsInitialSizeAndResize() async throws {
        try await withSSHD { sshd in
            try await withReactor { reactor in
                let session = try await reactor.connect(to: sshd.target())
                let shell = try await session.openShell(pty: PTYRequest(cols: 91, rows: 37))
                let terminal = TerminalReader(shell)
                try await shell.write("stty size; echo size-$((1+1))\n")
                let first = try await terminal.read(until: "size-2")
                #expect(first.contains("37 91"))
                shell.resize(cols: 120, rows: 40)
                try await shell.write("stty size; echo size-$((2+2))\n")
                let second = try await terminal.read(until: "size-4")
                #expect(second.contains("40 120"))
                try await shell.write("exit 0\n")
                #expect(try await shell.exitStatus() == SSHExit(code: 0))
            }
        }
    }

    @Test func terminalTypeIsXterm256color() async throws {
        try await withSSHD { sshd in
            try await withReactor { reactor in
                let session = try await reactor.connect(to: sshd.target())
                let shell = try await session.openShell()
                let terminal = TerminalReader(shell)
                try await shell.write("echo term=$TERM.\n")
                try await terminal.read(until: "term=xterm-256color.")
                shell.close()
            }
        }
    }

    @Test func ctrlCInterruptsTheForegroundProgram() async throws {
        try await withSSHD { sshd in
            try await withReactor { reactor in
                let session = try await reactor.connect(to: sshd.target())
                let shell = try await session.openShell()
                let terminal = TerminalReader(shell)
                try await shell.write("echo ready-$((3*3))\n")
                try await terminal.read(until: "ready-9")
                // Wait for output of the foreground program itself, not readline's echo of the line
                // nor a builtin of the shell: a Ctrl-C that reaches the shell itself (while it edits
                // the line, or between a builtin `echo` and the fork of `sleep` on a loaded machine)
                // discards the input typed after it. The marker comes from the child, which then
                // becomes `sleep`, so the Ctrl-C lands on the foreground job.
                try await shell.write("sh -c 'echo started-$((2*2)); exec sleep 100'; echo slept-$((5*5))\n")
                try await terminal.read(until: "started-4")
                try await shell.write("\u{3}")
                try await shell.write("echo back-$((7*6))\n")
                let output = try await terminal.read(until: "back-42")
                #expect(!output.contains("slept-25"))
                shell.close()
            }
        }
    }
}
