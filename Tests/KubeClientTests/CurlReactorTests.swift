import CubicleTestSupport
import CubicleModel
import Foundation
import Testing

@testable import KubeClient

@Suite struct CurlReactorTests {
    func streamRequest(_ server: KubeTestServer, bytes: Int, limits: BufferLimits) throws -> CurlRequest {
        let config = try server.certificateConfig()
        return CurlRequest(
            method: "GET", url: "\(server.url)/_test/stream?bytes=\(bytes)", tls: config.tls, timeout: nil, bufferLimits: limits)
    }

    @Test func slowConsumerPausesTransferAndBufferStaysBounded() async throws {
        try await withKubeServer { server in
            let reactor = try CurlReactor()
            let limits = BufferLimits(highWater: 256 << 10, lowWater: 64 << 10)
            let total = 16 << 20
            let response = try await reactor.execute(try streamRequest(server, bytes: total, limits: limits))
            #expect(response.status == 200)
            var iterator = response.body.makeAsyncIterator()
            var received = try await iterator.next()?.count ?? 0
            // Stop reading: the transfer must pause itself once the buffer reaches high water.
            try await eventually("the transfer to pause") { response.body.statistics.isPaused }
            let paused = response.body.statistics
            #expect(paused.peakBufferedBytes >= limits.highWater)
            #expect(paused.bufferedBytes > limits.lowWater)
            #expect(paused.receivedBytes < total)
            while let chunk = try await iterator.next() { received += chunk.count }
            let final = response.body.statistics
            #expect(received == total)
            #expect(final.pauseCount >= 1)
            // One libcurl write (at most CURL_MAX_WRITE_SIZE, 16 KiB) may land above high water.
            #expect(final.peakBufferedBytes <= limits.highWater + 64 << 10)
            await reactor.shutdown()
        }
    }

    @Test func cancellingConsumerTaskAbortsTransfer() async throws {
        try await withKubeServer { server in
            let reactor = try CurlReactor()
            let request = try streamRequest(server, bytes: 1 << 30, limits: BufferLimits(highWater: 64 << 10, lowWater: 16 << 10))
            let started = AsyncGate()
            await started.enter()
            let consumer = Task {
                let response = try await reactor.execute(request)
                var iterator = response.body.makeAsyncIterator()
                _ = try await iterator.next()
                started.leave()
                while try await iterator.next() != nil {}
            }
            await started.enter()
            #expect(reactor.activeTransferCount == 1)
            consumer.cancel()
            await #expect(throws: CancellationError.self) { try await consumer.value }
            try await eventually("the transfer to be removed") { reactor.activeTransferCount == 0 }
            await reactor.shutdown()
        }
    }

    @Test func droppingAnUnfinishedBodyAbortsTransfer() async throws {
        try await withKubeServer { server in
            let reactor = try CurlReactor()
            do {
                let response = try await reactor.execute(
                    try streamRequest(server, bytes: 1 << 30, limits: BufferLimits(highWater: 64 << 10, lowWater: 16 << 10)))
                var iterator = response.body.makeAsyncIterator()
                _ = try await iterator.next()
                #expect(reactor.activeTransferCount == 1)
            }
            try await eventually("the transfer to be removed") { reactor.activeTransferCount == 0 }
            await reactor.shutdown()
        }
    }

    @Test func shutdownAbortsInFlightTransfersAndRefusesNewOnes() async throws {
        try await withKubeServer { server in
            let reactor = try CurlReactor()
            let request = try streamRequest(server, bytes: 1 << 30, limits: BufferLimits(highWater: 64 << 10, lowWater: 16 << 10))
            let response = try await reactor.execute(request)
            var iterator = response.body.makeAsyncIterator()
            _ = try await iterator.next()
            await reactor.shutdown()
            await #expect(throws: KubeError.self) {
                while try await iterator.next() != nil {}
            }
            do {
                _ = try await reactor.execute(request)
                Issue.record("a shut-down reactor accepted a request")
            } catch let error as KubeError {
                #expect(error.code == .clusterUnavailable)
            }
            await reactor.shutdown()  // idempotent
        }
    }

    @Test func requestsRunConcurrentlyOnTheOneThread() async throws {
        try await withKubeServer { server in
            let reactor = try CurlReactor()
            let request = try streamRequest(server, bytes: 256 << 10, limits: .standard)
            let sizes = try await withThrowingTaskGroup(of: Int.self) { group in
                for _ in 0..<8 {
                    group.addTask { try await reactor.execute(request).body.collect().count }
                }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            #expect(sizes == Array(repeating: 256 << 10, count: 8))
            await reactor.shutdown()
        }
    }
}

