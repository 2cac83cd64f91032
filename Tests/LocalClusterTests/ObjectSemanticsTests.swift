import CubicleModel
import Foundation
import LocalCluster
import Testing

/// Create, get, update and their failures, as Kubernetes `Status` bodies.
@Suite("Object semantics")
struct ObjectSemanticsTests {
    static func configMap(_ name: String, labels: [String: JSONValue] = [:], data: [String: JSONValue] = ["k": "v"]) -> JSONValue {
        ["apiVersion": "v1", "kind": "ConfigMap", "metadata": ["name": .string(name), "labels": .object(labels)], "data": .object(data)]
    }

    static func pod(_ name: String, image: String = "busybox:1.36", nodeName: String? = nil) -> JSONValue {
        var spec: [String: JSONValue] = ["containers": [["name": "main", "image": .string(image)]]]
        if let nodeName { spec["nodeName"] = .string(nodeName) }
        return ["apiVersion": "v1", "kind": "Pod", "metadata": ["name": .string(name)], "spec": .object(spec)]
    }

    @Test func createStampsSystemMetadataAndGlobalResourceVersions() async throws {
        try await TestCluster.with { test in
            let first = try await test.request("POST", "/api/v1/namespaces/default/configmaps", json: Self.configMap("one"))
            let second = try await test.request("POST", "/api/v1/namespaces/default/secrets", json: [
                "apiVersion": "v1", "kind": "Secret", "metadata": ["name": "two"], "stringData": ["password": "hunter2"],
            ])
            #expect(first.status == 201)
            #expect(second.status == 201)
            #expect(UUID(uuidString: first.json.metaUID) != nil)
            #expect(first.json[path: ["metadata", "namespace"]]?.stringValue == "default")
            #expect(first.json[path: ["metadata", "generation"]]?.intValue == 1)
            #expect(first.json[path: ["metadata", "creationTimestamp"]]?.stringValue.flatMap(RFC3339.date(from:)) != nil)
            let firstVersion = try #require(first.json.resourceVersionNumber)
            let secondVersion = try #require(second.json.resourceVersionNumber)
            #expect(secondVersion > firstVersion)
            #expect(second.json[path: ["data", "password"]]?.stringValue == Data("hunter2".utf8).base64EncodedString())
            #expect(second.json["stringData"] == nil)
            #expect(second.json["type"]?.stringValue == "Opaque")
        }
    }

    @Test func creatingAnExistingNameIs409AlreadyExists() async throws {
        try await TestCluster.with { test in
            #expect(try await test.request("POST", "/api/v1/namespaces/default/pods", json: Self.pod("x")).status == 201)
            let again = try await test.request("POST", "/api/v1/namespaces/default/pods", json: Self.pod("x"))
            #expect(again.status == 409)
            #expect(again.json["reason"]?.stringValue == "AlreadyExists")
            #expect(again.json["message"]?.stringValue == "pods \"x\" already exists")
            #expect(again.json[path: ["details", "name"]]?.stringValue == "x")
            #expect(again.json[path: ["details", "kind"]]?.stringValue == "pods")
        }
    }

