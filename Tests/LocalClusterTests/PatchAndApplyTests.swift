import CubicleModel
import Foundation
import LocalCluster
import Testing

/// JSON merge patch, JSON patch, strategic merge patch and server-side apply.
@Suite("Patch and apply")
struct PatchAndApplyTests {
    static let path = "/api/v1/namespaces/default/pods/web"

    static func applied(image: String, labels: [String: JSONValue] = ["app": "web"]) -> String {
        let labelLines = labels.sorted { $0.key < $1.key }.map { "    \($0.key): \($0.value.stringValue ?? "")" }.joined(separator: "\n")
        return """
            apiVersion: v1
            kind: Pod
            metadata:
              name: web
              labels:
            \(labelLines)
            spec:
              containers:
              - name: main
                image: \(image)
            """
    }

    func apply(_ test: TestCluster, _ body: String, manager: String, force: Bool = false) async throws -> HTTPResult {
        try await test.request(
            "PATCH", Self.path + "?fieldManager=\(manager)" + (force ? "&force=true" : ""), body: body,
            contentType: "application/apply-patch+yaml"
        )
    }

    @Test func mergePatchMergesObjectsAndNullRemoves() async throws {
        try await TestCluster.with { test in
            _ = try await test.request("POST", "/api/v1/namespaces/default/configmaps", json: ObjectSemanticsTests.configMap("c", data: ["a": "1", "b": "2"]))
            let patched = try await test.request(
                "PATCH", "/api/v1/namespaces/default/configmaps/c", json: ["data": ["a": nil, "c": "3"]],
                contentType: "application/merge-patch+json"
            )
            #expect(patched.status == 200)
            #expect(patched.json["data"] == ["b": "2", "c": "3"])
        }
    }

    @Test func jsonPatchAppliesOperationsInOrderAndTestFailuresAre422() async throws {
        try await TestCluster.with { test in
            _ = try await test.request("POST", "/api/v1/namespaces/default/configmaps", json: ObjectSemanticsTests.configMap("c", labels: ["x": "1"]))
            let operations: JSONValue = [
                ["op": "add", "path": "/data/new", "value": "n"],
                ["op": "replace", "path": "/data/k", "value": "r"],
                ["op": "remove", "path": "/metadata/labels/x"],
                ["op": "add", "path": "/metadata/labels/a~1b", "value": "slash"],
                ["op": "copy", "from": "/data/new", "path": "/data/copied"],
            ]
            let patched = try await test.request(
                "PATCH", "/api/v1/namespaces/default/configmaps/c", json: operations, contentType: "application/json-patch+json"
            )
            #expect(patched.status == 200, "\(patched.text)")
            #expect(patched.json["data"] == ["k": "r", "new": "n", "copied": "n"])
            #expect(patched.json[path: ["metadata", "labels"]] == ["a/b": "slash"])

            let failing = try await test.request(
                "PATCH", "/api/v1/namespaces/default/configmaps/c", json: [["op": "test", "path": "/data/k", "value": "nope"]],
                contentType: "application/json-patch+json"
            )
            #expect(failing.status == 422)
            let malformed = try await test.request(
                "PATCH", "/api/v1/namespaces/default/configmaps/c", json: ["op": "add"], contentType: "application/json-patch+json"
            )
            #expect(malformed.status == 400)
        }
    }

    @Test func strategicMergePatchMergesContainersByName() async throws {
        try await TestCluster.with { test in
            let pod: JSONValue = [
                "apiVersion": "v1", "kind": "Pod", "metadata": ["name": "web"],
                "spec": ["containers": [["name": "main", "image": "a:1"], ["name": "side", "image": "b:1"]]],
            ]
            _ = try await test.request("POST", "/api/v1/namespaces/default/pods", json: pod)
            let patched = try await test.request(
                "PATCH", Self.path, json: ["spec": ["containers": [["name": "side", "image": "b:2"]]]],
                contentType: "application/strategic-merge-patch+json"
            )
            #expect(patched.status == 200, "\(patched.text)")
            let images = (patched.json[path: ["spec", "containers"]]?.arrayValue ?? []).compactMap { $0["image"]?.stringValue }
            #expect(images == ["a:1", "b:2"])
            let unsupported = try await test.request("PATCH", Self.path, json: [:], contentType: "text/plain")
            #expect(unsupported.status == 415)
        }
    }

