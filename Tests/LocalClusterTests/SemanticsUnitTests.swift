import CubicleModel
import Foundation
import Testing

@testable import LocalCluster

/// The pure pieces behind the API: selectors, patches, field sets, durations and pod status.
@Suite("Semantics units")
struct SemanticsUnitTests {
    @Test func labelSelectorParsesEveryOperator() throws {
        let selector = try LabelSelector.parse("app=web, tier!=db,env in (a, b),zone notin (x),team,!legacy,n>3")
        #expect(selector.matches(["app": "web", "env": "a", "team": "t", "zone": "y", "n": "4"]))
        #expect(!selector.matches(["app": "web", "env": "c", "team": "t", "n": "4"]))
        #expect(!selector.matches(["app": "web", "env": "a", "team": "t", "legacy": "1", "n": "4"]))
        #expect(!selector.matches(["app": "web", "env": "a", "team": "t", "n": "2"]))
        #expect(try LabelSelector.parse("").isEmpty)
        for bad in ["app in", "app in ()", "=x", "a=b c", "Bad Key=x", "a=(b)"] {
            #expect(throws: LocalClusterError.self, "\(bad)") { try LabelSelector.parse(bad) }
        }
    }

    @Test func jsonPatchFollowsRFC6902() throws {
        let document: JSONValue = ["foo": ["bar", "baz"], "qux": ["a": 1]]
        let patched = try JSONPatch.apply(
            [
                ["op": "add", "path": "/foo/1", "value": "mid"],
                ["op": "add", "path": "/foo/-", "value": "end"],
                ["op": "move", "from": "/qux/a", "path": "/moved"],
                ["op": "test", "path": "/moved", "value": 1],
                ["op": "replace", "path": "", "value": ["whole": true]],
            ],
            to: document
        )
        #expect(patched == ["whole": true])
        let partial = try JSONPatch.apply([["op": "add", "path": "/foo/1", "value": "mid"], ["op": "remove", "path": "/foo/0"]], to: document)
        #expect(partial["foo"] == ["mid", "baz"])
        #expect(throws: PatchFailure.self) { try JSONPatch.apply([["op": "remove", "path": "/missing"]], to: document) }
        #expect(throws: PatchFailure.self) { try JSONPatch.apply([["op": "move", "from": "/qux", "path": "/qux/inner"]], to: document) }
    }

    @Test func strategicMergeHonoursDeleteDirectivesAndSetLists() throws {
        let pod: JSONValue = [
            "metadata": ["finalizers": ["a"]],
            "spec": ["containers": [["name": "main", "image": "x"], ["name": "side", "image": "y"]]],
        ]
        let patched = try StrategicMergePatch.apply(
            [
                "metadata": ["finalizers": ["b"]],
                "spec": ["containers": [["name": "side", "$patch": "delete"], ["name": "new", "image": "z"]]],
            ],
            to: pod
        )
        #expect(patched[path: ["metadata", "finalizers"]] == ["a", "b"])
        #expect((patched[path: ["spec", "containers"]]?.arrayValue ?? []).compactMap { $0["name"]?.stringValue } == ["main", "new"])
        let replaced = try StrategicMergePatch.apply(["spec": ["$patch": "replace", "other": 1]], to: pod)
        #expect(replaced["spec"] == ["other": 1])
    }

    @Test func fieldSetsRoundTripThroughFieldsV1() {
        let object: JSONValue = [
            "apiVersion": "v1", "kind": "Pod",
            "metadata": ["name": "p", "labels": ["app": "web"], "finalizers": ["f"]],
            "spec": ["containers": [["name": "main", "image": "x", "env": [["name": "A", "value": "1"]]]], "tolerations": [["key": "k"]]],
            "status": ["phase": "Running"],
        ]
        let paths = FieldSets.paths(of: object, scope: .main)
        #expect(paths.contains([.field("metadata"), .field("labels"), .field("app")]))
        #expect(paths.contains([.field("metadata"), .field("finalizers"), .value("f")]))
        #expect(paths.contains([.field("spec"), .field("containers"), .key(["name": "main"]), .field("env"), .key(["name": "A"]), .field("value")]))
        #expect(paths.contains([.field("spec"), .field("tolerations")]))
        #expect(!paths.contains { $0.first == .field("status") || $0.contains(.field("name")) && $0.count == 2 })
        let encoded = FieldSets.fieldsV1(paths)
        #expect(encoded[path: ["f:spec", "f:containers", "k:{\"name\":\"main\"}", "."]] == [:])
        #expect(FieldSets.paths(fromFieldsV1: encoded) == paths)
        #expect(FieldSets.paths(of: object, scope: .status) == [[.field("status"), .field("phase")]])
    }

