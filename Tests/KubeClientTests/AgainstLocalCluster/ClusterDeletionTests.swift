import CubicleModel
import Foundation
import KubeClient
import Testing

/// Deletion options — grace period, propagation, preconditions — and delete-collection by label
/// selector against the embedded API server.
@Suite struct ClusterDeletionTests {
    @Test func boundPodWithGracePeriodTerminatesUntilDeletedWithZeroGrace() async throws {
        try await withLocalCluster { cluster in
            try await cluster.withAdmin { client in
                _ = try await client.create(ClusterObjectTests.pod("bound", node: "local"))
                try await client.delete(Pod.self, name: "bound", options: DeleteOptions(gracePeriodSeconds: 45))
                let terminating = try await client.get(Pod.self, name: "bound")
                #expect(terminating.metadata.deletionTimestamp != nil)
                #expect(terminating.metadata.deletionGracePeriodSeconds == 45)

                try await client.delete(Pod.self, name: "bound", options: DeleteOptions(gracePeriodSeconds: 0))
                let gone = await kubeError("get after forced delete") { _ = try await client.get(Pod.self, name: "bound") }
                #expect(gone?.isNotFound == true)
            }
        }
    }

    @Test func orphanPropagationKeepsDependentsAndBackgroundRemovesThem() async throws {
        try await withLocalCluster { cluster in
            try await cluster.withAdmin { client in
                func owned(_ name: String, by owner: ConfigMap) -> ConfigMap {
                    let reference = OwnerReference(apiVersion: "v1", kind: "ConfigMap", name: owner.metadata.name ?? "", uid: owner.metadata.uid ?? "")
                    return ConfigMap(metadata: ObjectMeta(name: name, ownerReferences: [reference]))
                }
                let kept = try await client.create(ConfigMap(metadata: ObjectMeta(name: "owner-kept")))
                _ = try await client.create(owned("orphan", by: kept))
                try await client.delete(ConfigMap.self, name: "owner-kept", options: DeleteOptions(propagationPolicy: .orphan))
                let orphan = try await client.get(ConfigMap.self, name: "orphan")
                #expect(orphan.metadata.ownerReferences == nil)

                let doomed = try await client.create(ConfigMap(metadata: ObjectMeta(name: "owner-doomed")))
                _ = try await client.create(owned("dependent", by: doomed))
                try await client.delete(ConfigMap.self, name: "owner-doomed", options: DeleteOptions(propagationPolicy: .background))
                let dependent = await kubeError("get dependent") { _ = try await client.get(ConfigMap.self, name: "dependent") }
                #expect(dependent?.isNotFound == true)
            }
        }
    }

    @Test func deletePreconditionsProtectAReplacedObject() async throws {
        try await withLocalCluster { cluster in
            try await cluster.withAdmin { client in
                let old = try await client.create(Secret(metadata: ObjectMeta(name: "s")))
                try await client.delete(Secret.self, name: "s")
                let replacement = try await client.create(Secret(metadata: ObjectMeta(name: "s")))
                let error = await kubeError("delete with the old uid") {
                    try await client.delete(Secret.self, name: "s", options: DeleteOptions(preconditionUID: old.metadata.uid))
                }
                #expect(error?.isConflict == true)
                #expect(try await client.get(Secret.self, name: "s").metadata.uid == replacement.metadata.uid)
                try await client.delete(
                    Secret.self, name: "s",
                    options: DeleteOptions(preconditionUID: replacement.metadata.uid, preconditionResourceVersion: replacement.metadata.resourceVersion))
                #expect(try await client.list(Secret.self).items.isEmpty)
            }
        }
    }

    @Test func deleteCollectionRemovesOnlyTheSelectedObjects() async throws {
        try await withLocalCluster { cluster in
            try await cluster.withAdmin { client in
                for (name, user) in [("ws-alice-1", "alice"), ("ws-alice-2", "alice"), ("ws-bob-1", "bob")] {
                    _ = try await client.create(ConfigMap(metadata: ObjectMeta(name: name, labels: ["cubicle.dev/user": user])))
                    _ = try await client.create(Secret(metadata: ObjectMeta(name: name, labels: ["cubicle.dev/user": user])))
                }
                try await client.deleteCollection(ConfigMap.self, labelSelector: "cubicle.dev/user=alice")
                let maps = try await client.list(ConfigMap.self, options: ListOptions(labelSelector: "cubicle.dev/user"))
                #expect(maps.items.compactMap(\.metadata.name) == ["ws-bob-1"])
                let secrets = try await client.list(Secret.self)
                #expect(secrets.items.compactMap(\.metadata.name).sorted() == ["ws-alice-1", "ws-alice-2", "ws-bob-1"])

                try await client.deleteCollection(.secrets, labelSelector: "cubicle.dev/user in (alice,bob)")
                #expect(try await client.list(Secret.self).items.isEmpty)
                #expect(try await client.get(ConfigMap.self, name: "kube-root-ca.crt").metadata.name == "kube-root-ca.crt")
            }
        }
    }

    @Test func deleteCollectionOfBoundPodsHonoursTheGracePeriod() async throws {
        try await withLocalCluster { cluster in
            try await cluster.withAdmin { client in
                for name in ["p1", "p2"] {
                    _ = try await client.create(ClusterObjectTests.pod(name, labels: ["batch": "x"], node: "local"))
                }
                _ = try await client.create(ClusterObjectTests.pod("p3", labels: ["batch": "x"]))
                try await client.deleteCollection(Pod.self, labelSelector: "batch=x", options: DeleteOptions(gracePeriodSeconds: 20))
                let left = try await client.list(Pod.self).items
                #expect(left.compactMap(\.metadata.name).sorted() == ["p1", "p2"])
                #expect(left.allSatisfy { $0.metadata.deletionGracePeriodSeconds == 20 && $0.metadata.deletionTimestamp != nil })
                try await client.deleteCollection(Pod.self, labelSelector: "batch=x", options: DeleteOptions(gracePeriodSeconds: 0))
                #expect(try await client.list(Pod.self).items.isEmpty)
            }
        }
    }
}
