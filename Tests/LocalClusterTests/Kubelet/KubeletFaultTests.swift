import CubicleModel
import Foundation
import Testing
@testable import LocalCluster

/// Simulated failures from the cluster's pod fault rules, as a real kubelet would report them.
@Suite("Process kubelet: fault rules")
struct KubeletFaultTests {
    @Test func errImagePullFaultReportsImagePullBackOffAndFailedEvents() async throws {
        try await KubeletTestCluster.with { cluster in
            try cluster.cluster.faults.addPodFault(PodFaultRule(fault: .errImagePull, namespace: "default", podName: "pull"))
            try await cluster.create("pods", podObject("pull", command: ["sleep", "600"]))
            let backingOff = try await cluster.waitForPod("pull", "in ImagePullBackOff") {
                $0.containerStatus()?[path: ["state", "waiting", "reason"]]?.stringValue == "ImagePullBackOff"
            }
            #expect(backingOff.phase == "Pending")
            try await cluster.waitForEvent("pull", reason: "Failed", containing: "Failed to pull image \"debian:12\"")
            try await cluster.waitForEvent("pull", reason: "Failed", containing: "Error: ErrImagePull")
            try await cluster.waitForEvent("pull", reason: "BackOff", containing: "Back-off pulling image \"debian:12\"")
            #expect(try cluster.containerHandle(backingOff.metaUID) == nil)
        }
    }

    @Test func crashLoopFaultRestartsTheContainerWithBackOff() async throws {
        try await KubeletTestCluster.with { cluster in
            try cluster.cluster.faults.addPodFault(PodFaultRule(fault: .crashLoopBackOff, labelSelector: "app=crashy"))
            try await cluster.create("pods", podObject("crashy", command: ["sleep", "600"], labels: ["app": "crashy"]))
            let looping = try await cluster.waitForPod("crashy", "in CrashLoopBackOff after restarts") { pod in
                let status = pod.containerStatus()
                return status?[path: ["state", "waiting", "reason"]]?.stringValue == "CrashLoopBackOff"
                    && (status?["restartCount"]?.intValue ?? 0) >= 2
            }
            #expect(looping.phase == "Running")
            let last = looping.containerStatus()?[path: ["lastState", "terminated"]]
            #expect(last?["exitCode"]?.intValue == 1)
            #expect(last?["reason"]?.stringValue == "Error")
            try await cluster.waitForEvent("crashy", reason: "BackOff", containing: "Back-off restarting failed container main")
            let warning = try await cluster.events(about: "crashy").first { $0.reason == "BackOff" }
            #expect(warning?.type == "Warning")
        }
    }

    @Test func oomKilledFaultReportsTheOOMKilledTermination() async throws {
        try await KubeletTestCluster.with { cluster in
            try cluster.cluster.faults.addPodFault(PodFaultRule(fault: .oomKilled, namespace: "default", podName: "hungry"))
            try await cluster.create("pods", podObject("hungry", command: ["sleep", "600"], restartPolicy: "Never"))
            let failed = try await cluster.waitForPod("hungry", "failed", within: 60) { $0.phase == "Failed" }
            let terminated = failed.containerStatus()?[path: ["state", "terminated"]]
            #expect(terminated?["reason"]?.stringValue == "OOMKilled")
            #expect(terminated?["exitCode"]?.intValue == 137)
        }
    }

    @Test func stayPendingFaultKeepsThePodUnscheduledUntilLifted() async throws {
        try await KubeletTestCluster.with { cluster in
            let rule = try cluster.cluster.faults.addPodFault(PodFaultRule(fault: .stayPending, namespace: "default", podName: "stuck"))
            try await cluster.create("pods", podObject("stuck", command: ["sleep", "600"]))
            // Another pod created after it is scheduled and started: the kubelet is not idle.
            try await cluster.create("pods", podObject("other", command: ["sleep", "600"], grace: 0))
            try await cluster.waitForPod("other", "running") { $0.phase == "Running" }
            let stuck = try #require(try cluster.pod("stuck"))
            #expect(stuck.phase == "Pending")
            #expect(stuck[path: ["spec", "nodeName"]] == nil)
            #expect(stuck.containerStatus() == nil)

            #expect(try cluster.cluster.faults.removePodFault(id: rule))
            try await cluster.waitForPod("stuck", "running once the rule is gone") { $0.phase == "Running" }
        }
    }
}
