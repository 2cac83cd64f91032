import CubicleModel
import Foundation

/// `LoginStateStore` on SQLite.
struct SQLiteLoginStateStore: LoginStateStore {
    let database: SQLiteDatabase
    let time: any TimeSource

    private static let columns = """
        state, nonce, code_verifier, provider, redirect, create_pat, handoff_key, created_at, expires_at
        """

    func create(_ state: LoginState) async throws {
        try await database.write { connection in
            do {
                try connection.run(
                    "INSERT INTO login_states (\(Self.columns)) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    [
                        state.state, state.nonce, state.codeVerifier, state.provider, state.redirect,
                        state.createPAT, state.handoffKey, state.createdAt, state.expiresAt,
                    ]
                )
            } catch let error as StoreError where error.isUniqueViolation {
                throw StoreError.alreadyExists("login state already exists")
            }
        }
    }

    func take(state: String) async throws -> LoginState {
        let now = time.now
        let taken = try await database.write { connection in
            try connection.queryFirst("DELETE FROM login_states WHERE state = ? RETURNING \(Self.columns)", [state])
                .map(Self.loginState(from:))
        }
        guard let taken, taken.expiresAt > now else { throw StoreError.notFound("login state not found or expired") }
        return taken
    }

    func beginHandoff(key: String, expiresAt: Date) async throws {
        try HandoffSeal.validate(key)
        let id = HandoffSeal.rowID(for: key)
        let now = time.now
        try await database.write { connection in
            // An expired handoff under the same key is dead; let the key start over.
            try connection.run("DELETE FROM cli_handoffs WHERE id = ? AND expires_at <= ?", [id, now])
            do {
                try connection.run(
                    "INSERT INTO cli_handoffs (id, username, sealed_token, created_at, expires_at) VALUES (?, NULL, NULL, ?, ?)",
                    [id, now, expiresAt]
                )
            } catch let error as StoreError where error.isUniqueViolation {
                throw StoreError.alreadyExists("a handoff for this key is already open")
            }
        }
    }

    func completeHandoff(key: String, username: String, token: String) async throws {
        try HandoffSeal.validate(key)
        let id = HandoffSeal.rowID(for: key)
        let sealed = try HandoffSeal.seal(token, key: key)
        let now = time.now
        try await database.write { connection in
            let changed = try connection.run(
                "UPDATE cli_handoffs SET username = ?, sealed_token = ? WHERE id = ? AND expires_at > ? AND username IS NULL",
                [username, sealed, id, now]
            )
            guard changed == 0 else { return }
            if try connection.queryFirst("SELECT 1 FROM cli_handoffs WHERE id = ? AND expires_at > ?", [id, now]) != nil {
                throw StoreError.conflict("the handoff has already been completed")
            }
            throw StoreError.notFound("handoff not found or expired")
        }
    }

    func pollHandoff(key: String) async throws -> HandoffStatus {
        try HandoffSeal.validate(key)
        let id = HandoffSeal.rowID(for: key)
        let now = time.now
        let ready: (username: String, sealed: [UInt8])? = try await database.write { connection in
            guard
                let row = try connection.queryFirst(
                    "SELECT username, sealed_token FROM cli_handoffs WHERE id = ? AND expires_at > ?", [id, now]
                )
            else { throw StoreError.notFound("handoff not found or expired") }
            guard let username = try row.get(0, as: String?.self) else { return nil }
            let sealed = try row.get(1, as: [UInt8]?.self) ?? []
            // Read once: the same transaction deletes it.
            try connection.run("DELETE FROM cli_handoffs WHERE id = ?", [id])
            return (username, sealed)
        }
        guard let ready else { return .pending }
        return .ready(username: ready.username, token: try HandoffSeal.open(ready.sealed, key: key))
    }

    func deleteExpired(now: Date) async throws -> Int {
        try await database.write { connection in
            let states = try connection.run("DELETE FROM login_states WHERE expires_at <= ?", [now])
            let handoffs = try connection.run("DELETE FROM cli_handoffs WHERE expires_at <= ?", [now])
            return states + handoffs
        }
    }

    private static func loginState(from row: SQLiteRow) throws -> LoginState {
        var columns = row.columns
        return LoginState(
            state: try columns.next(),
            nonce: try columns.next(),
            codeVerifier: try columns.next(),
            provider: try columns.next(),
            redirect: try columns.next(),
            createPAT: try columns.next(),
            handoffKey: try columns.next(),
            createdAt: try columns.next(),
            expiresAt: try columns.next()
        )
    }
}
