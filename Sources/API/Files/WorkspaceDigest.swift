import Crypto
import SSHClient

/// The SHA-256 of a workspace file, computed where the bytes are: `openssl dgst` or `sha256sum` runs in the
/// workspace as the workspace user over an exec channel, so `complete` does not pull the whole
/// file back over SFTP. The path is single-quoted for the login shell and preceded by `--`, so
/// quotes, spaces, `$(…)` or a leading `-` in a name are just characters. A workspace with neither
/// tool (or whose answer is unreadable) falls back to reading the file over SFTP.
struct WorkspaceDigest {
    let connector: WorkspaceConnector
    let endpoint: WorkspaceEndpoint
    let client: SFTPClient

    /// Lower-case hex SHA-256 of `path` (`size` bytes, which bounds how long hashing may take).
    func sha256(of path: String, size: UInt64) async throws -> String {
        // 60 s plus one second per 20 MB: generous for a slow disk, bounded for a hung one.
        let timeout = 60 + Double(size) / 20_000_000
        if let session = try? await connector.session(for: endpoint),
           let result = try? await session.run(Self.command(for: path), timeout: timeout, maxOutputBytes: 64 * 1024),
           result.exitCode == 0, let digest = Self.parse(result.stdoutText) {
            return digest
        }
        return try await Self.readBack(path, client: client)
    }

    /// The command line: OpenSSL's digest (several times faster than coreutils where the CPU has
    /// SHA instructions) when the workspace has it, else `sha256sum`; both print `<hex> <name>`.
    static func command(for path: String) -> String {
        let quoted = shellQuoted(path)
        return "openssl dgst -sha256 -r -- \(quoted) 2>/dev/null || sha256sum -- \(quoted)"
    }

    /// `text` as one word for a POSIX shell: inside single quotes nothing is special except the
    /// quote itself, which is closed, escaped and reopened.
    static func shellQuoted(_ text: String) -> String {
        "'" + text.replacingOccurrences(of: "'", with: #"'\''"#) + "'"
    }

    /// The digest from `sha256sum`'s output (`<hex>  <name>`, with a leading `\` when the name
    /// needed escaping); nil unless it starts with 64 hex digits.
    static func parse(_ output: String) -> String? {
        var line = Substring(output)
        if line.hasPrefix("\\") { line = line.dropFirst() }
        let digest = line.prefix(64).lowercased()
        guard digest.utf8.count == 64,
              digest.utf8.allSatisfy({ ($0 >= 0x30 && $0 <= 0x39) || ($0 >= 0x61 && $0 <= 0x66) }) else { return nil }
        let rest = line.dropFirst(64)
        guard rest.isEmpty || rest.hasPrefix(" ") else { return nil }
        return digest
    }

    /// The digest read back with pipelined SFTP reads.
    static func readBack(_ path: String, client: SFTPClient) async throws -> String {
        var hasher = SHA256()
        let download = try await client.download(path)
        for try await chunk in download { hasher.update(data: chunk) }
        return BodyCopy.hex(hasher.finalize())
    }
}
