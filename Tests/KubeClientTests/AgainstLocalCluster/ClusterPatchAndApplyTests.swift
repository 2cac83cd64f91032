import CubicleModel
import Foundation
import KubeClient
import Testing

/// JSON merge patch and server-side apply (field managers, conflicts, force) against the
/// embedded API server.
@Suite struct ClusterPatchAndApplyTests {
    @Test func mergePatchSetsAndRemovesKeysAndKeepsTheRest() async throws {
        try await withLocalCluster { cluster in
            try await cluster.withAdmin { client in
                _ = try await client.create(
                    ConfigMap(metadata: ObjectMeta(name: "m", labels: ["keep": "yes", "drop": "yes"]), data: ["a": "1", "b": "2"]))
                let patched = try await client.mergePatch(
                    ConfigMap.self, name: "m", patch: ["metadata": ["labels": ["drop": nil, "new": "1"]], "data": ["b": nil, "c": "3"]])
                #expect(patched.metadata.labels == ["keep": "yes", "new": "1"])
                #expect(patched.data == ["a": "1", "c": "3"])
                #expect(try await client.get(ConfigMap.self, name: "m").data == ["a": "1", "c": "3"])

                let unstructured = try await client.mergePatch(.configMaps, name: "m", patch: ["data": ["a": "one"]])
                #expect(unstructured[path: ["data", "a"]] == "one")
            }
        }
    }

    @Test func mergePatchCarryingAStaleResourceVersionIsConflict() async throws {
        try await withLocalCluster { cluster in
            try await cluster.withAdmin { client in
                let created = try await client.create(ConfigMap(metadata: ObjectMeta(name: "m"), data: ["a": "1"]))
                _ = try await client.mergePatch(ConfigMap.self, name: "m", patch: ["data": ["a": "2"]])
                let stale = try #require(created.metadata.resourceVersion)
                let error = await kubeError("stale patch") {
                    _ = try await client.mergePatch(
                        ConfigMap.self, name: "m", patch: ["metadata": ["resourceVersion": .string(stale)], "data": ["a": "3"]])
                }
                #expect(error?.isConflict == true)
                let missing = await kubeError("patch of a missing object") {
                    _ = try await client.mergePatch(ConfigMap.self, name: "absent", patch: ["data": ["a": "1"]])
                }
                #expect(missing?.isNotFound == true)
            }
        }
    }

    @Test func applyCreatesThenRecordsCubicleAsFieldManager() async throws {
        try await withLocalCluster { cluster in
            try await cluster.withAdmin { client in
                let applied = try await client.apply(ConfigMap(metadata: ObjectMeta(name: "cfg"), data: ["owner": "cubicle"]))
                #expect(applied.data == ["owner": "cubicle"])
                #expect(applied.metadata.uid != nil)
                let document = try await client.get(.configMaps, name: "cfg")
                let managers = document[path: ["metadata", "managedFields"]]?.arrayValue ?? []
                let cubicle = try #require(managers.first { $0["manager"]?.stringValue == "cubicle" })
                #expect(cubicle["operation"] == "Apply")
                #expect(cubicle[path: ["fieldsV1", "f:data", "f:owner"]] != nil)
            }
        }
    }

    @Test func applyOfAnotherManagersFieldConflictsUnlessForced() async throws {
        try await withLocalCluster { cluster in
            try await cluster.withAdmin { client in
                _ = try await client.apply(ConfigMap(metadata: ObjectMeta(name: "cfg"), data: ["owner": "cubicle", "shared": "a"]))
                let intruder = ConfigMap(metadata: ObjectMeta(name: "cfg"), data: ["shared": "b"])
                let error = await kubeError("conflicting apply") {
                    _ = try await client.apply(intruder, options: ApplyOptions(fieldManager: "intruder"))
                }
                #expect(error?.isConflict == true)
                #expect(error?.httpStatus == 409)
                #expect(error?.message.contains("cubicle") == true)
                #expect(error?.message.contains(".data.shared") == true)
                #expect(try await client.get(ConfigMap.self, name: "cfg").data == ["owner": "cubicle", "shared": "a"])

                let forced = try await client.apply(intruder, options: ApplyOptions(fieldManager: "intruder", force: true))
                #expect(forced.data == ["owner": "cubicle", "shared": "b"])
                let document = try await client.get(.configMaps, name: "cfg")
                let managers = document[path: ["metadata", "managedFields"]]?.arrayValue ?? []
                let intruderFields = try #require(managers.first { $0["manager"]?.stringValue == "intruder" })
                #expect(intruderFields[path: ["fieldsV1", "f:data", "f:shared"]] != nil)
                let cubicleFields = try #require(managers.first { $0["manager"]?.stringValue == "cubicle" })
                #expect(cubicleFields[path: ["fieldsV1", "f:data", "f:shared"]] == nil)
                #expect(cubicleFields[path: ["fieldsV1", "f:data", "f:owner"]] != nil)
            }
        }
    }

    @Test func reapplyingWithoutAFieldRemovesOnlyWhatTheManagerOwned() async throws {
        try await withLocalCluster { cluster in
            try await cluster.withAdmin { client in
                _ = try await client.apply(ConfigMap(metadata: ObjectMeta(name: "cfg"), data: ["a": "1", "b": "2"]))
                _ = try await client.mergePatch(ConfigMap.self, name: "cfg", patch: ["data": ["manual": "x"]])
                let reapplied = try await client.apply(ConfigMap(metadata: ObjectMeta(name: "cfg"), data: ["a": "1"]))
                #expect(reapplied.data == ["a": "1", "manual": "x"])
            }
        }
    }

    @Test func unstructuredApplyResolvesTheResourceFromKind() async throws {
        try await withLocalCluster { cluster in
            try await cluster.withAdmin { client in
                let lease: JSONValue = [
                    "apiVersion": "coordination.k8s.io/v1", "kind": "Lease", "metadata": ["name": "leader"],
                    "spec": ["holderIdentity": "replica-a"],
                ]
                let applied = try await client.apply(lease)
                #expect(applied[path: ["spec", "holderIdentity"]] == "replica-a")
                #expect(try await client.get(Lease.self, name: "leader").spec?.holderIdentity == "replica-a")
            }
        }
    }
}
