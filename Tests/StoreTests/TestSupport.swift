import CubicleModel
import Foundation
import Testing

@testable import Store

/// A fresh directory under the system temp dir, removed by `remove()`.
struct TemporaryDirectory {
    let path: String

    init() throws {
        path = NSTemporaryDirectory() + "cubicle-store-tests-" + UUID().uuidString.lowercased()
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }

    /// A path inside the directory.
    func file(_ name: String) -> String { path + "/" + name }

    func remove() { try? FileManager.default.removeItem(atPath: path) }
}

/// The start of every test clock.
let testEpoch = Date(timeIntervalSince1970: 1_800_000_000)

/// Opens a store in a new temp dir, runs `body`, then closes the store and removes the dir.
func withStore<T>(
    time: ManualTimeSource = ManualTimeSource(start: testEpoch),
    jobTTL: Double = 600,
    _ body: (SQLiteStore, TemporaryDirectory) async throws -> T
) async throws -> T {
    let directory = try TemporaryDirectory()
    defer { directory.remove() }
    let store = try await SQLiteStore.open(
        SQLiteStore.Configuration(path: directory.file(SQLiteStore.defaultFileName), jobTTL: jobTTL), time: time
    )
    do {
        let result = try await body(store, directory)
        await store.close()
        return result
    } catch {
        await store.close()
        throw error
    }
}

/// Expects `body` to throw a `StoreError` with `code`.
func expectStoreError<T>(
    _ code: ErrorCode, sourceLocation: SourceLocation = #_sourceLocation, _ body: () async throws -> T
) async {
    do {
        _ = try await body()
        Issue.record("expected \(code), got success", sourceLocation: sourceLocation)
    } catch let error as StoreError {
        #expect(error.code == code, "\(error)", sourceLocation: sourceLocation)
    } catch {
        Issue.record("expected StoreError \(code), got \(error)", sourceLocation: sourceLocation)
    }
}

/// Creates a plain user.
@discardableResult
func makeUser(_ store: SQLiteStore, _ username: String = "alice") async throws -> User {
    try await store.users.create(NewUser(username: username, fullname: "Alice Example", email: "\(username)@example.com"))
}

/// The bytes of the database file and its WAL, where recent commits live until a checkpoint.
func rawDatabaseBytes(_ store: SQLiteStore) throws -> [UInt8] {
    var bytes: [UInt8] = []
    for suffix in ["", "-wal"] {
        if let data = FileManager.default.contents(atPath: store.database.path + suffix) { bytes += data }
    }
    return bytes
}

/// Every value of every row of every table, as text, read through SQL.
func allStoredText(_ store: SQLiteStore) async throws -> [String] {
    try await store.database.read { connection in
        let tables = try connection.query("SELECT name FROM sqlite_master WHERE type = 'table'").map { try $0.get(0, as: String.self) }
        var texts: [String] = []
        for table in tables {
            for row in try connection.query("SELECT * FROM \"\(table)\"") {
                for value in row.values {
                    switch value {
                    case .text(let text): texts.append(text)
                    case .blob(let bytes): texts.append(String(decoding: bytes, as: UTF8.self))
                    case .integer(let number): texts.append(String(number))
                    case .real(let number): texts.append(String(number))
                    case .null: break
                    }
                }
            }
        }
        return texts
    }
}

extension Array where Element == UInt8 {
    /// True when `needle` occurs somewhere in these bytes.
    func contains(bytes needle: [UInt8]) -> Bool {
        guard !needle.isEmpty, needle.count <= count else { return false }
        return (0...(count - needle.count)).contains { start in self[start..<start + needle.count].elementsEqual(needle) }
    }
}
