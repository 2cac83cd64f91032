import Foundation
import SSHClient
import Testing

@Suite struct SSHKeyTests {
    @Test func generatedKeyReimportsToTheSamePublicKey() throws {
        let pair = try SSHKeyPair.generateEd25519(comment: "ws@cubicle")
        #expect(pair.privateKey.hasPrefix("-----BEGIN OPENSSH PRIVATE KEY-----\n"))
        #expect(pair.privateKey.hasSuffix("-----END OPENSSH PRIVATE KEY-----\n"))
        #expect(pair.privateKey.split(separator: "\n").allSatisfy { $0.count <= 70 })
        #expect(pair.publicKey.line.hasPrefix("ssh-ed25519 AAAA"))
        #expect(pair.publicKey.line.hasSuffix(" ws@cubicle"))
        let again = try SSHKeyPair(privateKey: pair.privateKey)
        #expect(again.publicKey == pair.publicKey)
        #expect(again.publicKey.fingerprint == pair.publicKey.fingerprint)
        #expect(!String(describing: pair).contains("PRIVATE"))
    }

    @Test func reimportedKeyPairsAreEqualSoPooledTargetsMatch() throws {
        let pair = try SSHKeyPair.generateEd25519()
        let first = try SSHKeyPair(privateKey: pair.privateKey)
        let second = try SSHKeyPair(privateKey: pair.privateKey)
        #expect(first == second)
        #expect(Set([first, second]).count == 1)
        let host = try SSHKeyPair.generateEd25519().publicKey
        #expect(SSHTarget(host: "127.0.0.1", user: "u", clientKey: first, hostKey: host)
            == SSHTarget(host: "127.0.0.1", user: "u", clientKey: second, hostKey: host))
        #expect(first != (try SSHKeyPair.generateEd25519()))
    }

    @Test func openSSHToolsAcceptTheKeysAndAgreeOnTheFingerprint() async throws {
        let pair = try SSHKeyPair.generateEd25519(comment: "check")
        let directory = try makeTemporaryDirectory(prefix: "cubicle-keys")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try write(pair.privateKey, to: "\(directory)/id", mode: 0o600)
        try write(pair.publicKey.line + "\n", to: "\(directory)/id.pub", mode: 0o644)
        let derived = try await runTool("/usr/bin/ssh-keygen", ["-y", "-f", "\(directory)/id"])
        #expect(derived.split(whereSeparator: { $0 == " " || $0 == "\n" }).prefix(2).joined(separator: " ")
            == "\(pair.publicKey.algorithm) \(pair.publicKey.base64)")
        let listed = try await runTool("/usr/bin/ssh-keygen", ["-l", "-E", "sha256", "-f", "\(directory)/id.pub"])
        #expect(listed.contains(pair.publicKey.fingerprint))
        #expect(pair.publicKey.fingerprint.hasPrefix("SHA256:"))
        #expect(!pair.publicKey.fingerprint.hasSuffix("="))
    }

    @Test func publicKeyLinesAreValidated() throws {
        let pair = try SSHKeyPair.generateEd25519()
        let parsed = try SSHPublicKey(line: "  \(pair.publicKey.algorithm) \(pair.publicKey.base64)  a comment \n")
        #expect(parsed == pair.publicKey)
        #expect(parsed.comment == "a comment")
        #expect(parsed.fingerprint == pair.publicKey.fingerprint)

        let cases = [
            "",
            "ssh-ed25519",
            "ssh-ed25519 not-base64!!",
            "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIA==",
            "ssh-unknown \(pair.publicKey.base64)",
            "ssh-rsa \(pair.publicKey.base64)",
        ]
        for line in cases {
            #expect(throws: SSHError.self, "\(line)") { try SSHPublicKey(line: line) }
        }
        #expect(throws: SSHError.self) { try SSHKeyPair(privateKey: "-----BEGIN OPENSSH PRIVATE KEY-----\nAAAA\n") }
        #expect(throws: SSHError.self) { try SSHKeyPair(privateKey: pair.publicKey.line) }
    }

    @Test func keysCompareByAlgorithmAndBlobOnly() throws {
        let pair = try SSHKeyPair.generateEd25519(comment: "one")
        let other = try SSHPublicKey(line: "\(pair.publicKey.algorithm) \(pair.publicKey.base64) two")
        #expect(other == pair.publicKey)
        #expect(Set([other, pair.publicKey]).count == 1)
        #expect(try SSHKeyPair.generateEd25519().publicKey != pair.publicKey)
    }

    @Test func reimportedKeyPairsAreEqualSoTargetsBuiltPerRequestMatchTheirPooledSession() throws {
        let pair = try SSHKeyPair.generateEd25519()
        let first = try SSHKeyPair(privateKey: pair.privateKey)
        let second = try SSHKeyPair(privateKey: pair.privateKey)
        #expect(first == second)
        #expect(Set([first, second, pair]).count == 1)
        let hostKey = try SSHKeyPair.generateEd25519().publicKey
        #expect(SSHTarget(host: "h", user: "u", clientKey: first, hostKey: hostKey)
            == SSHTarget(host: "h", user: "u", clientKey: second, hostKey: hostKey))
        #expect(try SSHKeyPair.generateEd25519() != first)
    }
}
