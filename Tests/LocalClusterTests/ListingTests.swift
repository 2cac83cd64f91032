import CubicleModel
import Foundation
import LocalCluster
import Testing

/// Lists: label and field selectors, all-namespace lists, pagination with continue tokens, tables.
@Suite("Listing")
struct ListingTests {
    static func seed(_ test: TestCluster) async throws {
        let labels: [(String, [String: JSONValue])] = [
            ("a", ["app": "web", "tier": "front"]), ("b", ["app": "web", "tier": "back"]),
            ("c", ["app": "db", "tier": "back"]), ("d", ["app": "cache"]), ("e", [:]),
        ]
        for (name, set) in labels {
            let response = try await test.request(
                "POST", "/api/v1/namespaces/default/configmaps", json: ObjectSemanticsTests.configMap(name, labels: set)
            )
            #expect(response.status == 201)
        }
    }

    func names(_ test: TestCluster, _ query: String) async throws -> [String] {
        let response = try await test.request("GET", "/api/v1/namespaces/default/configmaps?" + query)
        #expect(response.status == 200, "\(response.text)")
        return response.json.itemNames.filter { $0 != "kube-root-ca.crt" }
    }

    @Test func equalityAndSetBasedLabelSelectorsFilter() async throws {
        try await TestCluster.with { test in
            try await Self.seed(test)
            #expect(try await names(test, "labelSelector=app%3Dweb") == ["a", "b"])
            #expect(try await names(test, "labelSelector=app%3D%3Dweb,tier%3Dback") == ["b"])
            #expect(try await names(test, "labelSelector=app!%3Dweb") == ["c", "d", "e"])
            #expect(try await names(test, "labelSelector=app%20in%20(web,cache)") == ["a", "b", "d"])
            #expect(try await names(test, "labelSelector=app%20notin%20(web,cache)") == ["c", "e"])
            #expect(try await names(test, "labelSelector=tier") == ["a", "b", "c"])
            #expect(try await names(test, "labelSelector=!tier") == ["d", "e"])
            let bad = try await test.request("GET", "/api/v1/namespaces/default/configmaps?labelSelector=app%20in%20web")
            #expect(bad.status == 400)
            #expect(bad.json["reason"]?.stringValue == "BadRequest")
        }
    }

    @Test func fieldSelectorsOnNamesAndPodFields() async throws {
        try await TestCluster.with { test in
            for (name, node) in [("p1", "local"), ("p2", nil), ("p3", "local")] {
                _ = try await test.request("POST", "/api/v1/namespaces/default/pods", json: ObjectSemanticsTests.pod(name, nodeName: node))
            }
            let byName = try await test.request("GET", "/api/v1/namespaces/default/pods?fieldSelector=metadata.name%3Dp2")
            #expect(byName.json.itemNames == ["p2"])
            let onNode = try await test.request("GET", "/api/v1/pods?fieldSelector=spec.nodeName%3Dlocal")
            #expect(onNode.json.itemNames == ["p1", "p3"])
            let unscheduled = try await test.request("GET", "/api/v1/pods?fieldSelector=spec.nodeName%3D")
            #expect(unscheduled.json.itemNames == ["p2"])
            let pending = try await test.request("GET", "/api/v1/pods?fieldSelector=status.phase!%3DRunning,metadata.namespace%3Ddefault")
            #expect(pending.json.itemNames == ["p1", "p2", "p3"])
            let unsupported = try await test.request("GET", "/api/v1/pods?fieldSelector=spec.image%3Dx")
            #expect(unsupported.status == 400)
            #expect(unsupported.json["message"]?.stringValue == "field label not supported: spec.image")
        }
    }

    @Test func listAcrossAllNamespaces() async throws {
        try await TestCluster.with { test in
            _ = try await test.request("POST", "/api/v1/namespaces", json: ["apiVersion": "v1", "kind": "Namespace", "metadata": ["name": "team"]])
            _ = try await test.request("POST", "/api/v1/namespaces/team/configmaps", json: ObjectSemanticsTests.configMap("t"))
            _ = try await test.request("POST", "/api/v1/namespaces/default/configmaps", json: ObjectSemanticsTests.configMap("d"))
            let all = try await test.request("GET", "/api/v1/configmaps?labelSelector=")
            let keys = (all.json["items"]?.arrayValue ?? []).map {
                "\($0[path: ["metadata", "namespace"]]?.stringValue ?? "")/\($0.metaName)"
            }
            #expect(keys.contains("team/t") && keys.contains("default/d") && keys.contains("kube-system/kube-root-ca.crt"))
            #expect(keys == keys.sorted())
        }
    }

