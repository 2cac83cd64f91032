import CubicleModel
import Foundation
import KubeClient
import Testing

/// Label and field selectors, and pagination with `limit`/`continue`, against the embedded API server.
@Suite struct ClusterSelectionTests {
    /// Pods with varied labels, some bound to node `local`.
    static func seedPods(_ client: KubeClient) async throws {
        let pods: [(String, [String: String], String?)] = [
            ("a", ["tier": "front", "env": "prod"], "local"),
            ("b", ["tier": "back", "env": "prod"], nil),
            ("c", ["tier": "back", "env": "dev"], "local"),
            ("d", ["tier": "cache"], nil),
            ("e", ["app": "other"], nil),
        ]
        for (name, labels, node) in pods {
            _ = try await client.create(ClusterObjectTests.pod(name, labels: labels, node: node))
        }
    }

    static func names(_ client: KubeClient, labels: String? = nil, fields: String? = nil) async throws -> [String] {
        try await client.list(Pod.self, options: ListOptions(labelSelector: labels, fieldSelector: fields)).items
            .compactMap(\.metadata.name).sorted()
    }

    @Test func equalityLabelSelectorsSelectExactly() async throws {
        try await withLocalCluster { cluster in
            try await cluster.withAdmin { client in
                try await Self.seedPods(client)
                #expect(try await Self.names(client, labels: "tier=back") == ["b", "c"])
                #expect(try await Self.names(client, labels: "tier==back,env=prod") == ["b"])
                #expect(try await Self.names(client, labels: "tier!=back") == ["a", "d", "e"])
                #expect(try await Self.names(client, labels: "tier=nothing").isEmpty)
            }
        }
    }

    @Test func setBasedLabelSelectorsSelectExactly() async throws {
        try await withLocalCluster { cluster in
            try await cluster.withAdmin { client in
                try await Self.seedPods(client)
                #expect(try await Self.names(client, labels: "tier in (front,cache)") == ["a", "d"])
                #expect(try await Self.names(client, labels: "tier notin (front,cache)") == ["b", "c", "e"])
                #expect(try await Self.names(client, labels: "env") == ["a", "b", "c"])
                #expect(try await Self.names(client, labels: "!env") == ["d", "e"])
                #expect(try await Self.names(client, labels: "tier in (back),env notin (dev)") == ["b"])
            }
        }
    }

    @Test func malformedLabelSelectorIsABadRequest() async throws {
        try await withLocalCluster { cluster in
            try await cluster.withAdmin { client in
                let error = await kubeError("bad selector") { _ = try await Self.names(client, labels: "tier in (front") }
                #expect(error?.httpStatus == 400)
                #expect(error?.code == .invalidRequest)
            }
        }
    }

    @Test func fieldSelectorsSelectByNameAndNode() async throws {
        try await withLocalCluster { cluster in
            try await cluster.withAdmin { client in
                try await Self.seedPods(client)
                #expect(try await Self.names(client, fields: "metadata.name=c") == ["c"])
                #expect(try await Self.names(client, fields: "spec.nodeName=local") == ["a", "c"])
                #expect(try await Self.names(client, fields: "spec.nodeName!=local") == ["b", "d", "e"])
                #expect(try await Self.names(client, labels: "env=prod", fields: "spec.nodeName=local") == ["a"])
                #expect(try await Self.names(client, fields: "status.phase=Pending") == ["a", "b", "c", "d", "e"])
                let unsupported = await kubeError("unsupported field") { _ = try await Self.names(client, fields: "spec.image=x") }
                #expect(unsupported?.httpStatus == 400)
            }
        }
    }

    @Test func listPagesWithLimitAndContinueCoverEveryObjectOnce() async throws {
        try await withLocalCluster { cluster in
            try await cluster.withAdmin { client in
                let names = (1...7).map { "key-\($0)" }
                for name in names {
                    _ = try await client.create(Secret(metadata: ObjectMeta(name: name, labels: ["set": "keys"]), stringData: ["k": name]))
                }
                _ = try await client.create(Secret(metadata: ObjectMeta(name: "unrelated")))
                let selection = ListOptions(labelSelector: "set=keys", limit: 3)
                var seen: [String] = []
                var pages = 0
                var options = selection
                while true {
                    let page = try await client.list(Secret.self, options: options)
                    pages += 1
                    #expect(page.items.count <= 3)
                    seen += page.items.compactMap(\.metadata.name)
                    guard let next = page.continueToken, !next.isEmpty else { break }
                    options.continueToken = next
                }
                #expect(pages == 3)
                #expect(seen.sorted() == names.sorted())
                #expect(Set(seen).count == seen.count)
            }
        }
    }

