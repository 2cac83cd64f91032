import CubicleModel
import Foundation
import LocalCluster
import Synchronization
import Testing

/// `AuthorizationMode.rbac`: stored Roles, ClusterRoles and bindings decide what a service
/// account may do, the way the Kubernetes RBAC authorizer does; every decision is observable.
@Suite("RBAC authorization")
struct RBACAuthorizationTests {
    static let rbac = "/apis/rbac.authorization.k8s.io/v1"

    /// Creates service account `name` in `namespace` and returns a token for it.
    static func serviceAccountToken(_ test: TestCluster, namespace: String, name: String) async throws -> String {
        let account = try await test.request(
            "POST", "/api/v1/namespaces/\(namespace)/serviceaccounts",
            json: ["apiVersion": "v1", "kind": "ServiceAccount", "metadata": ["name": .string(name)]])
        #expect(account.status == 201, "\(account.text)")
        let token = try await test.request(
            "POST", "/api/v1/namespaces/\(namespace)/serviceaccounts/\(name)/token",
            json: ["apiVersion": "authentication.k8s.io/v1", "kind": "TokenRequest", "spec": ["audiences": []]])
        return try #require(token.json[path: ["status", "token"]]?.stringValue)
    }

    static func rule(_ groups: [String], _ resources: [String], _ verbs: [String], names: [String] = []) -> JSONValue {
        var rule: JSONValue = [
            "apiGroups": .array(groups.map(JSONValue.string)), "resources": .array(resources.map(JSONValue.string)),
            "verbs": .array(verbs.map(JSONValue.string)),
        ]
        if !names.isEmpty { rule["resourceNames"] = .array(names.map(JSONValue.string)) }
        return rule
    }

    static func binding(_ kind: String, name: String, role: (kind: String, name: String), account: (namespace: String, name: String)) -> JSONValue {
        [
            "apiVersion": "rbac.authorization.k8s.io/v1", "kind": .string(kind), "metadata": ["name": .string(name)],
            "roleRef": ["apiGroup": "rbac.authorization.k8s.io", "kind": .string(role.kind), "name": .string(role.name)],
            "subjects": [["kind": "ServiceAccount", "name": .string(account.name), "namespace": .string(account.namespace)]],
        ]
    }

