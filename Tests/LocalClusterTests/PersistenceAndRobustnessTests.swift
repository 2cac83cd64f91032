import CubicleModel
import Foundation
import LocalCluster
import Testing

/// State across restarts, bad input, and injected request failures.
@Suite("Persistence and robustness")
struct PersistenceAndRobustnessTests {
    @Test func objectsAndResourceVersionsSurviveARestartOnTheSameDataDir() async throws {
        let first = try await TestCluster.start()
        let created = try await first.request("POST", "/api/v1/namespaces/default/configmaps", json: ObjectSemanticsTests.configMap("kept"))
        let uid = created.json.metaUID
        let version = try #require(created.json.resourceVersionNumber)
        await first.stop(removingDirectory: false)

        let second = try await TestCluster.start(directory: first.directory)
        do {
            let loaded = try await second.request("GET", "/api/v1/namespaces/default/configmaps/kept")
            #expect(loaded.status == 200)
            #expect(loaded.json.metaUID == uid)
            #expect(loaded.json.resourceVersionNumber == version)
            let next = try await second.request("POST", "/api/v1/namespaces/default/configmaps", json: ObjectSemanticsTests.configMap("after"))
            #expect((next.json.resourceVersionNumber ?? 0) > version)
            let caBefore = try String(contentsOfFile: first.caPath, encoding: .utf8)
            #expect(try second.cluster.certificateAuthorityPEM == caBefore, "the CA is kept in the data dir")
        } catch {
            await second.stop(removingDirectory: true)
            throw error
        }
        await second.stop(removingDirectory: true)
    }

    @Test func stateFileIsReplacedAtomically() async throws {
        try await TestCluster.with { test in
            _ = try await test.request("POST", "/api/v1/namespaces/default/configmaps", json: ObjectSemanticsTests.configMap("x"))
            await test.cluster.shutdown()
            let path = test.directory + "/data/state.json"
            let document = try JSONValue.parse(Array(try Data(contentsOf: URL(fileURLWithPath: path))))
            #expect(document["formatVersion"]?.intValue == 1)
            let names = (document[path: ["objects", "configmaps"]]?.arrayValue ?? []).map(\.metaName)
            #expect(names.contains("x"))
            let leftovers = try FileManager.default.contentsOfDirectory(atPath: test.directory + "/data").filter { $0.contains(".tmp-") }
            #expect(leftovers.isEmpty)
            let attributes = try FileManager.default.attributesOfItem(atPath: path)
            #expect((attributes[.posixPermissions] as? Int) == 0o600)
        }
    }

    @Test func garbageBodiesAre400AndTheServerKeepsServing() async throws {
        try await TestCluster.with { test in
            let bodies = ["{", "null", "[1,2]", "\"text\"", "{\"metadata\": 5}", String(repeating: "[", count: 5000), "\u{00}\u{01}\u{02}"]
            for body in bodies {
                let response = try await test.request("POST", "/api/v1/namespaces/default/configmaps", body: body)
                #expect(response.status == 400, "\(body.prefix(20)): \(response.text)")
                #expect(response.json["kind"]?.stringValue == "Status")
            }
            let yaml = try await test.request(
                "POST", "/api/v1/namespaces/default/configmaps", body: "a: &x [*x]", contentType: "application/yaml"
            )
            #expect(yaml.status == 400)
            let patch = try await test.request(
                "PATCH", "/api/v1/namespaces/default/configmaps/kube-root-ca.crt", body: "{{", contentType: "application/merge-patch+json"
            )
            #expect(patch.status == 400)
            let delete = try await test.request("DELETE", "/api/v1/namespaces/default/configmaps/kube-root-ca.crt", body: "nope")
            #expect(delete.status == 400)
            #expect(try await test.request("GET", "/api/v1/namespaces/default/configmaps/kube-root-ca.crt").status == 200)
        }
    }

    @Test func yamlBodiesAreAcceptedForCreate() async throws {
        try await TestCluster.with { test in
            let yaml = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: from-yaml\ndata:\n  count: \"3\"\n"
            let response = try await test.request("POST", "/api/v1/namespaces/default/configmaps", body: yaml, contentType: "application/yaml")
            #expect(response.status == 201)
            #expect(response.json[path: ["data", "count"]]?.stringValue == "3")
        }
    }