    @Test func updateWithStaleResourceVersionIs409ConflictAndWithoutIsUnconditional() async throws {
        try await TestCluster.with { test in
            let created = try await test.request("POST", "/api/v1/namespaces/default/configmaps", json: Self.configMap("c"))
            var first = created.json
            first["data"] = ["k": "first"]
            let updated = try await test.request("PUT", "/api/v1/namespaces/default/configmaps/c", json: first)
            #expect(updated.status == 200)
            #expect((updated.json.resourceVersionNumber ?? 0) > (created.json.resourceVersionNumber ?? 0))

            var stale = created.json
            stale["data"] = ["k": "stale"]
            let conflict = try await test.request("PUT", "/api/v1/namespaces/default/configmaps/c", json: stale)
            #expect(conflict.status == 409)
            #expect(conflict.json["reason"]?.stringValue == "Conflict")
            #expect(
                conflict.json["message"]?.stringValue
                    == "Operation cannot be fulfilled on configmaps \"c\": the object has been modified; please apply your changes to the latest version and try again"
            )

            var unconditional = created.json
            unconditional.setResourceVersion(nil)
            unconditional["data"] = ["k": "forced"]
            let forced = try await test.request("PUT", "/api/v1/namespaces/default/configmaps/c", json: unconditional)
            #expect(forced.status == 200)
            #expect(forced.json[path: ["data", "k"]]?.stringValue == "forced")
        }
    }

    @Test func invalidNamesAre422WithTheFieldPath() async throws {
        try await TestCluster.with { test in
            let response = try await test.request("POST", "/api/v1/namespaces/default/pods", json: Self.pod("Bad_Name"))
            #expect(response.status == 422)
            #expect(response.json["reason"]?.stringValue == "Invalid")
            let message = response.message
            #expect(message.hasPrefix("Pod \"Bad_Name\" is invalid: metadata.name: Invalid value: \"Bad_Name\": a lowercase RFC 1123 subdomain"), "\(message)")
            #expect(response.json[path: ["details", "causes"]]?.arrayValue?.first?["field"]?.stringValue == "metadata.name")

            let service = try await test.request("POST", "/api/v1/namespaces/default/services", json: [
                "apiVersion": "v1", "kind": "Service", "metadata": ["name": "1svc"], "spec": ["ports": [["port": 80]]],
            ])
            #expect(service.status == 422)
            #expect(service.message.contains("a DNS-1035 label"))
        }
    }

    @Test func podsNeedContainerNamesAndImages() async throws {
        try await TestCluster.with { test in
            let pod: JSONValue = ["apiVersion": "v1", "kind": "Pod", "metadata": ["name": "p"], "spec": ["containers": [["name": "a"], ["image": "x"]]]]
            let response = try await test.request("POST", "/api/v1/namespaces/default/pods", json: pod)
            #expect(response.status == 422)
            let fields = (response.json[path: ["details", "causes"]]?.arrayValue ?? []).compactMap { $0["field"]?.stringValue }
            #expect(fields.contains("spec.containers[0].image"))
            #expect(fields.contains("spec.containers[1].name"))
        }
    }

    @Test func podSpecIsImmutableExceptImages() async throws {
        try await TestCluster.with { test in
            let created = try await test.request("POST", "/api/v1/namespaces/default/pods", json: Self.pod("p")).json
            var newImage = created
            newImage.set(path: ["spec", "containers"], to: [["name": "main", "image": "busybox:1.37"]])
            newImage.setResourceVersion(nil)
            let allowed = try await test.request("PUT", "/api/v1/namespaces/default/pods/p", json: newImage)
            #expect(allowed.status == 200)
            #expect(allowed.json[path: ["metadata", "generation"]]?.intValue == 2)

            var renamed = allowed.json
            renamed.set(path: ["spec", "containers"], to: [["name": "other", "image": "busybox:1.37"]])
            let forbidden = try await test.request("PUT", "/api/v1/namespaces/default/pods/p", json: renamed)
            #expect(forbidden.status == 422)
            #expect(forbidden.message.contains("spec: Forbidden: pod updates may not change fields"))
        }
    }

    @Test func objectsInAMissingNamespaceAre404() async throws {
        try await TestCluster.with { test in
            let response = try await test.request("POST", "/api/v1/namespaces/ghost/configmaps", json: Self.configMap("c"))
            #expect(response.status == 404)
            #expect(response.json["message"]?.stringValue == "namespaces \"ghost\" not found")
            let get = try await test.request("GET", "/api/v1/namespaces/default/pods/nope")
            #expect(get.status == 404)
            #expect(get.json["message"]?.stringValue == "pods \"nope\" not found")
            #expect(get.json[path: ["details", "kind"]]?.stringValue == "pods")
        }
    }

    @Test func statusSubresourceChangesOnlyStatusAndMainResourceKeepsIt() async throws {
        try await TestCluster.with { test in
            let created = try await test.request("POST", "/api/v1/namespaces/default/pods", json: Self.pod("p")).json
            #expect(created[path: ["status", "phase"]]?.stringValue == "Pending")
            var statusUpdate = created
            statusUpdate["status"] = ["phase": "Running", "podIP": "127.77.0.9"]
            statusUpdate.set(path: ["metadata", "labels"], to: ["sneaky": "yes"])
            let updated = try await test.request("PUT", "/api/v1/namespaces/default/pods/p/status", json: statusUpdate)
            #expect(updated.status == 200)
            #expect(updated.json[path: ["status", "phase"]]?.stringValue == "Running")
            #expect(updated.json[path: ["metadata", "labels", "sneaky"]] == nil)

            var mainUpdate = updated.json
            mainUpdate["status"] = ["phase": "Failed"]
            mainUpdate.set(path: ["metadata", "labels"], to: ["kept": "yes"])
            let main = try await test.request("PUT", "/api/v1/namespaces/default/pods/p", json: mainUpdate)
            #expect(main.json[path: ["status", "phase"]]?.stringValue == "Running")
            #expect(main.json[path: ["metadata", "labels", "kept"]]?.stringValue == "yes")
        }
    }

    @Test func generateNameCreatesUniqueNames() async throws {
        try await TestCluster.with { test in
            let template: JSONValue = ["apiVersion": "v1", "kind": "ConfigMap", "metadata": ["generateName": "job-"]]
            let first = try await test.request("POST", "/api/v1/namespaces/default/configmaps", json: template).json.metaName
            let second = try await test.request("POST", "/api/v1/namespaces/default/configmaps", json: template).json.metaName
            #expect(first.hasPrefix("job-") && first.count == 9)
            #expect(second.hasPrefix("job-") && second != first)
        }
    }

    @Test func dryRunWritesValidateButPersistNothing() async throws {
        try await TestCluster.with { test in
            let before = try await test.request("GET", "/api/v1/namespaces/default/configmaps").json.resourceVersionNumber
            let created = try await test.request("POST", "/api/v1/namespaces/default/configmaps?dryRun=All", json: Self.configMap("dry"))
            #expect(created.status == 201)
            #expect(created.json.metaName == "dry")
            #expect(try await test.request("GET", "/api/v1/namespaces/default/configmaps/dry").status == 404)
            let invalid = try await test.request("POST", "/api/v1/namespaces/default/configmaps?dryRun=All", json: Self.configMap("Dry!"))
            #expect(invalid.status == 422)

            _ = try await test.request("POST", "/api/v1/namespaces/default/configmaps", json: Self.configMap("real"))
            let patched = try await test.request(
                "PATCH", "/api/v1/namespaces/default/configmaps/real?dryRun=All", json: ["data": ["k": "changed"]],
                contentType: "application/merge-patch+json"
            )
            #expect(patched.json[path: ["data", "k"]]?.stringValue == "changed")
            let deleted = try await test.request("DELETE", "/api/v1/namespaces/default/configmaps/real?dryRun=All")
            #expect(deleted.status == 200)
            let stored = try await test.request("GET", "/api/v1/namespaces/default/configmaps/real").json
            #expect(stored[path: ["data", "k"]]?.stringValue == "v")
            let after = try await test.request("GET", "/api/v1/namespaces/default/configmaps").json.resourceVersionNumber
            #expect((after ?? 0) == (before ?? 0) + 1)
        }
    }

    @Test func unknownPathsAre404AndUnsupportedVerbs405() async throws {
        try await TestCluster.with { test in
            let unknown = try await test.request("GET", "/api/v1/namespaces/default/widgets")
            #expect(unknown.status == 404)
            #expect(unknown.json["kind"]?.stringValue == "Status")
            #expect(try await test.request("GET", "/apis/nope.example.com/v1").status == 404)
            let method = try await test.request("PUT", "/api/v1/namespaces/default/pods")
            #expect(method.status == 405)
            #expect(method.json["reason"]?.stringValue == "MethodNotAllowed")
            #expect(try await test.request("POST", "/api/v1/pods", json: Self.pod("x")).status == 405)
        }
    }
}

extension JSONValue {
    /// Sets or removes `metadata.resourceVersion`.
    mutating func setResourceVersion(_ value: String?) {
        set(path: ["metadata", "resourceVersion"], to: value.map(JSONValue.string))
    }

    /// `metadata.name`.
    var metaName: String { self[path: ["metadata", "name"]]?.stringValue ?? "" }

    /// `metadata.uid`.
    var metaUID: String { self[path: ["metadata", "uid"]]?.stringValue ?? "" }
}
