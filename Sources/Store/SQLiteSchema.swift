/// The SQLite schema's history. Append new steps; never edit a released one.
///
/// Conventions: times are integer milliseconds since the epoch (UTC); booleans are 0/1 integers;
/// small string lists are JSON text; secrets appear only as SHA-256 digests or caller-sealed blobs.
enum SQLiteSchema {
    /// Every migration, in version order.
    static let migrations: [SQLiteMigration] = [
        SQLiteMigration(version: 1, name: "initial schema", sql: initial),
        SQLiteMigration(version: 2, name: "jobs remember their blueprint", sql: jobBlueprint),
    ]

    /// A job resumed after a restart must render the same blueprint it was created for.
    private static let jobBlueprint = """
        ALTER TABLE jobs ADD COLUMN blueprint TEXT;
        """

    /// The version a fully migrated file records.
    static var version: Int { migrations.count }

    private static let initial = """
        CREATE TABLE users (
            username     TEXT PRIMARY KEY NOT NULL,
            fullname     TEXT NOT NULL,
            email        TEXT NOT NULL,
            organization TEXT NOT NULL,
            uid          INTEGER NOT NULL UNIQUE,
            gid          INTEGER NOT NULL,
            shell        TEXT NOT NULL,
            sudo         INTEGER NOT NULL,
            roles        TEXT NOT NULL,
            blueprints   TEXT NOT NULL,
            source       TEXT NOT NULL,
            locked       INTEGER NOT NULL,
            created_at   INTEGER NOT NULL,
            updated_at   INTEGER NOT NULL
        ) STRICT;

        -- High-water marks that must never go back, e.g. the last uid handed out.
        CREATE TABLE counters (
            name  TEXT PRIMARY KEY NOT NULL,
            value INTEGER NOT NULL
        ) STRICT;

        CREATE TABLE jobs (
            id             TEXT PRIMARY KEY NOT NULL,
            workspace_name TEXT NOT NULL,
            username       TEXT NOT NULL,
            action         TEXT NOT NULL,
            status         TEXT NOT NULL,
            result         TEXT,
            created_at     INTEGER NOT NULL,
            updated_at     INTEGER NOT NULL,
            finished_at    INTEGER,
            expires_at     INTEGER,
            last_event_id  INTEGER NOT NULL DEFAULT 0
        ) STRICT;
        CREATE INDEX jobs_by_workspace ON jobs (workspace_name, created_at);
        CREATE INDEX jobs_running ON jobs (created_at) WHERE status = 'running';
        CREATE INDEX jobs_by_expiry ON jobs (expires_at) WHERE expires_at IS NOT NULL;

        CREATE TABLE job_events (
            job_id      TEXT NOT NULL REFERENCES jobs (id) ON DELETE CASCADE,
            event_id    INTEGER NOT NULL,
            type        TEXT NOT NULL,
            timestamp   INTEGER NOT NULL,
            object_name TEXT NOT NULL,
            message     TEXT NOT NULL,
            status      TEXT NOT NULL,
            PRIMARY KEY (job_id, event_id)
        ) STRICT, WITHOUT ROWID;

        CREATE TABLE access_tokens (
            id           TEXT PRIMARY KEY NOT NULL,
            token_hash   BLOB NOT NULL UNIQUE,
            username     TEXT NOT NULL REFERENCES users (username) ON DELETE CASCADE,
            name         TEXT NOT NULL,
            scopes       TEXT NOT NULL,
            preview      TEXT NOT NULL,
            created_at   INTEGER NOT NULL,
            expires_at   INTEGER,
            last_used_at INTEGER
        ) STRICT;
        CREATE INDEX access_tokens_by_user ON access_tokens (username, created_at);

        CREATE TABLE web_sessions (
            id           TEXT PRIMARY KEY NOT NULL,
            username     TEXT NOT NULL REFERENCES users (username) ON DELETE CASCADE,
            provider     TEXT NOT NULL,
            csrf_secret  TEXT NOT NULL,
            created_at   INTEGER NOT NULL,
            expires_at   INTEGER NOT NULL,
            last_seen_at INTEGER NOT NULL
        ) STRICT;
        CREATE INDEX web_sessions_by_user ON web_sessions (username);
        CREATE INDEX web_sessions_by_expiry ON web_sessions (expires_at);

        CREATE TABLE login_states (
            state         TEXT PRIMARY KEY NOT NULL,
            nonce         TEXT NOT NULL,
            code_verifier TEXT NOT NULL,
            provider      TEXT NOT NULL,
            redirect      TEXT NOT NULL,
            create_pat    INTEGER NOT NULL,
            handoff_key   TEXT,
            created_at    INTEGER NOT NULL,
            expires_at    INTEGER NOT NULL
        ) STRICT;
        CREATE INDEX login_states_by_expiry ON login_states (expires_at);

        CREATE TABLE cli_handoffs (
            id           BLOB PRIMARY KEY NOT NULL,
            username     TEXT,
            sealed_token BLOB,
            created_at   INTEGER NOT NULL,
            expires_at   INTEGER NOT NULL
        ) STRICT;
        CREATE INDEX cli_handoffs_by_expiry ON cli_handoffs (expires_at);

        CREATE TABLE shell_sessions (
            session_id     TEXT PRIMARY KEY NOT NULL,
            username       TEXT NOT NULL,
            workspace      TEXT NOT NULL,
            blueprint      TEXT NOT NULL,
            client         TEXT NOT NULL,
            client_ip      TEXT NOT NULL,
            start_time     INTEGER NOT NULL,
            end_time       INTEGER,
            bytes_in       INTEGER NOT NULL DEFAULT 0,
            bytes_out      INTEGER NOT NULL DEFAULT 0,
            operations     INTEGER NOT NULL DEFAULT 0,
            recording_path TEXT
        ) STRICT;
        CREATE INDEX shell_sessions_by_user ON shell_sessions (username, start_time);
        CREATE INDEX shell_sessions_by_end ON shell_sessions (end_time) WHERE end_time IS NOT NULL;

        CREATE TABLE uploads (
            upload_id  TEXT PRIMARY KEY NOT NULL,
            username   TEXT NOT NULL,
            workspace  TEXT NOT NULL,
            path       TEXT NOT NULL,
            temp_path  TEXT NOT NULL,
            size       INTEGER NOT NULL,
            sha256     TEXT,
            part_size  INTEGER NOT NULL,
            created_at INTEGER NOT NULL,
            expires_at INTEGER NOT NULL
        ) STRICT;
        CREATE INDEX uploads_by_expiry ON uploads (expires_at);

        CREATE TABLE upload_parts (
            upload_id   TEXT NOT NULL REFERENCES uploads (upload_id) ON DELETE CASCADE,
            part_number INTEGER NOT NULL,
            size        INTEGER NOT NULL,
            sha256      TEXT,
            PRIMARY KEY (upload_id, part_number)
        ) STRICT, WITHOUT ROWID;

        CREATE TABLE credentials (
            id                TEXT PRIMARY KEY NOT NULL,
            username          TEXT NOT NULL REFERENCES users (username) ON DELETE CASCADE,
            service_name      TEXT NOT NULL,
            service_scope     TEXT NOT NULL,
            credential_source TEXT NOT NULL,
            subject           TEXT NOT NULL,
            ciphertext        BLOB,
            is_active         INTEGER NOT NULL,
            created_at        INTEGER NOT NULL,
            updated_at        INTEGER NOT NULL,
            expires_at        INTEGER,
            UNIQUE (username, service_name, service_scope)
        ) STRICT;
        """
}