@Suite struct TransportFailureTests {
    @Test func untrustedServerCertificateIsClusterUnavailableWithCurlText() async throws {
        try await withKubeServer { server in
            var config = try server.certificateConfig()
            config.tls.certificateAuthorityPEM = try server.pki.bytes(server.pki.otherCACertificate)
            try await withClient(try KubeClient(config: config)) { client in
                do {
                    _ = try await client.get(Pod.self, name: "x")
                    Issue.record("trusted an unknown CA")
                } catch let error as KubeError {
                    #expect(error.code == .clusterUnavailable)
                    #expect(error.isTransport)
                    #expect(error.message.contains(server.url))
                    #expect(error.message.lowercased().contains("certificate"), "\(error.message)")
                }
            }
        }
    }

    @Test func insecureSkipVerifyAcceptsUnknownCA() async throws {
        try await withKubeServer { server in
            var config = try server.certificateConfig()
            config.tls.certificateAuthorityPEM = try server.pki.bytes(server.pki.otherCACertificate)
            config.tls.insecureSkipVerify = true
            try await withClient(try KubeClient(config: config)) { client in
                let list = try await client.list(Pod.self)
                #expect(list.items.isEmpty)
            }
        }
    }

    @Test func tlsServerNameIsSentAndVerified() async throws {
        try await withKubeServer { server in
            var config = try server.certificateConfig()
            config.tls.serverName = "kube.test"
            try await withClient(try KubeClient(config: config)) { client in
                _ = try await client.list(Pod.self)
            }
            config.tls.serverName = "wrong.test"
            try await withClient(try KubeClient(config: config)) { client in
                do {
                    _ = try await client.list(Pod.self)
                    Issue.record("accepted a certificate for another name")
                } catch let error as KubeError {
                    #expect(error.code == .clusterUnavailable)
                }
            }
        }
    }

    @Test func connectionRefusedIsClusterUnavailable() async throws {
        let (fd, port) = try refusingPort()
        defer { close(fd) }
        let config = KubeConfig(server: "https://127.0.0.1:\(port)", connectTimeout: 5)
        try await withClient(try KubeClient(config: config, retryPolicy: .none)) { client in
            do {
                _ = try await client.get(Pod.self, name: "x")
                Issue.record("connected to a closed port")
            } catch let error as KubeError {
                #expect(error.code == .clusterUnavailable)
                #expect(error.message.contains("127.0.0.1"))
            }
        }
    }

    @Test func requestTimeoutIsClusterUnavailableWithCurlText() async throws {
        try await withKubeServer { server in
            let reactor = try CurlReactor()
            let config = try server.certificateConfig()
            do {
                _ = try await reactor.execute(CurlRequest(method: "GET", url: "\(server.url)/_test/hang", tls: config.tls, timeout: 0.5))
                Issue.record("a hanging server answered")
            } catch let error as KubeError {
                #expect(error.code == .clusterUnavailable)
                #expect(error.message.contains("Timeout was reached"), "\(error.message)")
            }
            await reactor.shutdown()
        }
    }

    @Test func proxyURLTunnelsThroughTheProxy() async throws {
        try await withKubeServer { server in
            var config = try server.certificateConfig()
            config.proxyURL = "http://127.0.0.1:\(server.proxyPort)"
            try await withClient(try KubeClient(config: config)) { client in
                _ = try await client.list(Pod.self)
            }
            let stats = try await server.command(["cmd": "stats"])
            #expect((stats["proxyTunnels"]?.intValue ?? 0) >= 1)
        }
    }

    @Test func missingCredentialsAreUnauthorized() async throws {
        try await withKubeServer { server in
            let config = KubeConfig(server: server.url, tls: TLSOptions(certificateAuthorityPEM: try server.pki.bytes(server.pki.caCertificate)))
            try await withClient(try KubeClient(config: config)) { client in
                do {
                    _ = try await client.list(Pod.self)
                    Issue.record("anonymous request succeeded")
                } catch let error as KubeError {
                    #expect(error.isUnauthorized)
                    #expect(error.code == .unauthorized)
                    #expect(error.httpStatus == 401)
                }
            }
        }
    }
}
