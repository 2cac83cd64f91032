import CubicleModel
import Foundation
import LocalCluster
import Testing

/// The in-process API the kubelet uses: binding, status, events, mounted objects, deletion.
@Suite("Kubelet API")
struct KubeletAPITests {
    @Test func bindingSetsTheNodeOnceAndWatchByNodeSeesIt() async throws {
        try await TestCluster.with { test in
            let kubelet = try test.cluster.kubelet
            #expect(kubelet.nodeName == "local")
            let watch = kubelet.watchPods(onNode: "local")
            _ = try await test.request("POST", "/api/v1/namespaces/default/pods", json: ObjectSemanticsTests.pod("p"))
            #expect(kubelet.pods(onNode: "local").pods.isEmpty)
            #expect(kubelet.pods(onNode: nil).pods.count == 1)
            let bound = try kubelet.bindPod(namespace: "default", name: "p", node: "local")
            #expect(bound[path: ["spec", "nodeName"]]?.stringValue == "local")
            let conditions = bound[path: ["status", "conditions"]]?.arrayValue ?? []
            #expect(conditions.contains { $0["type"]?.stringValue == "PodScheduled" && $0["status"]?.stringValue == "True" })
            #expect(throws: LocalClusterError.self) { try kubelet.bindPod(namespace: "default", name: "p", node: "elsewhere") }
            let added = try await withDeadline(20) { () async -> PodWatchEvent? in
                for await event in watch { return event }
                return nil
            }
            #expect(added?.kind == .added)
            #expect(added?.pod.metaName == "p")
        }
    }

    @Test func statusUpdatesEventsAndMountedObjects() async throws {
        try await TestCluster.with { test in
            let kubelet = try test.cluster.kubelet
            let pod = try await test.request("POST", "/api/v1/namespaces/default/pods", json: ObjectSemanticsTests.pod("p")).json
            let updated = try kubelet.updatePodStatus(namespace: "default", name: "p", uid: pod.metaUID, status: ["phase": "Running"])
            #expect(updated[path: ["status", "phase"]]?.stringValue == "Running")
            #expect(throws: LocalClusterError.self) {
                try kubelet.updatePodStatus(namespace: "default", name: "p", uid: "someone-else", status: ["phase": "Failed"])
            }
            let managers = (updated[path: ["metadata", "managedFields"]]?.arrayValue ?? []).compactMap { $0["manager"]?.stringValue }
            #expect(managers.contains("kubelet"))

            let first = try kubelet.recordEvent(pod: pod, type: "Normal", reason: "Pulling", message: "Pulling image", fieldPath: "spec.containers{main}")
            let second = try kubelet.recordEvent(pod: pod, type: "Normal", reason: "Pulling", message: "Pulling image", fieldPath: "spec.containers{main}")
            #expect(first.metaName == second.metaName)
            #expect(second["count"]?.intValue == 2)
            let events = try await test.request("GET", "/api/v1/namespaces/default/events?fieldSelector=involvedObject.name%3Dp,reason%3DPulling")
            #expect(events.json.itemNames == [first.metaName])

            #expect(kubelet.configMap(namespace: "default", name: "kube-root-ca.crt")?[path: ["data", "ca.crt"]] != nil)
            #expect(kubelet.secret(namespace: "default", name: "missing") == nil)
            _ = try await test.request("POST", "/api/v1/namespaces/default/persistentvolumeclaims", json: [
                "apiVersion": "v1", "kind": "PersistentVolumeClaim", "metadata": ["name": "home"],
                "spec": ["accessModes": ["ReadWriteOnce"], "resources": ["requests": ["storage": "1Gi"]]],
            ])
            #expect(kubelet.persistentVolumeClaim(namespace: "default", name: "home")?[path: ["status", "phase"]]?.stringValue == "Pending")
            let claim = try kubelet.updatePersistentVolumeClaimStatus(namespace: "default", name: "home", status: ["phase": "Bound"])
            #expect(claim[path: ["status", "phase"]]?.stringValue == "Bound")
        }
    }

    @Test func finishingDeletionWaitsForFinalizers() async throws {
        try await TestCluster.with { test in
            let kubelet = try test.cluster.kubelet
            var pod = ObjectSemanticsTests.pod("held", nodeName: "local")
            pod.set(path: ["metadata", "finalizers"], to: ["example.com/keep"])
            _ = try await test.request("POST", "/api/v1/namespaces/default/pods", json: pod)
            _ = try await test.request("DELETE", "/api/v1/namespaces/default/pods/held")
            try kubelet.finishPodDeletion(namespace: "default", name: "held", uid: nil)
            let waiting = try #require(kubelet.pod(namespace: "default", name: "held"))
            #expect(waiting[path: ["metadata", "deletionGracePeriodSeconds"]]?.intValue == 0)
            _ = try await test.request(
                "PATCH", "/api/v1/namespaces/default/pods/held", json: ["metadata": ["finalizers": nil]],
                contentType: "application/merge-patch+json"
            )
            #expect(kubelet.pod(namespace: "default", name: "held") == nil)
        }
    }

    @Test func podFaultRulesMatchByNameOrLabels() async throws {
        try await TestCluster.with { test in
            let faults = try test.cluster.faults
            faults.addPodFault(PodFaultRule(fault: .errImagePull, namespace: "default", podName: "broken"))
            let id = faults.addPodFault(PodFaultRule(fault: .stayPending, labelSelector: "tier in (slow)"))
            let kubelet = try test.cluster.kubelet
            #expect(kubelet.podFault(for: ["metadata": ["name": "broken", "namespace": "default"]])?.fault == .errImagePull)
            #expect(kubelet.podFault(for: ["metadata": ["name": "broken", "namespace": "other"]]) == nil)
            #expect(kubelet.podFault(for: ["metadata": ["name": "x", "labels": ["tier": "slow"]]])?.fault == .stayPending)
            #expect(faults.removePodFault(id: id))
            #expect(kubelet.podFault(for: ["metadata": ["name": "x", "labels": ["tier": "slow"]]]) == nil)
        }
    }
}
