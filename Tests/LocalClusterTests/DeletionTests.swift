import CubicleModel
import Foundation
import LocalCluster
import Testing

/// Deletion: finalizers, preconditions, graceful pod termination through the kubelet API,
/// delete-collection, namespaces and owner references.
@Suite("Deletion")
struct DeletionTests {
    @Test func finalizersHoldTheObjectUntilTheyAreRemoved() async throws {
        try await TestCluster.with { test in
            var map = ObjectSemanticsTests.configMap("held")
            map.set(path: ["metadata", "finalizers"], to: ["example.com/cleanup"])
            _ = try await test.request("POST", "/api/v1/namespaces/default/configmaps", json: map)
            let deleted = try await test.request("DELETE", "/api/v1/namespaces/default/configmaps/held")
            #expect(deleted.status == 200)
            let held = try await test.request("GET", "/api/v1/namespaces/default/configmaps/held")
            #expect(held.status == 200)
            #expect(held.json[path: ["metadata", "deletionTimestamp"]]?.stringValue != nil)

            let adding = try await test.request(
                "PATCH", "/api/v1/namespaces/default/configmaps/held",
                json: ["metadata": ["finalizers": ["example.com/cleanup", "example.com/more"]]],
                contentType: "application/merge-patch+json"
            )
            #expect(adding.status == 422)

            let released = try await test.request(
                "PATCH", "/api/v1/namespaces/default/configmaps/held", json: ["metadata": ["finalizers": nil]],
                contentType: "application/merge-patch+json"
            )
            #expect(released.status == 200)
            #expect(try await test.request("GET", "/api/v1/namespaces/default/configmaps/held").status == 404)
        }
    }

    @Test func deletePreconditionsMustMatch() async throws {
        try await TestCluster.with { test in
            let created = try await test.request("POST", "/api/v1/namespaces/default/configmaps", json: ObjectSemanticsTests.configMap("c"))
            let wrongUID = try await test.request(
                "DELETE", "/api/v1/namespaces/default/configmaps/c", json: ["preconditions": ["uid": "other"]]
            )
            #expect(wrongUID.status == 409)
            let wrongVersion = try await test.request(
                "DELETE", "/api/v1/namespaces/default/configmaps/c", json: ["preconditions": ["resourceVersion": "1"]]
            )
            #expect(wrongVersion.status == 409)
            let matching = try await test.request(
                "DELETE", "/api/v1/namespaces/default/configmaps/c",
                json: ["kind": "DeleteOptions", "apiVersion": "v1", "preconditions": ["uid": .string(created.json.metaUID)]]
            )
            #expect(matching.status == 200)
            #expect(matching.json["status"]?.stringValue == "Success")
        }
    }

    @Test func boundPodsTerminateGracefullyUntilTheKubeletFinishes() async throws {
        try await TestCluster.with { test in
            _ = try await test.request("POST", "/api/v1/namespaces/default/pods", json: ObjectSemanticsTests.pod("unbound"))
            let immediate = try await test.request("DELETE", "/api/v1/namespaces/default/pods/unbound")
            #expect(immediate.status == 200)
            #expect(try await test.request("GET", "/api/v1/namespaces/default/pods/unbound").status == 404)

            _ = try await test.request("POST", "/api/v1/namespaces/default/pods", json: ObjectSemanticsTests.pod("bound", nodeName: "local"))
            let graceful = try await test.request("DELETE", "/api/v1/namespaces/default/pods/bound?gracePeriodSeconds=7")
            #expect(graceful.json[path: ["metadata", "deletionGracePeriodSeconds"]]?.intValue == 7)
            #expect(graceful.json[path: ["metadata", "deletionTimestamp"]]?.stringValue != nil)
            #expect(try await test.request("GET", "/api/v1/namespaces/default/pods/bound").status == 200)

            let kubelet = try test.cluster.kubelet
            let watch = kubelet.watchPods(onNode: "local")
            try kubelet.finishPodDeletion(namespace: "default", name: "bound", uid: nil)
            #expect(try await test.request("GET", "/api/v1/namespaces/default/pods/bound").status == 404)
            let sawDeletion = try await withDeadline(20) {
                for await event in watch where event.kind == .deleted {
                    if event.pod[path: ["metadata", "name"]]?.stringValue == "bound" { return true }
                }
                return false
            }
            #expect(sawDeletion)

            _ = try await test.request("POST", "/api/v1/namespaces/default/pods", json: ObjectSemanticsTests.pod("forced", nodeName: "local"))
            _ = try await test.request("DELETE", "/api/v1/namespaces/default/pods/forced")
            let force = try await test.request("DELETE", "/api/v1/namespaces/default/pods/forced", json: ["gracePeriodSeconds": 0])
            #expect(force.status == 200)
            #expect(try await test.request("GET", "/api/v1/namespaces/default/pods/forced").status == 404)
        }
    }

