import CubicleModel
import Foundation
import Testing
@testable import LocalCluster

/// Pod addresses and readiness, with real servers inside pods.
@Suite("Process kubelet: addresses and readiness")
struct KubeletNetworkTests {
    @Test func eachPodGetsADistinctAddressThatIsReleasedOnDelete() async throws {
        try await KubeletTestCluster.with { cluster in
            // A grace period makes the object outlive its processes until the kubelet has let go.
            for name in ["first", "second"] {
                try await cluster.create("pods", podObject(name, command: ["sleep", "600"], grace: 2))
            }
            let first = try await cluster.waitForPod("first", "running") { $0.phase == "Running" && $0.podIP != nil }
            let second = try await cluster.waitForPod("second", "running") { $0.phase == "Running" && $0.podIP != nil }
            let prefix = "127.77.\(cluster.block)."
            #expect(first.podIP?.hasPrefix(prefix) == true && second.podIP?.hasPrefix(prefix) == true)
            #expect(first.podIP != second.podIP)
            #expect(first[path: ["status", "hostIP"]]?.stringValue == "127.0.0.1")
            #expect(first[path: ["status", "podIPs"]]?.arrayValue?.first?["ip"]?.stringValue == first.podIP)

            try await cluster.deletePod("first")
            _ = try await waitFor("pod first gone") { try cluster.pod("first") == nil ? true : nil }
            try await cluster.create("pods", podObject("third", command: ["sleep", "600"], grace: 0))
            let third = try await cluster.waitForPod("third", "running") { $0.phase == "Running" && $0.podIP != nil }
            #expect(third.podIP == first.podIP)
        }
    }

    @Test func tcpReadinessProbeMakesABootstrapLikePodReadyAndReachable() async throws {
        try await KubeletTestCluster.with { cluster in
            let script = """
                mkdir -p /srv/www && echo "hello from $HOSTNAME" > /srv/www/index.html && cd /srv/www &&
                exec python3 -m http.server --bind "$CUBICLE_POD_IP" 8080
                """
            let pod = podObject(
                "web", command: ["/bin/sh", "-c"], env: [["name": "CUBICLE_POD_IP", "valueFrom": ["fieldRef": ["fieldPath": "status.podIP"]]]],
                extra: [
                    "args": [.string(script)],
                    "ports": [["name": "http", "containerPort": 8080]],
                    "readinessProbe": ["tcpSocket": ["port": "http"], "periodSeconds": 1, "initialDelaySeconds": 0],
                ])
            try await cluster.create("pods", pod)
            let ready = try await cluster.waitForPod("web", "ready") { $0.condition("Ready") && $0.condition("ContainersReady") }
            #expect(ready.phase == "Running")
            #expect(ready.condition("PodScheduled") && ready.condition("Initialized"))
            let status = try #require(ready.containerStatus())
            #expect(status["ready"]?.boolValue == true)
            #expect(status[path: ["state", "running", "startedAt"]]?.stringValue != nil)
            let address = try #require(ready.podIP)
            let response = await httpGet(address, 8080)
            #expect(response?.contains("hello from web") == true, "\(response ?? "no response")")

            let reasons = Set(try await cluster.events(about: "web").map(\.reason))
            #expect(reasons.isSuperset(of: ["Scheduled", "Pulling", "Pulled", "Created", "Started"]), "\(reasons)")
            let scheduled = try await cluster.events(about: "web").first { $0.reason == "Scheduled" }
            #expect(scheduled?.message == "Successfully assigned default/web to local")
        }
    }

    @Test func aProbeThatNeverSucceedsKeepsThePodUnready() async throws {
        try await KubeletTestCluster.with { cluster in
            let pod = podObject(
                "deaf", command: ["sleep", "600"],
                extra: ["readinessProbe": ["exec": ["command": ["/bin/sh", "-c", "test -e /tmp/ready"]], "periodSeconds": 1]])
            let created = try await cluster.create("pods", pod)
            let running = try await cluster.waitForPod("deaf", "running") { $0.phase == "Running" }
            #expect(!running.condition("Ready"))
            #expect(running.containerStatus()?["ready"]?.boolValue == false)
            // Once the probe's file exists inside the pod, the exec probe passes.
            let sandbox = try #require(try cluster.cluster.processKubelet?.sandbox(forPod: created.metaUID))
            try "x".write(toFile: "/proc/\(sandbox.infraPID)/root/tmp/ready", atomically: false, encoding: .utf8)
            try await cluster.waitForPod("deaf", "ready") { $0.condition("Ready") }
        }
    }
}
