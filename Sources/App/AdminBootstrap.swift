import CubicleModel
import Foundation
import Logging
import Store

/// On first start with an empty store: creates the `admin` user and writes a personal access
/// token for it to `DATA_DIR/admin-token` (mode 0600), so the operator can call the API at once.
enum AdminBootstrap {
    /// Creates the admin and its token file when the store has no users; returns the token path
    /// when it wrote one.
    static func run(store: any CubicleStore, tokenPath: String, logger: Logger) async throws -> String? {
        guard try await store.users.list().isEmpty else { return nil }
        _ = try await store.users.create(
            NewUser(username: "admin", fullname: "Administrator", roles: ["admin"], blueprints: ["*"], source: .static))
        let issued = try await store.accessTokens.create(NewAccessToken(username: "admin", name: "bootstrap"))
        try await Offload.run { try FileIO.writePrivate(issued.plaintext + "\n", to: tokenPath) }
        logger.notice("created the admin user; its token is in \(tokenPath)")
        return tokenPath
    }
}

/// Small file operations, run off the cooperative pool by their callers.
enum FileIO {
    /// Writes `text` to `path` with mode 0600 via a temporary file and a rename.
    static func writePrivate(_ text: String, to path: String) throws {
        let temporary = path + ".tmp-\(getpid())"
        let fd = open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw ServerError("cannot write \(temporary): \(String(cString: strerror(errno)))") }
        let bytes = Array(text.utf8)
        let written = bytes.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
        fsync(fd)
        close(fd)
        guard written == bytes.count, rename(temporary, path) == 0 else {
            unlink(temporary)
            throw ServerError("cannot write \(path)")
        }
    }

    /// Reads a text file.
    static func read(_ path: String) throws -> String {
        do {
            return try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            throw ServerError("cannot read \(path): \(error.localizedDescription)")
        }
    }
}