    @Test func deleteCollectionRemovesOnlySelectedObjects() async throws {
        try await TestCluster.with { test in
            try await ListingTests.seed(test)
            let deleted = try await test.request("DELETE", "/api/v1/namespaces/default/configmaps?labelSelector=tier%3Dback")
            #expect(deleted.status == 200)
            #expect(Set(deleted.json.itemNames) == ["b", "c"])
            let left = try await test.request("GET", "/api/v1/namespaces/default/configmaps").json.itemNames
            #expect(left == ["a", "d", "e", "kube-root-ca.crt"])
        }
    }

    @Test func deletingANamespaceRemovesEverythingInIt() async throws {
        try await TestCluster.with { test in
            _ = try await test.request("POST", "/api/v1/namespaces", json: ["apiVersion": "v1", "kind": "Namespace", "metadata": ["name": "doomed"]])
            let accounts = try await test.request("GET", "/api/v1/namespaces/doomed/serviceaccounts").json.itemNames
            #expect(accounts == ["default"])
            _ = try await test.request("POST", "/api/v1/namespaces/doomed/configmaps", json: ObjectSemanticsTests.configMap("c"))
            _ = try await test.request("POST", "/api/v1/namespaces/doomed/pods", json: ObjectSemanticsTests.pod("p", nodeName: "local"))
            #expect(try await test.request("DELETE", "/api/v1/namespaces/doomed").status == 200)
            #expect(try await test.request("GET", "/api/v1/namespaces/doomed").status == 404)
            #expect(try await test.request("GET", "/api/v1/namespaces/doomed/configmaps").json.itemNames.isEmpty)
            #expect(try await test.request("GET", "/api/v1/namespaces/doomed/pods").json.itemNames.isEmpty)
            let recreate = try await test.request("POST", "/api/v1/namespaces/doomed/configmaps", json: ObjectSemanticsTests.configMap("c"))
            #expect(recreate.status == 404)
            let system = try await test.request("DELETE", "/api/v1/namespaces/default")
            #expect(system.status == 403)
            #expect(system.message == "namespaces \"default\" is forbidden: this namespace may not be deleted")
            #expect(try await test.request("DELETE", "/api/v1/nodes/local").status == 403)
        }
    }

    @Test func dependentsFollowTheirOwnerUnlessOrphaned() async throws {
        try await TestCluster.with { test in
            let owner = try await test.request("POST", "/api/v1/namespaces/default/configmaps", json: ObjectSemanticsTests.configMap("owner")).json
            let reference: JSONValue = [["apiVersion": "v1", "kind": "ConfigMap", "name": "owner", "uid": .string(owner.metaUID)]]
            for name in ["child", "orphan-child"] {
                var child = ObjectSemanticsTests.configMap(name)
                child.set(path: ["metadata", "ownerReferences"], to: reference)
                _ = try await test.request("POST", "/api/v1/namespaces/default/configmaps", json: child)
            }
            _ = try await test.request("DELETE", "/api/v1/namespaces/default/configmaps/owner")
            #expect(try await test.request("GET", "/api/v1/namespaces/default/configmaps/child").status == 404)
            #expect(try await test.request("GET", "/api/v1/namespaces/default/configmaps/orphan-child").status == 404)

            let second = try await test.request("POST", "/api/v1/namespaces/default/configmaps", json: ObjectSemanticsTests.configMap("owner2")).json
            var kept = ObjectSemanticsTests.configMap("kept")
            kept.set(path: ["metadata", "ownerReferences"], to: [["apiVersion": "v1", "kind": "ConfigMap", "name": "owner2", "uid": .string(second.metaUID)]])
            _ = try await test.request("POST", "/api/v1/namespaces/default/configmaps", json: kept)
            _ = try await test.request("DELETE", "/api/v1/namespaces/default/configmaps/owner2?propagationPolicy=Orphan")
            let orphan = try await test.request("GET", "/api/v1/namespaces/default/configmaps/kept")
            #expect(orphan.status == 200)
            #expect(orphan.json[path: ["metadata", "ownerReferences"]] == nil)
            let invalid = try await test.request("DELETE", "/api/v1/namespaces/default/configmaps/kept?propagationPolicy=Sometimes")
            #expect(invalid.status == 400)
        }
    }
}