    @Test func paginationWithContinueReturnsAConsistentSnapshot() async throws {
        try await TestCluster.with { test in
            try await Self.seed(test)
            let first = try await test.request("GET", "/api/v1/namespaces/default/configmaps?limit=2").json
            #expect(first.itemNames == ["a", "b"])
            let token = try #require(first[path: ["metadata", "continue"]]?.stringValue)
            #expect(first[path: ["metadata", "remainingItemCount"]]?.intValue == 4)
            let listVersion = first.resourceVersionNumber

            // Changes after the first page are not visible in later pages of the same list.
            _ = try await test.request("DELETE", "/api/v1/namespaces/default/configmaps/c")
            _ = try await test.request("POST", "/api/v1/namespaces/default/configmaps", json: ObjectSemanticsTests.configMap("bb"))

            let second = try await test.request("GET", "/api/v1/namespaces/default/configmaps?limit=2&continue=\(token)").json
            #expect(second.itemNames == ["c", "d"])
            #expect(second.resourceVersionNumber == listVersion)
            let token2 = try #require(second[path: ["metadata", "continue"]]?.stringValue)
            let third = try await test.request("GET", "/api/v1/namespaces/default/configmaps?limit=2&continue=\(token2)").json
            #expect(third.itemNames == ["e", "kube-root-ca.crt"])
            #expect(third[path: ["metadata", "continue"]] == nil)

            let fresh = try await test.request("GET", "/api/v1/namespaces/default/configmaps").json
            #expect(fresh.itemNames.contains("bb") && !fresh.itemNames.contains("c"))
        }
    }

    @Test func continueTokenAfterCompactionIs410() async throws {
        try await TestCluster.with { test in
            try await Self.seed(test)
            let first = try await test.request("GET", "/api/v1/namespaces/default/configmaps?limit=2").json
            let token = try #require(first[path: ["metadata", "continue"]]?.stringValue)
            _ = try await test.request("POST", "/api/v1/namespaces/default/configmaps", json: ObjectSemanticsTests.configMap("z"))
            try test.cluster.faults.expireResourceVersions()
            let expired = try await test.request("GET", "/api/v1/namespaces/default/configmaps?limit=2&continue=\(token)")
            #expect(expired.status == 410)
            #expect(expired.json["reason"]?.stringValue == "Expired")
            let garbage = try await test.request("GET", "/api/v1/namespaces/default/configmaps?limit=2&continue=garbage")
            #expect(garbage.status == 400)
        }
    }

    @Test func tableOutputHasKubectlColumns() async throws {
        try await TestCluster.with { test in
            _ = try await test.request("POST", "/api/v1/namespaces/default/pods", json: ObjectSemanticsTests.pod("p"))
            let table = try await test.request(
                "GET", "/api/v1/namespaces/default/pods?includeObject=Object",
                headers: ["Accept": "application/json;as=Table;v=v1;g=meta.k8s.io,application/json"]
            )
            #expect(table.headers["content-type"]?.contains("as=Table") == true)
            #expect(table.json["kind"]?.stringValue == "Table")
            let columns = (table.json["columnDefinitions"]?.arrayValue ?? []).compactMap { $0["name"]?.stringValue }
            #expect(columns == ["Name", "Ready", "Status", "Restarts", "Age", "IP", "Node", "Nominated Node", "Readiness Gates"])
            let row = try #require(table.json["rows"]?.arrayValue?.first)
            let cells = row["cells"]?.arrayValue?.compactMap(\.stringValue) ?? []
            #expect(Array(cells.prefix(4)) == ["p", "0/1", "Pending", "0"])
            #expect(row[path: ["object", "kind"]]?.stringValue == "Pod")

            let generic = try await test.request(
                "GET", "/apis/coordination.k8s.io/v1/namespaces/default/leases",
                headers: ["Accept": "application/json;as=Table;v=v1;g=meta.k8s.io"]
            )
            let genericColumns = (generic.json["columnDefinitions"]?.arrayValue ?? []).compactMap { $0["name"]?.stringValue }
            #expect(genericColumns == ["Name", "Age"])
        }
    }
}
