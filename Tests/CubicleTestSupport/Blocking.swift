import Foundation

/// Shared helpers for every test target: blocking work off the cooperative pool, condition waits
/// with deadlines, temporary directories.

/// Runs blocking work (process waits, openssl) on its own thread, so tests never park a thread of
/// the cooperative pool.
public func blocking<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
    try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<T, any Error>) in
        Thread { continuation.resume(with: Result { try work() }) }.start()
    }
}

/// Waits until `condition` holds, checking every few milliseconds, or fails after `seconds`.
public func eventually(_ what: String, within seconds: Double = 20, _ condition: () async throws -> Bool) async throws {
    let deadline = Date().addingTimeInterval(seconds)
    while Date() < deadline {
        if try await condition() { return }
        try await Task.sleep(for: .milliseconds(10))
    }
    throw TestFailure("timed out waiting for \(what)")
}

/// A failure raised by test helpers.
public struct TestFailure: Error, CustomStringConvertible {
    /// What went wrong.
    public let description: String
    /// Creates a failure.
    public init(_ description: String) { self.description = description }
}

/// A fresh temporary directory, removed by `remove()`.
public struct TemporaryDirectory: Sendable {
    /// The directory's absolute path.
    public let path: String

    /// Creates a new, empty directory named after `prefix`.
    public init(_ prefix: String = "cubicle-test") throws {
        let base = FileManager.default.temporaryDirectory.path
        path = "\(base)/\(prefix)-\(UUID().uuidString.prefix(12))"
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }

    /// A path inside the directory.
    public func file(_ name: String) -> String { "\(path)/\(name)" }

    /// Writes `text` to a file inside the directory.
    public func write(_ name: String, _ text: String, mode: Int? = nil) throws {
        try Data(text.utf8).write(to: URL(fileURLWithPath: file(name)))
        if let mode { try FileManager.default.setAttributes([.posixPermissions: mode], ofItemAtPath: file(name)) }
    }

    /// Reads a file inside the directory.
    public func read(_ name: String) throws -> String { try String(contentsOfFile: file(name), encoding: .utf8) }

    /// Removes the directory and everything in it.
    public func remove() { try? FileManager.default.removeItem(atPath: path) }
}

/// Carries a value that is only touched from one place at a time across a concurrency boundary.
public struct Unchecked<Value>: @unchecked Sendable {
    /// The carried value.
    public let value: Value
    /// Wraps a value.
    public init(value: Value) { self.value = value }
}
