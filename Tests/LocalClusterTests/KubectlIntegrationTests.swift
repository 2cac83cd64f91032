import CubicleModel
import Foundation
import LocalCluster
import Testing

/// The real kubectl (v1.32) against an in-process LocalCluster over HTTPS with the kubeconfig
/// the cluster writes, and against the real `cubicle local-cluster` with its process kubelet.
@Suite("kubectl against LocalCluster")
struct KubectlIntegrationTests {
    static let podManifest = """
        apiVersion: v1
        kind: Pod
        metadata:
          name: web
          labels:
            app: web
        spec:
          containers:
          - name: main
            image: busybox:1.36
        """

    @Test func serverSideApplyGetAndDeleteRoundTrip() async throws {
        try await TestCluster.with { test in
            let kubectl = try await Kubectl.forCluster(test)
            let apply = try await kubectl.run(["apply", "--server-side", "-f", "-"], input: Self.podManifest)
            #expect(apply.status == 0, "\(apply.standardError)")
            #expect(apply.standardOutput.contains("pod/web serverside-applied"))
            #expect(!apply.standardError.lowercased().contains("warning"), "\(apply.standardError)")

            let get = try await kubectl.run(["get", "pod", "web", "-o", "json", "--show-managed-fields"])
            #expect(get.status == 0, "\(get.standardError)")
            let pod = try JSONValue.parse(get.stdout)
            #expect(!pod.metaUID.isEmpty)
            #expect((pod.resourceVersionNumber ?? 0) > 0)
            #expect(pod[path: ["metadata", "creationTimestamp"]]?.stringValue.flatMap(RFC3339.date(from:)) != nil)
            #expect(pod[path: ["metadata", "managedFields"]]?.arrayValue?.first?["manager"]?.stringValue == "kubectl")

            let missing = try await kubectl.run(["get", "pod", "nope"])
            #expect(missing.status != 0)
            #expect(missing.standardError.contains("Error from server (NotFound): pods \"nope\" not found"), "\(missing.standardError)")

            let delete = try await kubectl.run(["delete", "pod", "web"])
            #expect(delete.status == 0, "\(delete.standardError)")
            #expect(delete.standardOutput.contains("pod \"web\" deleted"))
            let gone = try await kubectl.run(["get", "pod", "web"])
            #expect(gone.standardError.contains("pods \"web\" not found"), "\(gone.standardError)")
        }
    }

    @Test func theLocalClusterCommandRunsAppliedPodsAsProcesses() async throws {
        let block = KubeletTestCluster.allocateBlock()
        try await LocalClusterCommandTests.withCommand(extra: ["--pod-address-blocks", String(block)]) { _, kubectl in
            let manifest = Self.podManifest + "\n    command: [\"/bin/sh\", \"-c\", \"exec sleep 600\"]\n  terminationGracePeriodSeconds: 2\n"
            let watch = try kubectl.start(["get", "pods", "-w", "-o", "wide"])
            defer { watch.signal(SIGTERM) }
            let apply = try await kubectl.run(["apply", "--server-side", "-f", "-"], input: manifest)
            #expect(apply.status == 0, "\(apply.standardError)")
            #expect(apply.standardOutput.contains("pod/web serverside-applied"))

            let get = try await kubectl.run(["get", "pod", "web", "-o", "json"])
            #expect(get.status == 0, "\(get.standardError)")
            let pod = try JSONValue.parse(get.stdout)
            #expect(!pod.metaUID.isEmpty)
            #expect((pod.resourceVersionNumber ?? 0) > 0)
            #expect(pod[path: ["metadata", "creationTimestamp"]]?.stringValue.flatMap(RFC3339.date(from:)) != nil)

            let prefix = "127.77.\(block)."
            let running = await watch.line(within: 60) { $0.hasPrefix("web ") && $0.contains("Running") && $0.contains("1/1") && $0.contains(prefix) }
            #expect(running != nil, "\(watch.lines)")
            #expect(running?.contains("1/1") == true && running?.contains("local") == true, "\(running ?? "")")

            let missing = try await kubectl.run(["get", "pod", "nope"])
            #expect(missing.status != 0)
            #expect(missing.standardError.contains("Error from server (NotFound): pods \"nope\" not found"), "\(missing.standardError)")

            let delete = try await kubectl.run(["delete", "pod", "web"])
            #expect(delete.status == 0, "\(delete.standardError)")
            #expect(delete.standardOutput.contains("pod \"web\" deleted"))
            let gone = try await kubectl.run(["get", "pod", "web"])
            #expect(gone.standardError.contains("pods \"web\" not found"), "\(gone.standardError)")
        }
    }

