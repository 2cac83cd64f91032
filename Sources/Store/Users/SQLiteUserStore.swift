import CubicleModel
import Foundation

/// `UserStore` on SQLite.
struct SQLiteUserStore: UserStore {
    let database: SQLiteDatabase
    let time: any TimeSource

    /// The lowest uid handed out automatically (below are system accounts).
    static let firstUID = 1000
    /// The highest uid accepted (keeps clear of the 32-bit "nobody"/-1 values).
    static let maxUID = Int(Int32.max)

    private static let columns = """
        username, fullname, email, organization, uid, gid, shell, sudo, roles, blueprints, source, locked, \
        created_at, updated_at
        """

    func create(_ new: NewUser) async throws -> User {
        if let problem = Username.problem(with: new.username) {
            throw StoreError.invalidRequest("user name \"\(new.username)\" \(problem)")
        }
        try Self.validate(uid: new.uid, gid: new.gid)
        let now = time.now.storePrecision
        return try await database.write { connection in
            if try connection.queryFirst("SELECT 1 FROM users WHERE username = ?", [new.username]) != nil {
                throw StoreError.alreadyExists("user \(new.username) already exists")
            }
            let uid = try new.uid ?? Self.nextUID(connection)
            let user = User(
                username: new.username, fullname: new.fullname, email: new.email, organization: new.organization,
                uid: uid, gid: new.gid ?? uid, shell: new.shell, sudo: new.sudo, roles: new.roles,
                blueprints: new.blueprints, source: new.source, locked: new.locked, createdAt: now, updatedAt: now
            )
            do {
                try connection.run(
                    "INSERT INTO users (\(Self.columns)) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    Self.values(of: user)
                )
            } catch let error as StoreError where error.isUniqueViolation {
                throw StoreError.alreadyExists("uid \(uid) belongs to another user")
            }
            return user
        }
    }

    func get(_ username: String) async throws -> User {
        try await database.read { connection in
            guard let row = try connection.queryFirst("SELECT \(Self.columns) FROM users WHERE username = ?", [username]) else {
                throw StoreError.notFound("user \(username) not found")
            }
            return try Self.user(from: row)
        }
    }

    func list() async throws -> [User] {
        try await database.read { connection in
            try connection.query("SELECT \(Self.columns) FROM users ORDER BY username").map(Self.user(from:))
        }
    }

    func update(_ username: String, with patch: UserPatch) async throws -> User {
        try Self.validate(uid: patch.uid, gid: patch.gid)
        let now = time.now.storePrecision
        return try await database.write { connection in
            guard let row = try connection.queryFirst("SELECT \(Self.columns) FROM users WHERE username = ?", [username]) else {
                throw StoreError.notFound("user \(username) not found")
            }
            var user = patch.applied(to: try Self.user(from: row))
            user.updatedAt = now
            do {
                try connection.run(
                    """
                    UPDATE users SET fullname = ?, email = ?, organization = ?, uid = ?, gid = ?, shell = ?, sudo = ?, \
                    roles = ?, blueprints = ?, source = ?, locked = ?, updated_at = ? WHERE username = ?
                    """,
                    [
                        user.fullname, user.email, user.organization, user.uid, user.gid, user.shell, user.sudo,
                        StringList.encode(user.roles), StringList.encode(user.blueprints), user.source.rawValue,
                        user.locked, user.updatedAt, username,
                    ]
                )
            } catch let error as StoreError where error.isUniqueViolation {
                throw StoreError.alreadyExists("uid \(user.uid) belongs to another user")
            }
            return user
        }
    }

    func delete(_ username: String) async throws {
        try await database.write { connection in
            // Tokens, web sessions and credentials follow through ON DELETE CASCADE.
            guard try connection.run("DELETE FROM users WHERE username = ?", [username]) > 0 else {
                throw StoreError.notFound("user \(username) not found")
            }
        }
    }

    // MARK: Rows

    /// One above both the highest uid in use (at least `firstUID`) and the last uid ever handed out,
    /// so a deleted user's uid never goes to a new user, whose files on retained volumes would
    /// otherwise change owner.
    private static func nextUID(_ connection: SQLiteConnection) throws -> Int {
        let inUse = try connection.queryFirst("SELECT MAX(uid) FROM users WHERE uid >= ?", [firstUID])?.get(0, as: Int?.self)
        let issued = try connection.queryFirst("SELECT value FROM counters WHERE name = 'uid'")?.get(0, as: Int.self)
        let highest = max(inUse ?? (firstUID - 1), issued ?? (firstUID - 1))
        guard highest < maxUID else { throw StoreError.conflict("no uid left to allocate") }
        try connection.run(
            "INSERT INTO counters (name, value) VALUES ('uid', ?) ON CONFLICT (name) DO UPDATE SET value = excluded.value",
            [highest + 1]
        )
        return highest + 1
    }

    private static func validate(uid: Int?, gid: Int?) throws {
        for (name, value) in [("uid", uid), ("gid", gid)] {
            if let value, value < 0 || value > maxUID {
                throw StoreError.invalidRequest("\(name) \(value) is outside 0…\(maxUID)")
            }
        }
    }

    private static func values(of user: User) -> [any SQLiteBindable] {
        [
            user.username, user.fullname, user.email, user.organization, user.uid, user.gid, user.shell, user.sudo,
            StringList.encode(user.roles), StringList.encode(user.blueprints), user.source.rawValue, user.locked,
            user.createdAt, user.updatedAt,
        ]
    }

    private static func user(from row: SQLiteRow) throws -> User {
        var columns = row.columns
        return User(
            username: try columns.next(),
            fullname: try columns.next(),
            email: try columns.next(),
            organization: try columns.next(),
            uid: try columns.next(),
            gid: try columns.next(),
            shell: try columns.next(),
            sudo: try columns.next(),
            roles: try StringList.decode(try columns.next(), column: "users.roles"),
            blueprints: try StringList.decode(try columns.next(), column: "users.blueprints"),
            source: UserSource(rawValue: try columns.next()),
            locked: try columns.next(),
            createdAt: try columns.next(),
            updatedAt: try columns.next()
        )
    }
}
