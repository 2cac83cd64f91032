@testable import API
import CubicleModel
import CubicleTestSupport
import Foundation
import Testing

@Suite struct WorkspaceDigestTests {
    static let hostileNames = [
        "-rf", "it's", "two  spaces", "$(touch pwned)", "`id`", "a\\b", "semi;colon && echo x", "'", "''", "*", "~",
        "/home/u/-x y/.cubicle-upload-ab",
    ]

    /// Runs `sh -c script` in `directory` and answers its stdout, on a thread of its own.
    private func shell(_ script: String, in directory: String) async throws -> String {
        try await blocking { try Program.run("/bin/sh", ["-c", script], workingDirectory: directory).output }
    }

    @Test func quotedNamesReachTheShellAsOneUnchangedWord() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("cubicle-quote-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        for name in Self.hostileNames {
            let echoed = try await shell("printf '%s|' " + WorkspaceDigest.shellQuoted(name), in: directory)
            #expect(echoed == name + "|", "\(name)")
        }
        #expect(!FileManager.default.fileExists(atPath: "\(directory)/pwned"))
    }

    @Test func theCommandHashesTheNamedFileEvenWithAHostileName() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("cubicle-digest-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let path = "\(directory)/-it's a $(touch pwned) file"
        try Data("abc".utf8).write(to: URL(fileURLWithPath: path))
        let output = try await shell(WorkspaceDigest.command(for: path), in: directory)
        #expect(WorkspaceDigest.parse(output) == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad", "\(output)")
        #expect(!FileManager.default.fileExists(atPath: "\(directory)/pwned"))
    }

    @Test func parseAcceptsBothToolsFormatsAndRefusesAnythingElse() {
        let hex = String(repeating: "ab", count: 32)
        #expect(WorkspaceDigest.parse("\(hex)  /a/b\n") == hex)
        #expect(WorkspaceDigest.parse("\(hex) */a/b\n") == hex)
        #expect(WorkspaceDigest.parse("\\\(hex)  /a\\\\b\n") == hex)
        #expect(WorkspaceDigest.parse(hex.uppercased()) == hex)
        #expect(WorkspaceDigest.parse("") == nil)
        #expect(WorkspaceDigest.parse(String(hex.dropLast())) == nil)
        #expect(WorkspaceDigest.parse(hex + "0 /x") == nil)
        #expect(WorkspaceDigest.parse("sha256sum: /x: No such file or directory") == nil)
        #expect(WorkspaceDigest.parse(String(repeating: "g", count: 64)) == nil)
    }
}
