import CubicleModel
import Foundation

/// `CredentialStore` on SQLite.
struct SQLiteCredentialStore: CredentialStore {
    let database: SQLiteDatabase
    let time: any TimeSource

    // The list columns deliberately leave out `ciphertext`.
    private static let columns = """
        id, username, service_name, service_scope, credential_source, subject, is_active, created_at, updated_at, \
        expires_at
        """

    func create(_ new: NewCredential) async throws -> Credential {
        let now = time.now.storePrecision
        let credential = Credential(
            id: Secrets.newID(), username: new.username, serviceName: new.serviceName, serviceScope: new.serviceScope,
            credentialSource: new.credentialSource, subject: new.subject, isActive: new.isActive, createdAt: now,
            updatedAt: now, expiresAt: new.expiresAt?.storePrecision
        )
        try await database.write { connection in
            guard try connection.queryFirst("SELECT 1 FROM users WHERE username = ?", [new.username]) != nil else {
                throw StoreError.notFound("user \(new.username) not found")
            }
            do {
                try connection.run(
                    "INSERT INTO credentials (\(Self.columns), ciphertext) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    [
                        credential.id, credential.username, credential.serviceName.rawValue, credential.serviceScope,
                        credential.credentialSource, credential.subject, credential.isActive, credential.createdAt,
                        credential.updatedAt, credential.expiresAt, new.ciphertext,
                    ]
                )
            } catch let error as StoreError where error.isUniqueViolation {
                throw StoreError.alreadyExists(
                    "\(new.username) already has a \(new.serviceName.rawValue) credential for scope \"\(new.serviceScope)\""
                )
            }
        }
        return credential
    }

    func list(username: String) async throws -> [Credential] {
        try await database.read { connection in
            try connection.query(
                "SELECT \(Self.columns) FROM credentials WHERE username = ? ORDER BY service_name, service_scope, id",
                [username]
            ).map(Self.credential(from:))
        }
    }

    func get(id: String) async throws -> SealedCredential {
        try await database.read { connection in
            guard
                let row = try connection.queryFirst(
                    "SELECT \(Self.columns), ciphertext FROM credentials WHERE id = ?", [id]
                )
            else { throw StoreError.notFound("credential \(id) not found") }
            let credential = try Self.credential(from: row)
            return SealedCredential(credential: credential, ciphertext: try row.get(10, as: [UInt8]?.self))
        }
    }

    func delete(id: String, username: String) async throws {
        try await database.write { connection in
            guard try connection.run("DELETE FROM credentials WHERE id = ? AND username = ?", [id, username]) > 0 else {
                throw StoreError.notFound("credential \(id) not found")
            }
        }
    }

    private static func credential(from row: SQLiteRow) throws -> Credential {
        var columns = row.columns
        return Credential(
            id: try columns.next(),
            username: try columns.next(),
            serviceName: try decode(CredentialService.self, try columns.next(), column: "credentials.service_name"),
            serviceScope: try columns.next(),
            credentialSource: try columns.next(),
            subject: try columns.next(),
            isActive: try columns.next(),
            createdAt: try columns.next(),
            updatedAt: try columns.next(),
            expiresAt: try columns.next()
        )
    }
}