    @Test func deletingABoundPodWaitsForTheKubelet() async throws {
        try await TestCluster.with { test in
            let kubectl = try await Kubectl.forCluster(test)
            let manifest = Self.podManifest.replacingOccurrences(of: "spec:\n", with: "spec:\n  nodeName: local\n")
            let apply = try await kubectl.run(["apply", "--server-side", "-f", "-"], input: manifest)
            #expect(apply.status == 0, "\(apply.standardError)")

            let delete = try await kubectl.run(["delete", "pod", "web", "--wait=false"])
            #expect(delete.status == 0, "\(delete.standardError)")
            let terminating = try JSONValue.parse(try await kubectl.run(["get", "pod", "web", "-o", "json"]).stdout)
            #expect(terminating[path: ["metadata", "deletionTimestamp"]]?.stringValue != nil)
            #expect(terminating[path: ["metadata", "deletionGracePeriodSeconds"]]?.intValue == 30)
            let table = try await kubectl.run(["get", "pod", "web"])
            #expect(table.standardOutput.contains("Terminating"), "\(table.standardOutput)")

            try test.cluster.kubelet.finishPodDeletion(namespace: "default", name: "web", uid: terminating.metaUID)
            let gone = try await kubectl.run(["get", "pod", "web"])
            #expect(gone.standardError.contains("pods \"web\" not found"), "\(gone.standardError)")
        }
    }

    @Test func getPodsWatchPrintsStatusChangesFromTheKubelet() async throws {
        try await TestCluster.with { test in
            let kubectl = try await Kubectl.forCluster(test)
            let apply = try await kubectl.run(["apply", "--server-side", "-f", "-"], input: Self.podManifest)
            #expect(apply.status == 0, "\(apply.standardError)")

            let watch = try kubectl.start(["get", "pods", "-w", "-o", "wide"])
            defer { watch.signal(SIGTERM) }
            let header = await watch.line { $0.hasPrefix("NAME") }
            #expect(header?.contains("READY") == true && header?.contains("NODE") == true, "\(watch.lines)")
            let pending = await watch.line { $0.hasPrefix("web ") && $0.contains("Pending") }
            #expect(pending != nil, "\(watch.lines)")

            let kubelet = try test.cluster.kubelet
            try kubelet.bindPod(namespace: "default", name: "web", node: "local")
            let now = RFC3339.string(from: Date())
            try kubelet.updatePodStatus(
                namespace: "default", name: "web", uid: nil,
                status: [
                    "phase": "Running", "podIP": "127.77.0.2", "hostIP": "127.0.0.1", "startTime": .string(now),
                    "conditions": [["type": "Ready", "status": "True", "lastTransitionTime": .string(now)]],
                    "containerStatuses": [[
                        "name": "main", "ready": true, "restartCount": 0, "image": "busybox:1.36", "imageID": "",
                        "started": true, "state": ["running": ["startedAt": .string(now)]],
                    ]],
                ]
            )
            let running = await watch.line { $0.hasPrefix("web ") && $0.contains("Running") && $0.contains("127.77.0.2") }
            #expect(running != nil, "\(watch.lines)")
            #expect(running?.contains("1/1") == true)
            #expect(running?.contains("local") == true)
        }
    }

