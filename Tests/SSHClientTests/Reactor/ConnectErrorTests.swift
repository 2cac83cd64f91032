import CubicleTestSupport
import Foundation
import Glibc
import SSHClient
import Testing

@Suite(.timeLimit(.minutes(2))) struct ConnectErrorTests {
    @Test func aDifferentHostKeyIsRefusedNamingBothFingerprints() async throws {
        try await withSSHD { sshd in
            try await withReactor { reactor in
                let pinned = try SSHKeyPair.generateEd25519().publicKey
                var target = sshd.target()
                target.hostKey = pinned
                let error = await #expect(throws: SSHError.self) { _ = try await reactor.connect(to: target) }
                #expect(error?.reason == .hostKeyMismatch)
                #expect(error?.code == .sshUnavailable)
                #expect(error?.message.contains(pinned.fingerprint) == true)
                #expect(error?.message.contains(sshd.hostKey.publicKey.fingerprint) == true)
                #expect(!sshd.log.contains("Accepted publickey"))
            }
        }
    }

    @Test func anUnknownClientKeyFailsAuthentication() async throws {
        try await withSSHD { sshd in
            try await withReactor { reactor in
                var target = sshd.target()
                target.clientKey = try SSHKeyPair.generateEd25519()
                let error = await #expect(throws: SSHError.self) { _ = try await reactor.connect(to: target) }
                #expect(error?.reason == .authenticationFailed)
                #expect(error?.code == .sshUnavailable)
                #expect(error?.message.contains("'root'") == true)
            }
        }
    }

    @Test func aClosedPortIsReportedAsRefused() async throws {
        try await withReactor { reactor in
            let host = "127.0.0.1"
            let (fd, port) = try refusingPort(host: host)
            defer { close(fd) }
            let target = SSHTarget(host: host, port: port, user: "root", clientKey: try SSHKeyPair.generateEd25519(),
                                   hostKey: try SSHKeyPair.generateEd25519().publicKey)
            let error = await #expect(throws: SSHError.self) { _ = try await reactor.connect(to: target) }
            #expect(error?.reason == .connectionRefused)
            #expect(error?.message.contains("\(host):\(port)") == true)
        }
    }

    @Test func aServerThatNeverSpeaksTimesOut() async throws {
        let listener = try SilentListener()
        defer { listener.close() }
        try await withReactor { reactor in
            var options = SSHSessionOptions()
            options.connectTimeout = 0.5
            let target = SSHTarget(host: "127.0.0.1", port: listener.port, user: "root",
                                   clientKey: try SSHKeyPair.generateEd25519(),
                                   hostKey: try SSHKeyPair.generateEd25519().publicKey)
            let error = await #expect(throws: SSHError.self) { _ = try await reactor.connect(to: target, options: options) }
            #expect(error?.reason == .connectTimeout)
            #expect(error?.message.contains("SSH handshake") == true)
        }
    }

    @Test func afterShutdownConnectingFailsClearly() async throws {
        let reactor = SSHReactor(threadCount: 1)
        await reactor.shutdown()
        let target = SSHTarget(host: "127.0.0.1", port: 22, user: "root", clientKey: try SSHKeyPair.generateEd25519(),
                               hostKey: try SSHKeyPair.generateEd25519().publicKey)
        let error = await #expect(throws: SSHError.self) { _ = try await reactor.connect(to: target) }
        #expect(error?.reason == .shutDown)
    }
}

/// A TCP listener that accepts into its backlog and never says anything.
final class SilentListener: Sendable {
    let fd: Int32
    let port: Int

    init() throws {
        let socketFD = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = 0
        inet_pton(AF_INET, "127.0.0.1", &address.sin_addr)
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(socketFD, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard bound == 0, listen(socketFD, 8) == 0 else {
            Glibc.close(socketFD)
            throw FixtureError("cannot listen")
        }
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(socketFD, $0, &length) }
        }
        fd = socketFD
        port = Int(UInt16(bigEndian: address.sin_port))
    }

    func close() { Glibc.close(fd) }
}