    @Test func humanDurationsMatchKubectl() {
        let cases: [(Double, String)] = [
            (-5, "<invalid>"), (-1, "0s"), (0, "0s"), (59, "59s"), (119, "119s"), (125, "2m5s"), (600, "10m"),
            (3 * 3600, "3h"), (3 * 3600 + 120, "3h2m"), (30 * 3600, "30h"), (50 * 3600, "2d2h"), (10 * 86_400, "10d"),
            (800 * 86_400, "2y70d"), (3000 * 86_400, "8y"),
        ]
        for (seconds, expected) in cases { #expect(HumanDuration.format(seconds) == expected, "\(seconds)") }
    }

    @Test func podStatusColumnFollowsKubectlRules() {
        func reason(_ status: JSONValue, deleting: Bool = false, initContainers: Int = 0) -> String {
            var pod: JSONValue = [
                "metadata": ["name": "p"], "status": status,
                "spec": ["containers": [["name": "c"]], "initContainers": .array(Array(repeating: ["name": "i"], count: initContainers))],
            ]
            if deleting { pod.set(path: ["metadata", "deletionTimestamp"], to: "2026-01-01T00:00:00Z") }
            return PodSummary(pod).reason
        }
        #expect(reason(["phase": "Pending"]) == "Pending")
        #expect(reason(["phase": "Pending", "containerStatuses": [["state": ["waiting": ["reason": "ContainerCreating"]]]]]) == "ContainerCreating")
        #expect(reason(["phase": "Running", "containerStatuses": [["ready": true, "state": ["running": [:]]]]]) == "Running")
        #expect(reason(["phase": "Succeeded", "containerStatuses": [["state": ["terminated": ["exitCode": 0, "reason": "Completed"]]]]]) == "Completed")
        #expect(reason(["phase": "Running", "containerStatuses": [["state": ["waiting": ["reason": "CrashLoopBackOff"]]]]]) == "CrashLoopBackOff")
        #expect(reason(["phase": "Failed", "containerStatuses": [["state": ["terminated": ["exitCode": 2]]]]]) == "ExitCode:2")
        #expect(reason(["phase": "Pending", "containerStatuses": [["state": ["waiting": ["reason": "ErrImagePull"]]]]]) == "ErrImagePull")
        #expect(reason(["phase": "Running"], deleting: true) == "Terminating")
        #expect(reason(["phase": "Pending", "initContainerStatuses": [["state": ["running": [:]]]]], initContainers: 2) == "Init:0/2")
    }

    @Test func serverSideApplyMergesKeyedListsAndTracksOwners() throws {
        let live: JSONValue = ["spec": ["containers": [["name": "a", "image": "1"], ["name": "b", "image": "2"]]]]
        let entries = [
            ManagedFieldsEntry(
                manager: "other", operation: "Update", apiVersion: "v1", time: "t", subresource: nil,
                fields: [[.field("spec"), .field("containers"), .key(["name": "b"]), .field("image")]]
            )
        ]
        let outcome = try ServerSideApply.apply(
            ["spec": ["containers": [["name": "a", "image": "3"]]]], to: live, entries: entries, manager: "me",
            subresource: nil, force: false, apiVersion: "v1", time: "now"
        )
        let images = (outcome.object[path: ["spec", "containers"]]?.arrayValue ?? []).compactMap { $0["image"]?.stringValue }
        #expect(images == ["3", "2"])
        #expect(outcome.entries.count == 2)
        #expect(throws: LocalClusterConflicts.self) {
            try ServerSideApply.apply(
                ["spec": ["containers": [["name": "b", "image": "9"]]]], to: live, entries: entries, manager: "me",
                subresource: nil, force: false, apiVersion: "v1", time: "now"
            )
        }
    }
}
