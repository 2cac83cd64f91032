import Foundation

/// Runs blocking work (process waits, openssl) on its own thread, so tests never park a thread of
/// the cooperative pool.
func blocking<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
    try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<T, any Error>) in
        Thread { continuation.resume(with: Result { try work() }) }.start()
    }
}

/// Waits until `condition` holds, checking every few milliseconds, or fails after `seconds`.
func eventually(_ what: String, within seconds: Double = 20, _ condition: () async throws -> Bool) async throws {
    let deadline = Date().addingTimeInterval(seconds)
    while Date() < deadline {
        if try await condition() { return }
        try await Task.sleep(for: .milliseconds(10))
    }
    throw TestFailure("timed out waiting for \(what)")
}

/// A failure raised by test helpers.
struct TestFailure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

/// A fresh temporary directory, removed by `remove()`.
struct TemporaryDirectory: Sendable {
    let path: String

    init(_ prefix: String = "kubeclient-test") throws {
        let base = FileManager.default.temporaryDirectory.path
        path = "\(base)/\(prefix)-\(UUID().uuidString.prefix(12))"
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }

    func file(_ name: String) -> String { "\(path)/\(name)" }

    func write(_ name: String, _ text: String, mode: Int? = nil) throws {
        try Data(text.utf8).write(to: URL(fileURLWithPath: file(name)))
        if let mode { try FileManager.default.setAttributes([.posixPermissions: mode], ofItemAtPath: file(name)) }
    }

    func read(_ name: String) throws -> String { try String(contentsOfFile: file(name), encoding: .utf8) }

    func remove() { try? FileManager.default.removeItem(atPath: path) }
}

/// Carries a value that is only touched from one place at a time across a concurrency boundary.
struct Unchecked<Value>: @unchecked Sendable {
    let value: Value
}
