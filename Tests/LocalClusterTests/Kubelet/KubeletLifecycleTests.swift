import CubicleModel
import Foundation
import Testing
@testable import LocalCluster

/// Deletion and restarts of the cluster: processes stop, pods come back.
@Suite("Process kubelet: deletion and restart")
struct KubeletLifecycleTests {
    @Test func deletingAPodStopsItsProcessesAndRemovesTheObject() async throws {
        try await KubeletTestCluster.with { cluster in
            // The shell ignores SIGTERM, so only the SIGKILL after the grace period ends it.
            let pod = podObject("doomed", command: ["/bin/sh", "-c", "trap '' TERM; while :; do sleep 1; done"], grace: 1)
            let created = try await cluster.create("pods", pod)
            try await cluster.waitForPod("doomed", "running") { $0.phase == "Running" }
            let handle = try #require(try cluster.containerHandle(created.metaUID))
            let pid = handle.pid
            #expect(processIsAlive(pid))

            try await cluster.deletePod("doomed")
            _ = try await waitFor("pod doomed gone") { try cluster.pod("doomed") == nil ? true : nil }
            #expect(!processIsAlive(pid))
            #expect(try cluster.cluster.processKubelet?.sandbox(forPod: created.metaUID) == nil)
            #expect(!FileManager.default.fileExists(atPath: cluster.podDirectory(created.metaUID)))
            let killing = try await cluster.events(about: "doomed").first { $0.reason == "Killing" }
            #expect(killing?.message == "Stopping container main")
        }
    }

    @Test func containersWithoutACommandRunAPlaceholderUntilDeleted() async throws {
        try await KubeletTestCluster.with { cluster in
            let created = try await cluster.create("pods", podObject("idle", grace: 5))
            let running = try await cluster.waitForPod("idle", "ready") { $0.condition("Ready") }
            #expect(running.containerStatus()?["restartCount"]?.intValue == 0)
            let pid = try #require(try cluster.containerHandle(created.metaUID)?.pid)
            try await cluster.deletePod("idle")
            _ = try await waitFor("pod idle gone") { try cluster.pod("idle") == nil ? true : nil }
            #expect(!processIsAlive(pid))
        }
    }

    @Test func objectsAndPodsSurviveARestartOfTheCluster() async throws {
        let first = try await KubeletTestCluster.start()
        let directory = first.test.directory
        let uid: String, address: String, oldPID: Int32
        do {
            try await first.create("persistentvolumeclaims", [
                "apiVersion": "v1", "kind": "PersistentVolumeClaim", "metadata": ["name": "state"],
                "spec": ["accessModes": ["ReadWriteOnce"], "resources": ["requests": ["storage": "1Gi"]]],
            ])
            let pod = podObject(
                "keeper", command: ["/bin/sh", "-c", "echo start >> /state/starts; exec sleep 600"],
                volumes: [["name": "state", "persistentVolumeClaim": ["claimName": "state"]]],
                mounts: [["name": "state", "mountPath": "/state"]])
            uid = try await first.create("pods", pod).metaUID
            let once = podObject(
                "once", command: ["/bin/sh", "-c", "echo ran >> /state/once"], restartPolicy: "Never",
                volumes: [["name": "state", "persistentVolumeClaim": ["claimName": "state"]]],
                mounts: [["name": "state", "mountPath": "/state"]])
            try await first.create("pods", once)
            try await first.waitForPod("once", "succeeded") { $0.phase == "Succeeded" }
            let running = try await first.waitForPod("keeper", "running") { $0.phase == "Running" && $0.condition("Ready") }
            address = try #require(running.podIP)
            oldPID = try #require(try first.containerHandle(uid)?.pid)
        } catch {
            await first.test.stop(removingDirectory: true)
            throw error
        }
        await first.test.stop(removingDirectory: false)
        #expect(!processIsAlive(oldPID))

        let second = try await KubeletTestCluster.start(directory: directory, block: first.block)
        do {
            let again = try await second.waitForPod("keeper", "running again with a live process") { pod in
                pod.metaUID == uid && pod.phase == "Running" && (try? second.containerHandle(uid)) != nil
            }
            #expect(again.podIP == address)
            let handle = try #require(try second.containerHandle(uid))
            #expect(processIsAlive(handle.pid))
            let starts = try String(contentsOfFile: directory + "/data/volumes/default/state/starts", encoding: .utf8)
            #expect(starts == "start\nstart\n")
            // A pod that had already completed is not run again.
            #expect(try second.pod("once")?.phase == "Succeeded")
            #expect(try String(contentsOfFile: directory + "/data/volumes/default/state/once", encoding: .utf8) == "ran\n")
        } catch {
            await second.test.stop(removingDirectory: true)
            throw error
        }
        await second.test.stop(removingDirectory: true)
    }

    @Test func startFailsWithAClearMessageWhenSandboxesAreUnavailable() async throws {
        let directory = "/var/tmp/cubicle-kubelet-tests/" + UUID().uuidString.lowercased()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        var settings = KubeletTestCluster.settings(block: KubeletTestCluster.allocateBlock())
        settings.support = SandboxSupport(
            isolation: .unavailable(reason: "no namespaces here"), cgroups: .unavailable(reason: "none"), tools: nil, cgroupLayout: nil)
        let cluster = LocalCluster(configuration: LocalClusterConfiguration(dataDirectory: directory + "/data", tls: false, kubelet: settings))
        do {
            _ = try await cluster.start()
            Issue.record("the cluster started without a usable sandbox")
            await cluster.shutdown()
        } catch let error as LocalClusterError {
            #expect(error.message.contains("cannot run pods on this machine: sandbox unavailable: no namespaces here"), "\(error.message)")
        }
        #expect(cluster.address == nil)
    }
}