    @Test func getListsNamespacesNodesConfigMapsAndSecrets() async throws {
        try await TestCluster.with { test in
            let kubectl = try await Kubectl.forCluster(test)
            let created = try await kubectl.run(["create", "secret", "generic", "token", "--from-literal=key=value"])
            #expect(created.status == 0, "\(created.standardError)")
            let output = try await kubectl.run(["get", "ns,nodes,cm,secrets"])
            #expect(output.status == 0, "\(output.standardError)")
            let text = output.standardOutput
            #expect(text.contains("namespace/default"), "\(text)")
            #expect(text.contains("namespace/kube-system"))
            #expect(text.range(of: #"node/local\s+Ready"#, options: .regularExpression) != nil, "\(text)")
            #expect(text.contains("configmap/kube-root-ca.crt"))
            #expect(text.range(of: #"secret/token\s+Opaque\s+1"#, options: .regularExpression) != nil, "\(text)")
            #expect(output.standardError.isEmpty, "\(output.standardError)")
        }
    }

    @Test func serverSideApplyDryRunPersistsNothing() async throws {
        try await TestCluster.with { test in
            let kubectl = try await Kubectl.forCluster(test)
            let apply = try await kubectl.run(["apply", "--server-side", "--dry-run=server", "-f", "-"], input: Self.podManifest)
            #expect(apply.status == 0, "\(apply.standardError)")
            #expect(apply.standardOutput.contains("pod/web serverside-applied (server dry run)"), "\(apply.standardOutput)")
            let get = try await kubectl.run(["get", "pod", "web"])
            #expect(get.standardError.contains("pods \"web\" not found"), "\(get.standardError)")
        }
    }

    @Test func clientSideApplyEditAndLabelWork() async throws {
        try await TestCluster.with { test in
            let kubectl = try await Kubectl.forCluster(test)
            let apply = try await kubectl.run(["apply", "-f", "-"], input: Self.podManifest)
            #expect(apply.status == 0, "\(apply.standardError)")
            #expect(apply.standardOutput.contains("pod/web created"), "\(apply.standardOutput)")
            let changed = Self.podManifest.replacingOccurrences(of: "busybox:1.36", with: "busybox:1.37")
            let reapply = try await kubectl.run(["apply", "-f", "-"], input: changed)
            #expect(reapply.status == 0, "\(reapply.standardError)")
            #expect(reapply.standardOutput.contains("pod/web configured"), "\(reapply.standardOutput)")
            let label = try await kubectl.run(["label", "pod", "web", "tier=front"])
            #expect(label.status == 0, "\(label.standardError)")
            let pod = try JSONValue.parse(try await kubectl.run(["get", "pod", "-l", "tier=front", "-o", "json"]).stdout)
            let items = pod["items"]?.arrayValue ?? []
            #expect(items.count == 1)
            #expect(items.first?[path: ["spec", "containers"]]?.arrayValue?.first?["image"]?.stringValue == "busybox:1.37")
        }
    }

    @Test func typedCreateCommandsSendProtobufThatTheServerDecodes() async throws {
        try await TestCluster.with { test in
            let kubectl = try await Kubectl.forCluster(test)
            let namespace = try await kubectl.run(["create", "namespace", "team", "--dry-run=server", "-o", "name"])
            #expect(namespace.standardOutput.contains("namespace/team"), "\(namespace.standardError)")
            #expect(try await kubectl.run(["create", "namespace", "team"]).status == 0)
            let map = try await kubectl.run(["-n", "team", "create", "configmap", "settings", "--from-literal=mode=fast", "--from-literal=size=3"])
            #expect(map.status == 0, "\(map.standardError)")
            let stored = try JSONValue.parse(try await kubectl.run(["-n", "team", "get", "configmap", "settings", "-o", "json"]).stdout)
            #expect(stored["data"] == ["mode": "fast", "size": "3"])
            #expect(try await kubectl.run(["-n", "team", "create", "serviceaccount", "builder"]).status == 0)

            let token = try await kubectl.run(["-n", "team", "create", "token", "builder", "--duration=15m"])
            #expect(token.status == 0, "\(token.standardError)")
            let jwt = token.standardOutput.trimmingCharacters(in: .whitespacesAndNewlines)
            let allowed = try await test.request("GET", "/api/v1/namespaces/team/configmaps", auth: .bearer(jwt))
            #expect(allowed.status == 200)
            #expect(allowed.json.itemNames.contains("settings"))
        }
    }
}
