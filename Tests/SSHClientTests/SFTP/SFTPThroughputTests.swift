import Foundation
import SSHClient
import Testing

/// Moves a file both ways through `SFTPClient` and through OpenSSH's `sftp` against the same
/// server, checks the bytes, and prints the throughput (timings are for people, not asserted).
/// `CUBICLE_SFTP_BENCH_MIB` sets the size (default 32).
@Suite(.timeLimit(.minutes(5))) struct SFTPThroughputTests {
    @Test func throughputMatchesTheOpenSSHClient() async throws {
        let mebibytes = ProcessInfo.processInfo.environment["CUBICLE_SFTP_BENCH_MIB"].flatMap(Int.init) ?? 32
        let size = mebibytes * 1024 * 1024
        try await withSSHD { sshd in
            let directory = sshd.directory
            let source = "\(directory)/source.bin"
            try await fill(source, size: size)
            try sshd.clientKey.privateKey.write(toFile: "\(directory)/client_key", atomically: true, encoding: .utf8)
            chmod("\(directory)/client_key", 0o600)
            try "[\(sshd.host)]:\(sshd.port) \(sshd.hostKey.publicKey.line)\n"
                .write(toFile: "\(directory)/known_hosts", atomically: true, encoding: .utf8)

            let ours = try await withSFTP(sshd.target()) { sftp in
                let downloadStart = Date()
                let download = try await sftp.download(source)
                #expect(FileManager.default.createFile(atPath: "\(directory)/ours-down.bin", contents: nil))
                let output = try FileHandle(forWritingTo: URL(fileURLWithPath: "\(directory)/ours-down.bin"))
                for try await chunk in download { output.write(Data(chunk)) }
                try output.close()
                let downloadSeconds = Date().timeIntervalSince(downloadStart)

                let uploadStart = Date()
                let writer = try await sftp.openForWriting("\(directory)/ours-up.bin", options: .init(truncate: true))
                let input = try FileHandle(forReadingFrom: URL(fileURLWithPath: source))
                while let data = try input.read(upToCount: 256 * 1024), !data.isEmpty {
                    try await writer.write(Array(data))
                }
                try input.close()
                try await writer.close()
                let uploadSeconds = Date().timeIntervalSince(uploadStart)
                return (downloadSeconds, uploadSeconds)
            }

            let sftpArguments = ["-q", "-b", "\(directory)/batch", "-i", "\(directory)/client_key",
                                 "-o", "UserKnownHostsFile=\(directory)/known_hosts", "-o", "StrictHostKeyChecking=yes",
                                 "-o", "Ciphers=aes128-gcm@openssh.com", "-P", "\(sshd.port)", "root@\(sshd.host)"]
            try "get \(source) \(directory)/openssh-down.bin\n".write(toFile: "\(directory)/batch", atomically: true, encoding: .utf8)
            let opensshDownloadStart = Date()
            _ = try await runTool("/usr/bin/sftp", sftpArguments)
            let opensshDownload = Date().timeIntervalSince(opensshDownloadStart)
            try "put \(source) \(directory)/openssh-up.bin\n".write(toFile: "\(directory)/batch", atomically: true, encoding: .utf8)
            let opensshUploadStart = Date()
            _ = try await runTool("/usr/bin/sftp", sftpArguments)
            let opensshUpload = Date().timeIntervalSince(opensshUploadStart)

            let expected = try sha256(ofFile: source)
            for copy in ["ours-down.bin", "ours-up.bin", "openssh-down.bin", "openssh-up.bin"] {
                #expect(try sha256(ofFile: "\(directory)/\(copy)") == expected, "\(copy)")
            }
            func rate(_ seconds: Double) -> String { String(format: "%.0f MB/s", Double(size) / 1_000_000 / seconds) }
            print("SFTP throughput, \(mebibytes) MiB on loopback: "
                + "SFTPClient download \(rate(ours.0)), upload \(rate(ours.1)); "
                + "OpenSSH sftp get \(rate(opensshDownload)), put \(rate(opensshUpload))")
        }
    }

    private func fill(_ path: String, size: Int) async throws {
        guard FileManager.default.createFile(atPath: path, contents: nil) else { throw FixtureError("cannot create \(path)") }
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
        var written = 0
        while written < size {
            let count = min(4 << 20, size - written)
            handle.write(Data(randomBytes(count)))
            written += count
        }
        try handle.close()
    }
}