    @Test func aServiceAccountMayDoExactlyWhatItsBoundRoleGrants() async throws {
        let records = Mutex<[AccessRecord]>([])
        try await TestCluster.with(configure: {
            $0.authorization = .rbac
            $0.onAccess = { record in records.withLock { $0.append(record) } }
        }) { test in
            #expect(try await test.request("POST", "/api/v1/namespaces", json: ["apiVersion": "v1", "kind": "Namespace", "metadata": ["name": "other"]]).status == 201)
            let token = try await Self.serviceAccountToken(test, namespace: "default", name: "robot")
            let role = try await test.request(
                "POST", Self.rbac + "/namespaces/default/roles",
                json: [
                    "apiVersion": "rbac.authorization.k8s.io/v1", "kind": "Role", "metadata": ["name": "reader"],
                    "rules": [
                        Self.rule([""], ["configmaps"], ["get", "list"]),
                        Self.rule([""], ["secrets"], ["get"], names: ["public"]),
                        Self.rule([""], ["pods/status"], ["get"]),
                    ],
                ])
            #expect(role.status == 201, "\(role.text)")
            let bound = try await test.request(
                "POST", Self.rbac + "/namespaces/default/rolebindings",
                json: Self.binding("RoleBinding", name: "robot-reads", role: ("Role", "reader"), account: ("default", "robot")))
            #expect(bound.status == 201, "\(bound.text)")

            let auth = CurlAuth.bearer(token)
            #expect(try await test.request("GET", "/api/v1/namespaces/default/configmaps", auth: auth).status == 200)
            let create = try await test.request(
                "POST", "/api/v1/namespaces/default/configmaps", json: ObjectSemanticsTests.configMap("x"), auth: auth)
            #expect(create.status == 403)
            #expect(create.json["reason"]?.stringValue == "Forbidden")
            #expect(
                create.message
                    == "configmaps is forbidden: User \"system:serviceaccount:default:robot\" cannot create resource \"configmaps\" in API group \"\" in the namespace \"default\"",
                "\(create.message)")
            #expect(try await test.request("GET", "/api/v1/namespaces/other/configmaps", auth: auth).status == 403, "a Role is namespaced")
            #expect(try await test.request("GET", "/api/v1/namespaces/default/secrets/public", auth: auth).status == 404, "allowed; absent")
            #expect(try await test.request("GET", "/api/v1/namespaces/default/secrets/private", auth: auth).status == 403)
            #expect(try await test.request("GET", "/api/v1/namespaces/default/pods/p", auth: auth).status == 403, "pods/status is not pods")
            #expect(try await test.request("GET", "/api/v1/namespaces/default/pods/p/status", auth: auth).status == 404)
            #expect(try await test.request("GET", "/api/v1/namespaces", auth: auth).status == 403)
            #expect(try await test.request("GET", "/api/v1/namespaces").status == 200, "system:masters may do anything")

            let decisions = records.withLock { $0 }.filter { $0.user == "system:serviceaccount:default:robot" }
            #expect(decisions.contains(AccessRecord(
                user: "system:serviceaccount:default:robot", groups: decisions.first?.groups ?? [], verb: "create", group: "",
                resource: "configmaps", namespace: "default", name: nil, allowed: false)))
            #expect(decisions.contains { $0.verb == "get" && $0.resource == "pods/status" && $0.allowed })
            #expect(decisions.count == 8, "\(decisions)")
        }
    }

    @Test func clusterRoleBindingsGrantClusterScopeAndApplyOfANewObjectNeedsCreate() async throws {
        try await TestCluster.with(configure: { $0.authorization = .rbac }) { test in
            let token = try await Self.serviceAccountToken(test, namespace: "default", name: "ops")
            let auth = CurlAuth.bearer(token)
            let role = try await test.request(
                "POST", Self.rbac + "/clusterroles",
                json: [
                    "apiVersion": "rbac.authorization.k8s.io/v1", "kind": "ClusterRole", "metadata": ["name": "ns-and-patch"],
                    "rules": [Self.rule([""], ["namespaces"], ["list"]), Self.rule(["apps"], ["deployments"], ["patch"])],
                ])
            #expect(role.status == 201, "\(role.text)")
            #expect(try await test.request("GET", "/api/v1/namespaces", auth: auth).status == 403)
            let bound = try await test.request(
                "POST", Self.rbac + "/clusterrolebindings",
                json: Self.binding("ClusterRoleBinding", name: "ops", role: ("ClusterRole", "ns-and-patch"), account: ("default", "ops")))
            #expect(bound.status == 201, "\(bound.text)")
            #expect(try await test.request("GET", "/api/v1/namespaces", auth: auth).status == 200)

            let manifest = "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web}\nspec: {selector: {matchLabels: {a: b}}, template: {metadata: {labels: {a: b}}, spec: {containers: [{name: m, image: i}]}}}\n"
            let path = "/apis/apps/v1/namespaces/default/deployments/web?fieldManager=t"
            let refused = try await test.request("PATCH", path, body: manifest, contentType: "application/apply-patch+yaml", auth: auth)
            #expect(refused.status == 403, "apply that creates needs create: \(refused.text)")
            #expect(refused.message.contains("cannot create resource \"deployments\" in API group \"apps\""), "\(refused.message)")
            #expect(try await test.request("PATCH", path, body: manifest, contentType: "application/apply-patch+yaml").status == 201)
            let again = try await test.request("PATCH", path, body: manifest, contentType: "application/apply-patch+yaml", auth: auth)
            #expect(again.status == 200, "apply of an existing object needs only patch: \(again.text)")
        }
    }
}
