import CubicleModel
import CubicleTestSupport
import Foundation
import KubeClient
import LocalCluster
import Testing

/// Keeps `manifests/base/role.yaml` honest in both directions. The embedded cluster enforces RBAC
/// with the shipped Role while a real server provisions, stops, starts again and deletes a
/// workspace and answers health checks, and records every authorization decision for the
/// server's service account (and mints a kubernetes credential). The test fails when Cubicle needed a permission the Role lacks (a
/// denial), and when the Role grants a permission none of those flows used.
///
/// What it proves: the Role covers every request these flows make (the same requests a real
/// cluster would see, derived from the running code, not from a list). What it cannot prove:
/// requests made only on paths the flows do not reach (e.g. recovery after a conflict).
@Suite struct RBACCoverageTests {
    /// A granted permission: API group, resource (with subresource) and verb.
    struct Grant: Hashable, CustomStringConvertible {
        let group: String
        let resource: String
        let verb: String
        var description: String { "\(verb) \(group.isEmpty ? "core" : group)/\(resource)" }
    }

    static let roles = ResourceType(group: "rbac.authorization.k8s.io", version: "v1", resource: "roles", kind: "Role", namespaced: true)

    @Test func theShippedRoleGrantsExactlyWhatProvisionStopStartAndDeleteUse() async throws {
        try await InClusterFixture.with(layout: "") { fixture in
            let server = try await fixture.startServer()
            do {
                #expect(try await server.request("GET", "/api/v1/healthcheck", token: .some(nil)).status == 200)
                let name = try await InClusterServerTests.provision(server, "dev")
                #expect(try await server.request("GET", "/api/v1/workspaces/\(name)").json()["status"] as? String == "Running")

                let stop = try await server.request("DELETE", "/api/v1/workspaces/\(name)").json()
                let stopped = try await server.finishedJob(try #require(stop["jobId"] as? String), within: 90)
                #expect(stopped["result"] as? String == "succeeded")
                _ = try await InClusterServerTests.provision(server, "dev")

                // A kubernetes credential is minted through the TokenRequest API (serviceaccounts/token).
                _ = try await fixture.admin.create(ServiceAccount(metadata: ObjectMeta(name: "deployer")), namespace: "cubicle-system")
                #expect(try await server.request(
                    "POST", "/api/v1/users/admin/credentials/kubernetes", body: #"{"scope":"cubicle-system","subject":"deployer"}"#).status == 201)
                let minted = try await server.request("GET", "/api/v1/me/credentials/kubernetes?scope=cubicle-system")
                #expect(minted.status == 200, "\(String(decoding: minted.body, as: UTF8.self))")
                #expect((try minted.json()["secret"] as? String)?.split(separator: ".").count == 3)

                let delete = try await server.request("DELETE", "/api/v1/workspaces/\(name)?delete=true").json()
                let deleted = try await server.finishedJob(try #require(delete["jobId"] as? String), within: 90)
                #expect(deleted["result"] as? String == "succeeded", "\(deleted.list("events").map { $0["message"] ?? "" })")
                let left = try await fixture.admin.list(
                    ResourceType.secrets, namespace: "cubicle-system", options: ListOptions(labelSelector: "\(Labels.workspace)=\(name)"))
                #expect(left.items.isEmpty, "the delete job could not remove the workspace's secrets")
            } catch {
                await server.stop()
                throw error
            }
            await server.stop()

            let access = fixture.serverAccess
            #expect(!access.isEmpty, "the server made no requests as its service account")
            let denied = access.filter { !$0.allowed }
            #expect(denied.isEmpty, "manifests/base/role.yaml lacks: \(Set(denied.map { Grant(group: $0.group, resource: $0.resource, verb: $0.verb) }))")

            let used = Set(access.map { Grant(group: $0.group, resource: $0.resource, verb: $0.verb) })
            let role = try await fixture.admin.get(Self.roles, name: "cubicle", namespace: "cubicle-system")
            var granted = Set<Grant>()
            for rule in role["rules"]?.arrayValue ?? [] {
                let strings = { (key: String) in rule[key]?.arrayValue?.compactMap(\.stringValue) ?? [] }
                #expect(!strings("verbs").contains("*") && !strings("resources").contains("*"), "wildcards are not least privilege")
                for group in strings("apiGroups") {
                    for resource in strings("resources") {
                        for verb in strings("verbs") { granted.insert(Grant(group: group, resource: resource, verb: verb)) }
                    }
                }
            }
            #expect(granted.subtracting(used).isEmpty, "granted but never used: \(granted.subtracting(used).sorted { $0.description < $1.description })")
            // Every request also lies within what the client's own API can issue (KubeClient's Permission registry).
            let outside = used.filter { grant in
                !Permission.cubicleRequired.contains { $0.group == grant.group && $0.resource == grant.resource && $0.verb.rawValue == grant.verb }
            }
            #expect(outside.isEmpty, "requests outside Permission.cubicleRequired: \(outside)")
            #expect(!access.contains { $0.namespace == nil }, "nothing cluster-wide: \(access.filter { $0.namespace == nil })")
        }
    }
}
