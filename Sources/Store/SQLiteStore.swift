import CubicleModel
import Foundation

/// `CubicleStore` on one SQLite file in WAL mode, usually `<data dir>/cubicle.sqlite`.
public final class SQLiteStore: CubicleStore {
    /// Where the file is and how the repositories behave.
    public struct Configuration: Sendable, Hashable {
        /// The database file; created with mode 0600 when missing.
        public var path: String
        /// How long a completed job is kept, in seconds (`jobs.ttl`).
        public var jobTTL: Double
        /// Token uses closer together than this (seconds) update `lastUsedAt` only once.
        public var tokenTouchInterval: Double
        /// Engine tuning.
        public var sqlite: SQLiteConfiguration

        /// A configuration with the defaults: jobs kept 10 minutes, token use recorded per minute.
        public init(path: String, jobTTL: Double = 600, tokenTouchInterval: Double = 60, sqlite: SQLiteConfiguration = .init()) {
            self.path = path
            self.jobTTL = jobTTL
            self.tokenTouchInterval = tokenTouchInterval
            self.sqlite = sqlite
        }

        /// The default file inside a data directory.
        public static func inDataDirectory(_ directory: String) -> Configuration {
            Configuration(path: (directory as NSString).appendingPathComponent(SQLiteStore.defaultFileName))
        }
    }

    /// The file name used inside the data directory.
    public static let defaultFileName = "cubicle.sqlite"
    /// The schema version this code creates and understands.
    public static var schemaVersion: Int { SQLiteSchema.version }

    /// Provisioning jobs and their events.
    public let jobs: any JobStore
    /// Users.
    public let users: any UserStore
    /// Personal access tokens.
    public let accessTokens: any AccessTokenStore
    /// Browser sessions.
    public let webSessions: any WebSessionStore
    /// OIDC flows in flight and CLI token handoffs.
    public let loginStates: any LoginStateStore
    /// Shell session records.
    public let shellSessions: any ShellSessionStore
    /// Resumable uploads.
    public let uploads: any UploadStore
    /// Credentials for outside services.
    public let credentials: any CredentialStore

    let database: SQLiteDatabase

    private init(database: SQLiteDatabase, configuration: Configuration, time: any TimeSource) {
        self.database = database
        jobs = SQLiteJobStore(database: database, time: time, ttl: configuration.jobTTL)
        users = SQLiteUserStore(database: database, time: time)
        accessTokens = SQLiteAccessTokenStore(
            database: database, time: time, touchInterval: configuration.tokenTouchInterval
        )
        webSessions = SQLiteWebSessionStore(database: database, time: time)
        loginStates = SQLiteLoginStateStore(database: database, time: time)
        shellSessions = SQLiteShellSessionStore(database: database)
        uploads = SQLiteUploadStore(database: database, time: time)
        credentials = SQLiteCredentialStore(database: database, time: time)
    }

    /// Opens the file (creating and migrating it as needed). Throws a clear `internal` error for a
    /// file that is not a SQLite database or whose schema is newer than this code.
    public static func open(_ configuration: Configuration, time: any TimeSource = SystemTimeSource()) async throws -> SQLiteStore {
        let database = try await SQLiteDatabase.open(
            path: configuration.path, configuration: configuration.sqlite, migrations: SQLiteSchema.migrations
        )
        return SQLiteStore(database: database, configuration: configuration, time: time)
    }

    /// Takes the write lock and gives it back at once: throws `conflict` when another process has
    /// held it for longer than the busy timeout (a writer that is not sharing the file as WAL
    /// writers do), so an offline tool does not write under it.
    public func probeWriteLock() async throws {
        do {
            try await database.write { _ in }
        } catch {
            throw StoreError.conflict("another process holds the store's write lock (\(error)); stop it or try again")
        }
    }

    /// Runs `SELECT 1` on a reader.
    public func ping() async throws {
        _ = try await database.read { connection in try connection.queryFirst("SELECT 1") != nil }
    }

    /// Finishes queued work and closes the file (checkpointing the WAL).
    public func close() async {
        await database.close()
    }
}