    @Test func failNextInjects500sThenRecovers() async throws {
        try await TestCluster.with { test in
            try test.cluster.faults.failNext(2, status: 500, verb: "list", resource: "pods")
            #expect(try await test.request("GET", "/api/v1/namespaces/default/configmaps").status == 200)
            #expect(try await test.request("GET", "/api/v1/namespaces/default/pods").status == 500)
            #expect(try await test.request("GET", "/api/v1/namespaces/default/pods").status == 500)
            #expect(try await test.request("GET", "/api/v1/namespaces/default/pods").status == 200)
        }
    }

    @Test func faultEndpointsInject429WithRetryAfterAndPodFaultRules() async throws {
        try await TestCluster.with(configure: { $0.faultEndpoints = true }) { test in
            let armed = try await test.request("POST", "/_localcluster/faults/fail-next", json: ["count": 1, "status": 429, "retryAfterSeconds": 3])
            #expect(armed.status == 200)
            let throttled = try await test.request("GET", "/api/v1/namespaces")
            #expect(throttled.status == 429)
            #expect(throttled.headers["retry-after"] == "3")
            #expect(throttled.json["reason"]?.stringValue == "TooManyRequests")
            #expect(try await test.request("GET", "/api/v1/namespaces").status == 200)

            let rule = try await test.request(
                "POST", "/_localcluster/faults/pod-faults", json: ["fault": "CrashLoopBackOff", "labelSelector": "app=web"]
            )
            #expect(rule.status == 201)
            let pod: JSONValue = ["metadata": ["name": "w", "namespace": "default", "labels": ["app": "web"]]]
            #expect(try test.cluster.kubelet.podFault(for: pod)?.fault == .crashLoopBackOff)
            #expect(try test.cluster.kubelet.podFault(for: ["metadata": ["name": "other"]]) == nil)
            let id = try #require(rule.json["id"]?.stringValue)
            #expect(try await test.request("DELETE", "/_localcluster/faults/pod-faults/\(id)").status == 200)
            #expect(try test.cluster.kubelet.podFault(for: pod) == nil)
        }
    }

    @Test func faultEndpointsAreAbsentUnlessEnabled() async throws {
        try await TestCluster.with { test in
            let response = try await test.request("POST", "/_localcluster/faults/fail-next", json: ["count": 1])
            #expect(response.status == 404)
        }
    }

    @Test func oversizedBodiesAre413() async throws {
        try await TestCluster.with(configure: { $0.maximumBodySize = 1024 }) { test in
            let big = ObjectSemanticsTests.configMap("big", data: ["k": .string(String(repeating: "x", count: 4096))])
            let response = try await test.request("POST", "/api/v1/namespaces/default/configmaps", json: big)
            #expect(response.status == 413)
            #expect(try await test.request("GET", "/api/v1/namespaces").status == 200)
        }
    }
}

/// Inputs shaped to exhaust the server: deep nesting, huge numbers.
@Suite("Hostile input")
struct HostileInputTests {
    @Test func deeplyNestedYAMLAndHugeNumbersAreRejectedNotFatal() async throws {
        try await TestCluster.with { test in
            let flow = String(repeating: "[", count: 200_000)
            let deep = try await test.request("POST", "/api/v1/namespaces/default/configmaps", body: flow, contentType: "application/yaml")
            #expect(deep.status == 400)
            let indented = (0..<2000).map { String(repeating: " ", count: $0) + "k\($0):" }.joined(separator: "\n")
            let block = try await test.request(
                "PATCH", "/api/v1/namespaces/default/configmaps/x?fieldManager=m", body: indented, contentType: "application/apply-patch+yaml"
            )
            #expect(block.status == 400)
            _ = try await test.request("POST", "/api/v1/namespaces/default/pods", json: ObjectSemanticsTests.pod("p", nodeName: "local"))
            let grace = try await test.request("DELETE", "/api/v1/namespaces/default/pods/p?gracePeriodSeconds=9223372036854775807")
            #expect(grace.status == 200)
            let watch = try test.stream("/api/v1/namespaces/default/pods?watch=1&timeoutSeconds=9223372036854775807&resourceVersion=999999999999")
            defer { watch.signal(SIGTERM) }
            #expect(try await LocalClusterTestsSupport.eventually { try test.cluster.openWatchCount == 1 })
            #expect(try await test.request("GET", "/api/v1/namespaces/default/pods/p").status == 200)
        }
    }
}