    @Test func serverSideApplyCreatesThenReapplyIsANoOp() async throws {
        try await TestCluster.with { test in
            let created = try await apply(test, Self.applied(image: "busybox:1.36"), manager: "alice")
            #expect(created.status == 201, "\(created.text)")
            let managed = created.json[path: ["metadata", "managedFields"]]?.arrayValue ?? []
            #expect(managed.count == 1)
            #expect(managed.first?["manager"]?.stringValue == "alice")
            #expect(managed.first?["operation"]?.stringValue == "Apply")
            #expect(managed.first?[path: ["fieldsV1", "f:spec", "f:containers", "k:{\"name\":\"main\"}", "f:image"]] == [:])

            let again = try await apply(test, Self.applied(image: "busybox:1.36"), manager: "alice")
            #expect(again.status == 200)
            #expect(again.json.resourceVersionNumber == created.json.resourceVersionNumber)
            #expect(again.json[path: ["metadata", "managedFields"]] == created.json[path: ["metadata", "managedFields"]])
        }
    }

    @Test func serverSideApplyConflictsWithAnotherManagerUnlessForced() async throws {
        try await TestCluster.with { test in
            _ = try await apply(test, Self.applied(image: "busybox:1.36"), manager: "alice")
            let conflict = try await apply(test, Self.applied(image: "busybox:1.37"), manager: "bob")
            #expect(conflict.status == 409)
            #expect(conflict.json["reason"]?.stringValue == "Conflict")
            #expect(
                conflict.json["message"]?.stringValue
                    == "Apply failed with 1 conflict: conflict with \"alice\" using v1: .spec.containers[name=\"main\"].image"
            )
            let same = try await apply(test, Self.applied(image: "busybox:1.36"), manager: "bob")
            #expect(same.status == 200, "the same value is shared ownership, not a conflict")

            let forced = try await apply(test, Self.applied(image: "busybox:1.37"), manager: "bob", force: true)
            #expect(forced.status == 200)
            #expect(forced.json[path: ["spec", "containers"]]?.arrayValue?.first?["image"]?.stringValue == "busybox:1.37")
            let entries = forced.json[path: ["metadata", "managedFields"]]?.arrayValue ?? []
            let alice = entries.first { $0["manager"]?.stringValue == "alice" }
            #expect(alice?[path: ["fieldsV1", "f:spec", "f:containers", "k:{\"name\":\"main\"}", "f:image"]] == nil)

            let aliceAgain = try await apply(test, Self.applied(image: "busybox:1.36"), manager: "alice")
            #expect(aliceAgain.status == 409)
        }
    }

    @Test func updatesByOtherManagersTakeOwnershipAndLaterApplyConflicts() async throws {
        try await TestCluster.with { test in
            _ = try await apply(test, Self.applied(image: "busybox:1.36"), manager: "alice")
            let patched = try await test.request(
                "PATCH", Self.path + "?fieldManager=editor",
                json: ["spec": ["containers": [["name": "main", "image": "busybox:1.99"]]]],
                contentType: "application/strategic-merge-patch+json"
            )
            #expect(patched.status == 200)
            let conflict = try await apply(test, Self.applied(image: "busybox:1.36"), manager: "alice")
            #expect(conflict.status == 409)
            #expect(conflict.message.contains("conflict with \"editor\""))
        }
    }

    @Test func applyRemovesFieldsTheManagerNoLongerApplies() async throws {
        try await TestCluster.with { test in
            _ = try await apply(test, Self.applied(image: "busybox:1.36", labels: ["app": "web", "extra": "kept"]), manager: "alice")
            let trimmed = try await apply(test, Self.applied(image: "busybox:1.36", labels: ["app": "web"]), manager: "alice")
            #expect(trimmed.status == 200)
            #expect(trimmed.json[path: ["metadata", "labels"]] == ["app": "web"])
        }
    }

    @Test func applyNeedsAFieldManagerAndValidYAML() async throws {
        try await TestCluster.with { test in
            let missing = try await test.request(
                "PATCH", Self.path, body: Self.applied(image: "x:1"), contentType: "application/apply-patch+yaml"
            )
            #expect(missing.status == 400)
            let broken = try await apply(test, "kind: [unclosed", manager: "alice")
            #expect(broken.status == 400)
            let wrongKind = try await apply(test, "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: web\n", manager: "alice")
            #expect(wrongKind.status == 400)
        }
    }
}