    @Test func listAllFollowsContinueTokensAcrossPages() async throws {
        try await withLocalCluster { cluster in
            let log = RequestLog()
            try await cluster.withAdmin(requestObserver: log.observer) { client in
                for index in 1...5 {
                    _ = try await client.create(ConfigMap(metadata: ObjectMeta(name: "page-\(index)", labels: ["set": "pages"])))
                }
                let all = try await client.listAll(ConfigMap.self, options: ListOptions(labelSelector: "set=pages", limit: 2))
                #expect(all.items.compactMap(\.metadata.name).sorted() == (1...5).map { "page-\($0)" })
                #expect(all.continueToken == nil)
                #expect(all.resourceVersion != nil)
                #expect(log.count(.list) == 3)
            }
        }
    }

    @Test func expiredContinueTokenIsGone() async throws {
        try await withLocalCluster { cluster in
            try await cluster.withAdmin { client in
                for index in 1...4 { _ = try await client.create(ConfigMap(metadata: ObjectMeta(name: "c-\(index)", labels: ["set": "x"]))) }
                let first = try await client.list(ConfigMap.self, options: ListOptions(labelSelector: "set=x", limit: 2))
                let token = try #require(first.continueToken)
                _ = try await client.create(ConfigMap(metadata: ObjectMeta(name: "later")))
                try cluster.faults.expireResourceVersions()
                let error = await kubeError("stale continue") {
                    _ = try await client.list(ConfigMap.self, options: ListOptions(labelSelector: "set=x", limit: 2, continueToken: token))
                }
                #expect(error?.isGone == true)
                #expect(error?.code == .gone)
            }
        }
    }

    @Test func listAllFallsBackToOneWholeListWhenTheContinueTokenExpiresMidway() async throws {
        try await withLocalCluster { cluster in
            let log = RequestLog()
            let kubelet = try cluster.cluster.kubelet
            let faults = try cluster.faults
            // When the second page is requested, the cluster moves on and compacts its history,
            // so the first page's continue token is too old.
            let observer: @Sendable (RequestRecord) -> Void = { record in
                log.observer(record)
                guard record.verb == .list, log.count(.list) == 2 else { return }
                _ = try? kubelet.updatePersistentVolumeClaimStatus(namespace: "default", name: "bump", status: ["phase": "Bound"])
                faults.expireResourceVersions()
            }
            try await cluster.withAdmin(requestObserver: observer) { client in
                _ = try await client.create(
                    PersistentVolumeClaim(
                        metadata: ObjectMeta(name: "bump"),
                        spec: PersistentVolumeClaimSpec(
                            accessModes: ["ReadWriteOnce"], resources: VolumeResourceRequirements(requests: ["storage": try Quantity("1Gi")]))))
                // Eight items in pages of two: four pages normally, three requests with the fallback.
                let names = (1...8).map { "item-\($0)" }
                for name in names { _ = try await client.create(ConfigMap(metadata: ObjectMeta(name: name, labels: ["set": "s"]))) }
                let all = try await client.listAll(ConfigMap.self, options: ListOptions(labelSelector: "set=s", limit: 2))
                #expect(all.items.compactMap(\.metadata.name) == names)
                #expect(log.count(.list) == 3)
                #expect(try await client.get(PersistentVolumeClaim.self, name: "bump").status?.phase == "Bound")
            }
        }
    }

    @Test func allNamespacesListSpansNamespacesAndMissingNamespaceIsNotFound() async throws {
        try await withLocalCluster { cluster in
            try await cluster.withAdmin { client in
                _ = try await client.create(Namespace(metadata: ObjectMeta(name: "team-a")))
                _ = try await client.create(ConfigMap(metadata: ObjectMeta(name: "in-a", labels: ["x": "1"])), namespace: "team-a")
                _ = try await client.create(ConfigMap(metadata: ObjectMeta(name: "in-default", labels: ["x": "1"])))
                let everywhere = try await client.list(ConfigMap.self, namespace: KubeClient.allNamespaces, options: ListOptions(labelSelector: "x=1"))
                #expect(everywhere.items.map { "\($0.metadata.namespace ?? "")/\($0.metadata.name ?? "")" }.sorted() == ["default/in-default", "team-a/in-a"])
                let inA = try await client.list(ConfigMap.self, namespace: "team-a", options: ListOptions(labelSelector: "x=1"))
                #expect(inA.items.compactMap(\.metadata.name) == ["in-a"])
                let unstructured = try await client.list(.configMaps, namespace: KubeClient.allNamespaces, options: ListOptions(labelSelector: "x=1"))
                #expect(unstructured.items.count == 2)
                let missing = await kubeError("create in a missing namespace") {
                    _ = try await client.create(ConfigMap(metadata: ObjectMeta(name: "c")), namespace: "nowhere")
                }
                #expect(missing?.isNotFound == true)
            }
        }
    }
}
