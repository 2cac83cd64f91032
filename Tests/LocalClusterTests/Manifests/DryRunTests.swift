import CubicleModel
import Foundation
import LocalCluster
import Testing

/// `dryRun=All` on every write verb: the request is validated and answered as if it happened, and
/// nothing is stored (no object, no new resourceVersion, no watch event).
@Suite("dryRun=All")
struct DryRunTests {
    static let deployments = "/apis/apps/v1/namespaces/default/deployments"

    static func deployment(_ name: String, image: String = "example/app:1", selector: String = "web") -> JSONValue {
        [
            "apiVersion": "apps/v1", "kind": "Deployment", "metadata": ["name": .string(name)],
            "spec": [
                "replicas": 2,
                "selector": ["matchLabels": ["app": .string(selector)]],
                "template": [
                    "metadata": ["labels": ["app": .string(selector)]],
                    "spec": ["containers": [["name": "main", "image": .string(image)]]],
                ],
            ],
        ]
    }

    /// The cluster-wide resourceVersion, from a list.
    static func listVersion(_ test: TestCluster) async throws -> Int64 {
        let list = try await test.request("GET", "/api/v1/namespaces")
        return Int64(list.json[path: ["metadata", "resourceVersion"]]?.stringValue ?? "") ?? -1
    }

    @Test func dryRunCreateAnswersTheObjectButStoresNothing() async throws {
        try await TestCluster.with { test in
            let before = try await Self.listVersion(test)
            let created = try await test.request("POST", Self.deployments + "?dryRun=All", json: Self.deployment("web"))
            #expect(created.status == 201, "\(created.text)")
            #expect(UUID(uuidString: created.json.metaUID) != nil)
            #expect(created.json[path: ["metadata", "creationTimestamp"]]?.stringValue != nil)
            #expect(try await test.request("GET", Self.deployments + "/web").status == 404)
            #expect(try await Self.listVersion(test) == before)

            let invalid = Self.deployment("Not_A_Name")
            let refused = try await test.request("POST", Self.deployments + "?dryRun=All", json: invalid)
            #expect(refused.status == 422, "a dry run still validates: \(refused.text)")

            let bogus = try await test.request("POST", Self.deployments + "?dryRun=Some", json: Self.deployment("web"))
            #expect(bogus.status == 400)
            #expect(bogus.message.contains("supported values: \"All\""), "\(bogus.message)")
        }
    }

    @Test func dryRunUpdatePatchAndApplyLeaveTheStoredObjectAlone() async throws {
        try await TestCluster.with { test in
            let created = try await test.request("POST", Self.deployments, json: Self.deployment("web"))
            #expect(created.status == 201, "\(created.text)")
            let version = created.json.resourceVersionNumber

            var changed = created.json
            changed.set(path: ["spec", "replicas"], to: 5)
            let updated = try await test.request("PUT", Self.deployments + "/web?dryRun=All", json: changed)
            #expect(updated.status == 200, "\(updated.text)")
            #expect(updated.json[path: ["spec", "replicas"]]?.intValue == 5)

            let patched = try await test.request(
                "PATCH", Self.deployments + "/web?dryRun=All", body: #"{"spec":{"replicas":7}}"#,
                contentType: "application/merge-patch+json")
            #expect(patched.status == 200, "\(patched.text)")
            #expect(patched.json[path: ["spec", "replicas"]]?.intValue == 7)

            let applied = try await test.request(
                "PATCH", Self.deployments + "/web?dryRun=All&fieldManager=test&force=true",
                body: "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web}\nspec: {replicas: 9}\n",
                contentType: "application/apply-patch+yaml")
            #expect(applied.status == 200, "\(applied.text)")
            #expect(applied.json[path: ["spec", "replicas"]]?.intValue == 9)

            // Validation still runs: the selector of a Deployment is immutable.
            let selector = try await test.request(
                "PATCH", Self.deployments + "/web?dryRun=All",
                body: #"{"spec":{"selector":{"matchLabels":{"app":"other"}}}}"#, contentType: "application/merge-patch+json")
            #expect(selector.status == 422, "\(selector.text)")

            let stored = try await test.request("GET", Self.deployments + "/web")
            #expect(stored.json[path: ["spec", "replicas"]]?.intValue == 2)
            #expect(stored.json.resourceVersionNumber == version)
        }
    }

    @Test func dryRunApplyOfAMissingObjectCreatesNothing() async throws {
        try await TestCluster.with { test in
            let applied = try await test.request(
                "PATCH", "/apis/rbac.authorization.k8s.io/v1/namespaces/default/roles/reader?dryRun=All&fieldManager=test",
                body: "apiVersion: rbac.authorization.k8s.io/v1\nkind: Role\nmetadata: {name: reader}\nrules: [{apiGroups: [''], resources: [pods], verbs: [get]}]\n",
                contentType: "application/apply-patch+yaml")
            #expect(applied.status == 201, "\(applied.text)")
            #expect(applied.json["kind"]?.stringValue == "Role")
            let get = try await test.request("GET", "/apis/rbac.authorization.k8s.io/v1/namespaces/default/roles/reader")
            #expect(get.status == 404)
        }
    }

    @Test func dryRunDeleteAndDeleteCollectionKeepTheObjects() async throws {
        try await TestCluster.with { test in
            for name in ["a", "b"] {
                let sa = try await test.request(
                    "POST", "/api/v1/namespaces/default/serviceaccounts",
                    json: ["apiVersion": "v1", "kind": "ServiceAccount", "metadata": ["name": .string(name), "labels": ["set": "x"]]])
                #expect(sa.status == 201, "\(sa.text)")
            }
            let before = try await Self.listVersion(test)
            let deleted = try await test.request("DELETE", "/api/v1/namespaces/default/serviceaccounts/a?dryRun=All")
            #expect(deleted.status == 200, "\(deleted.text)")
            #expect(deleted.json["status"]?.stringValue == "Success")
            #expect(deleted.json[path: ["details", "name"]]?.stringValue == "a")
            let collection = try await test.request("DELETE", "/api/v1/namespaces/default/serviceaccounts?dryRun=All&labelSelector=set%3Dx")
            #expect(collection.status == 200, "\(collection.text)")
            #expect(collection.json.itemNames.sorted() == ["a", "b"])
            let list = try await test.request("GET", "/api/v1/namespaces/default/serviceaccounts?labelSelector=set%3Dx")
            #expect(list.json.itemNames.sorted() == ["a", "b"])
            #expect(try await Self.listVersion(test) == before)
        }
    }
}
