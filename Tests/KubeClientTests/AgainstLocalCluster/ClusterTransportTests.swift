import CubicleModel
import Foundation
import KubeClient
import Testing

/// The transport under load against the embedded API server: large bodies streamed through
/// back-pressure, many concurrent requests on one reactor, and HTTP/2 negotiation.
@Suite struct ClusterTransportTests {
    @Test func largeListBodiesArriveWholeThroughASmallBuffer() async throws {
        try await withLocalCluster { cluster in
            // A buffer far smaller than the body, so the transfer pauses and resumes many times.
            let small = BufferLimits(highWater: 64 * 1024, lowWater: 16 * 1024)
            try await cluster.withClient(try await cluster.certificateConfig(), bufferLimits: small) { client in
                let payload = String(repeating: "x", count: 900 * 1024)
                let names = (0..<3).map { String(format: "big-%03d", $0) }
                for name in names {
                    _ = try await client.create(ConfigMap(metadata: ObjectMeta(name: name, labels: ["size": "big"]), data: ["blob": payload]))
                }
                let list = try await client.list(ConfigMap.self, options: ListOptions(labelSelector: "size=big"))
                #expect(list.items.compactMap(\.metadata.name) == names)
                #expect(list.items.allSatisfy { $0.data?["blob"] == payload })
            }
        }
    }

    @Test func concurrentRequestsOnOneClientAllComplete() async throws {
        try await withLocalCluster { cluster in
            try await cluster.withAdmin { client in
                try await withThrowingTaskGroup(of: Void.self) { group in
                    for index in 0..<20 {
                        group.addTask {
                            let name = "c-\(index)"
                            _ = try await client.create(ConfigMap(metadata: ObjectMeta(name: name), data: ["i": String(index)]))
                            let back = try await client.get(ConfigMap.self, name: name)
                            #expect(back.data == ["i": String(index)])
                        }
                    }
                    try await group.waitForAll()
                }
                let all = try await client.listAll(ConfigMap.self, options: ListOptions(limit: 7))
                #expect(all.items.filter { $0.metadata.name?.hasPrefix("c-") == true }.count == 20)
            }
        }
    }

    @Test func http2PreferenceStillReachesTheCluster() async throws {
        try await withLocalCluster { cluster in
            var config = try await cluster.certificateConfig()
            config.httpVersion = .http2
            try await cluster.withClient(config) { client in
                _ = try await client.create(Secret(metadata: ObjectMeta(name: "h2")))
                #expect(try await client.get(Secret.self, name: "h2").metadata.name == "h2")
            }
        }
    }
}
