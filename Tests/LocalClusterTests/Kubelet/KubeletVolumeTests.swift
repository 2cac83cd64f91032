import CubicleModel
import Foundation
import Testing
@testable import LocalCluster

/// Volumes and the environment, read from inside real pods.
@Suite("Process kubelet: volumes and environment")
struct KubeletVolumeTests {
    @Test func configMapAndSecretVolumesMaterialiseWithTheirKeysModesAndEnvironment() async throws {
        try await KubeletTestCluster.with { cluster in
            try await cluster.create("configmaps", [
                "apiVersion": "v1", "kind": "ConfigMap", "metadata": ["name": "settings"],
                "data": ["alpha": "one", "beta": "two"],
            ])
            try await cluster.create("secrets", [
                "apiVersion": "v1", "kind": "Secret", "metadata": ["name": "creds"],
                "data": ["token": .string(Data("s3cret".utf8).base64EncodedString())],
            ])
            let script = """
                stat -c '%a %n' /picked/sub/a.txt /all/alpha /all/beta /secret/token > /out/report
                printf 'picked=%s secret=%s\\n' "$(cat /picked/sub/a.txt)" "$(cat /secret/token)" >> /out/report
                test -e /picked/beta || echo 'no-beta' >> /out/report
                touch /all/new 2>/dev/null || echo 'read-only' >> /out/report
                printf 'env=%s|%s|%s|%s|%s|%s\\n' "$POD_NAME" "$POD_NS" "$POD_IP" "$FROM_MAP" "$FROM_SECRET" "$GREETING" >> /out/report
                echo done >> /out/report
                """
            let pod = podObject(
                "volumes", command: ["/bin/sh", "-c", script], restartPolicy: "Never",
                volumes: [
                    ["name": "picked", "configMap": ["name": "settings", "items": [["key": "alpha", "path": "sub/a.txt", "mode": 0o600]]]],
                    ["name": "all", "configMap": ["name": "settings", "defaultMode": 0o640]],
                    ["name": "secret", "secret": ["secretName": "creds", "defaultMode": 0o400]],
                    ["name": "out", "emptyDir": [:]],
                ],
                mounts: [
                    ["name": "picked", "mountPath": "/picked"], ["name": "all", "mountPath": "/all"],
                    ["name": "secret", "mountPath": "/secret"], ["name": "out", "mountPath": "/out"],
                ],
                env: [
                    ["name": "POD_NAME", "valueFrom": ["fieldRef": ["fieldPath": "metadata.name"]]],
                    ["name": "POD_NS", "valueFrom": ["fieldRef": ["fieldPath": "metadata.namespace"]]],
                    ["name": "POD_IP", "valueFrom": ["fieldRef": ["fieldPath": "status.podIP"]]],
                    ["name": "FROM_MAP", "valueFrom": ["configMapKeyRef": ["name": "settings", "key": "beta"]]],
                    ["name": "FROM_SECRET", "valueFrom": ["secretKeyRef": ["name": "creds", "key": "token"]]],
                    ["name": "GREETING", "value": "hello $(POD_NAME)"],
                ])
            let created = try await cluster.create("pods", pod)
            let done = try await cluster.waitForPod("volumes", "succeeded") { $0.phase == "Succeeded" }
            let terminated = done.containerStatus()?[path: ["state", "terminated"]]
            #expect(terminated?["reason"]?.stringValue == "Completed")
            #expect(terminated?["exitCode"]?.intValue == 0)
            let podIP = try #require(done.podIP)
            // The emptyDir is the pod's own directory on the host until the pod is deleted.
            let report = try String(contentsOfFile: cluster.podDirectory(created.metaUID) + "/volumes/out/report", encoding: .utf8)
            let lines = report.split(separator: "\n").map(String.init)
            #expect(lines.contains("600 /picked/sub/a.txt"), "\(report)")
            #expect(lines.contains("640 /all/alpha") && lines.contains("640 /all/beta"), "\(report)")
            #expect(lines.contains("400 /secret/token"), "\(report)")
            #expect(lines.contains("picked=one secret=s3cret"), "\(report)")
            #expect(lines.contains("no-beta") && lines.contains("read-only"), "\(report)")
            #expect(lines.contains("env=volumes|default|\(podIP)|two|s3cret|hello volumes"), "\(report)")
        }
    }

    @Test func missingConfigMapKeepsThePodCreatingUntilItAppears() async throws {
        try await KubeletTestCluster.with { cluster in
            let pod = podObject(
                "waits", command: ["/bin/sh", "-c", "cat /config/key; exec sleep 600"],
                volumes: [["name": "config", "configMap": ["name": "later"]]], mounts: [["name": "config", "mountPath": "/config"]])
            try await cluster.create("pods", pod)
            try await cluster.waitForEvent("waits", reason: "FailedMount", containing: "configmap \"later\" not found")
            let pending = try #require(try cluster.pod("waits"))
            #expect(pending.phase == "Pending")
            #expect(pending.containerStatus()?[path: ["state", "waiting", "reason"]]?.stringValue == "ContainerCreating")
            #expect(pending[path: ["spec", "nodeName"]]?.stringValue == "local")

            try await cluster.create("configmaps", ["apiVersion": "v1", "kind": "ConfigMap", "metadata": ["name": "later"], "data": ["key": "v"]])
            let running = try await cluster.waitForPod("waits", "running and ready") { $0.phase == "Running" && $0.condition("Ready") }
            #expect(running.containerStatus()?["ready"]?.boolValue == true)
        }
    }

    @Test func claimDirectoriesOutliveTheirPodsAndClaimsBecomeBound() async throws {
        try await KubeletTestCluster.with { cluster in
            try await cluster.create("persistentvolumeclaims", [
                "apiVersion": "v1", "kind": "PersistentVolumeClaim", "metadata": ["name": "home"],
                "spec": ["accessModes": ["ReadWriteOnce"], "resources": ["requests": ["storage": "1Gi"]]],
            ])
            let pod = podObject(
                "writer", command: ["/bin/sh", "-c", "echo kept > /home/data/file"], restartPolicy: "Never",
                volumes: [["name": "home", "persistentVolumeClaim": ["claimName": "home"]]],
                mounts: [["name": "home", "mountPath": "/home/data"]])
            let created = try await cluster.create("pods", pod)
            try await cluster.waitForPod("writer", "succeeded") { $0.phase == "Succeeded" }
            let claim = try #require(try cluster.api.persistentVolumeClaim(namespace: "default", name: "home"))
            #expect(claim[path: ["status", "phase"]]?.stringValue == "Bound")
            try await cluster.deletePod("writer")
            _ = try await waitFor("pod writer gone") { try cluster.pod("writer") == nil ? true : nil }
            let file = cluster.test.directory + "/data/volumes/default/home/file"
            #expect((try? String(contentsOfFile: file, encoding: .utf8)) == "kept\n")
            // A finished pod is deleted at once by the API server; the kubelet cleans up after it.
            let directory = cluster.podDirectory(created.metaUID)
            _ = try await waitFor("the pod directory removed") { FileManager.default.fileExists(atPath: directory) ? nil : true }
            #expect((try? String(contentsOfFile: file, encoding: .utf8)) == "kept\n")
        }
    }
}
