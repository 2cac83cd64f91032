import CubicleModel
import Foundation
import Synchronization
import Testing

@testable import KubeClient

/// CRUD, apply, selectors, pagination and TokenRequest against the Python fake apiserver.
@Suite struct ClientOperationTests {
    static func pod(_ name: String, labels: [String: String] = [:], image: String = "cubicle/workspace:1") -> Pod {
        Pod(
            metadata: ObjectMeta(name: name, labels: labels),
            spec: PodSpec(containers: [Container(name: "sshd", image: image, ports: [ContainerPort(name: "ssh", containerPort: 22)])]))
    }

    @Test func typedCRUDRoundTripWithClientCertificate() async throws {
        try await withKubeServer { server in
            try await withClient(try KubeClient(config: try server.certificateConfig(namespace: "team"))) { client in
                let created = try await client.create(Self.pod("alice-1", labels: ["app": "ws"]))
                #expect(created.metadata.namespace == "team")
                #expect(created.metadata.uid != nil)
                let fetched = try await client.get(Pod.self, name: "alice-1")
                #expect(fetched.spec?.containers.first?.image == "cubicle/workspace:1")
                var edited = fetched
                edited.spec?.containers[0].image = "cubicle/workspace:2"
                let updated = try await client.update(edited)
                #expect(updated.spec?.containers.first?.image == "cubicle/workspace:2")
                #expect(updated.metadata.resourceVersion != fetched.metadata.resourceVersion)
                let patched = try await client.mergePatch(Pod.self, name: "alice-1", patch: ["metadata": ["labels": ["stage": "running"]]])
                #expect(patched.metadata.labels == ["app": "ws", "stage": "running"])
                let list = try await client.list(Pod.self)
                #expect(list.items.map(\.metadata.name) == ["alice-1"])
                try await client.delete(Pod.self, name: "alice-1")
                do {
                    _ = try await client.get(Pod.self, name: "alice-1")
                    Issue.record("found a deleted pod")
                } catch let error as KubeError {
                    #expect(error.isNotFound)
                    #expect(error.code == .notFound)
                    #expect(error.status?.reason == "NotFound")
                }
            }
            let identities = try await server.requests().compactMap { $0["identity"]?.stringValue }
            #expect(Set(identities) == ["cert:alice"])
        }
    }

    @Test func bearerTokenAuthenticates() async throws {
        try await withKubeServer(tokens: ["t-123"]) { server in
            try await withClient(try KubeClient(config: try server.tokenConfig("t-123"))) { client in
                _ = try await client.create(ConfigMap(metadata: ObjectMeta(name: "c"), data: ["k": "v"]))
                let back = try await client.get(ConfigMap.self, name: "c")
                #expect(back.data == ["k": "v"])
            }
            let identities = try await server.requests().compactMap { $0["identity"]?.stringValue }
            #expect(identities == ["token:t-123", "token:t-123"])
        }
    }

    @Test func conflictsAndValidationMapToStableCodes() async throws {
        try await withKubeServer { server in
            try await withClient(try KubeClient(config: try server.certificateConfig())) { client in
                let first = try await client.create(Self.pod("p"))
                do {
                    _ = try await client.create(Self.pod("p"))
                    Issue.record("created twice")
                } catch let error as KubeError {
                    #expect(error.isAlreadyExists)
                    #expect(error.code == .alreadyExists)
                }
                var newer = first
                newer.metadata.labels = ["v": "2"]
                _ = try await client.update(newer)
                var stale = first
                stale.metadata.labels = ["v": "stale"]
                do {
                    _ = try await client.update(stale)
                    Issue.record("a stale update succeeded")
                } catch let error as KubeError {
                    #expect(error.isConflict)
                    #expect(error.code == .conflict)
                    #expect(error.httpStatus == 409)
                }
                do {
                    _ = try await client.create(Self.pod("Not_A_DNS_Name"))
                    Issue.record("an invalid name was accepted")
                } catch let error as KubeError {
                    #expect(error.isInvalid)
                    #expect(error.code == .invalidRequest)
                    #expect(error.status?.details?.causes?.first?.field == "metadata.name")
                }
            }
        }
    }

    @Test func writesCarryTheirOptionsAndContentTypes() async throws {
        try await withKubeServer { server in
            try await withClient(try KubeClient(config: try server.certificateConfig())) { client in
                let dry = try await client.create(Self.pod("dry"), options: WriteOptions(dryRun: true))
                #expect(dry.metadata.name == "dry")
                await #expect(throws: KubeError.self) { try await client.get(Pod.self, name: "dry") }
                _ = try await client.apply(Self.pod("applied"), options: ApplyOptions(force: true))
                _ = try await client.apply(Self.pod("applied", image: "x:2"), options: ApplyOptions(fieldManager: "other", dryRun: true))
                _ = try await client.mergePatch(Pod.self, name: "applied", patch: ["metadata": ["annotations": ["a": "b"]]])
                let current = try await client.get(Pod.self, name: "applied")
                do {
                    try await client.delete(
                        Pod.self, name: "applied", options: DeleteOptions(preconditionUID: "someone-else"))
                    Issue.record("deleted despite a failed precondition")
                } catch let error as KubeError {
                    #expect(error.isConflict)
                }
                try await client.delete(
                    Pod.self, name: "applied",
                    options: DeleteOptions(
                        propagationPolicy: .foreground, gracePeriodSeconds: 0, preconditionUID: current.metadata.uid,
                        preconditionResourceVersion: current.metadata.resourceVersion))
            }
            let requests = try await server.requests()
            let dryCreate = try #require(requests.first { $0["method"] == "POST" })
            #expect(dryCreate[path: ["query", "dryRun"]] == "All")
            #expect(dryCreate["contentType"] == "application/json")
            let applies = requests.filter { $0["contentType"] == "application/apply-patch+yaml" }
            #expect(applies.count == 2)
            #expect(applies[0]["path"] == "/api/v1/namespaces/default/pods/applied")
            #expect(applies[0][path: ["query", "fieldManager"]] == "cubicle")
            #expect(applies[0][path: ["query", "force"]] == "true")
            #expect(applies[1][path: ["query", "fieldManager"]] == "other")
            #expect(applies[1][path: ["query", "dryRun"]] == "All")
            #expect(applies[1][path: ["query", "force"]] == nil)
            let appliedBody = try JSONValue.parse(Array((applies[0]["body"]?.stringValue ?? "").utf8))
            #expect(appliedBody["kind"] == "Pod")
            #expect(appliedBody["apiVersion"] == "v1")
            #expect(requests.contains { $0["method"] == "PATCH" && $0["contentType"] == "application/merge-patch+json" })
            let delete = try #require(requests.last { $0["method"] == "DELETE" })
            let options = try JSONValue.parse(Array((delete["body"]?.stringValue ?? "").utf8))
            #expect(options["kind"] == "DeleteOptions")
            #expect(options["propagationPolicy"] == "Foreground")
            #expect(options["gracePeriodSeconds"] == 0)
            #expect(options[path: ["preconditions", "uid"]] != nil)
            #expect(options[path: ["preconditions", "resourceVersion"]] != nil)
        }
    }

    @Test func selectorsFilterListsAndDeleteCollection() async throws {
        try await withKubeServer { server in
            try await withClient(try KubeClient(config: try server.certificateConfig())) { client in
                _ = try await client.create(Self.pod("a", labels: ["cubicle.dev/user": "alice", "tier": "ws"]))
                _ = try await client.create(Self.pod("b", labels: ["cubicle.dev/user": "bob", "tier": "ws"]))
                _ = try await client.create(Self.pod("c", labels: ["cubicle.dev/user": "carol"]))
                func names(_ options: ListOptions) async throws -> [String] {
                    try await client.list(Pod.self, options: options).items.compactMap(\.metadata.name)
                }
                #expect(try await names(ListOptions(labelSelector: "cubicle.dev/user=alice")) == ["a"])
                #expect(try await names(ListOptions(labelSelector: "tier=ws,cubicle.dev/user!=alice")) == ["b"])
                #expect(try await names(ListOptions(labelSelector: "cubicle.dev/user in (alice,carol)")) == ["a", "c"])
                #expect(try await names(ListOptions(labelSelector: "!tier")) == ["c"])
                #expect(try await names(ListOptions(fieldSelector: "metadata.name=b")) == ["b"])
                try await client.deleteCollection(Pod.self, labelSelector: "tier=ws")
                #expect(try await names(ListOptions()) == ["c"])
            }
            let requests = try await server.requests()
            let collectionDelete = try #require(requests.first { $0["method"] == "DELETE" })
            #expect(collectionDelete["path"] == "/api/v1/namespaces/default/pods")
            #expect(collectionDelete[path: ["query", "labelSelector"]] == "tier=ws")
        }
    }

    @Test func listAllFollowsContinueToTheEnd() async throws {
        try await withKubeServer { server in
            try await withClient(try KubeClient(config: try server.certificateConfig())) { client in
                for index in 0..<7 {
                    _ = try await client.create(ConfigMap(metadata: ObjectMeta(name: "cm-\(index)")))
                }
                let page = try await client.list(ConfigMap.self, options: ListOptions(limit: 3))
                #expect(page.items.count == 3)
                #expect(page.metadata.remainingItemCount == 4)
                let token = try #require(page.continueToken)
                let next = try await client.list(ConfigMap.self, options: ListOptions(limit: 3, continueToken: token))
                #expect(next.items.first?.metadata.name == "cm-3")
                try await server.command(["cmd": "clear-requests"])
                let all = try await client.listAll(ConfigMap.self, options: ListOptions(limit: 3))
                #expect(all.items.compactMap(\.metadata.name) == (0..<7).map { "cm-\($0)" })
                #expect(all.continueToken == nil)
                #expect(all.resourceVersion == page.resourceVersion)
                let lists = try await server.requests().filter { $0["method"] == "GET" }
                #expect(lists.count == 3)
                #expect(lists.map { $0[path: ["query", "continue"]] != nil } == [false, true, true])

                try await server.command(["cmd": "compact"])
                do {
                    _ = try await client.list(ConfigMap.self, options: ListOptions(limit: 3, continueToken: token))
                    Issue.record("an expired continue token worked")
                } catch let error as KubeError {
                    #expect(error.isGone)
                    #expect(error.code == .gone)
                }
                // An expired token in the middle of listAll falls back to one whole list.
                try await server.command(["cmd": "fail", "status": 410, "reason": "Expired", "match": "/configmaps", "skip": 1])
                let recovered = try await client.listAll(ConfigMap.self, options: ListOptions(limit: 3))
                #expect(recovered.items.count == 7)
            }
        }
    }

    @Test func tokenRequestReturnsTokenAndExpiry() async throws {
        try await withKubeServer { server in
            try await withClient(try KubeClient(config: try server.certificateConfig())) { client in
                _ = try await client.create(ServiceAccount(metadata: ObjectMeta(name: "ws")))
                let token = try await client.requestToken(serviceAccount: "ws", audiences: ["cubicle"], expirationSeconds: 600)
                #expect(token.token.hasPrefix("sa-ws-cubicle-"))
                let expiry = try #require(token.expirationTimestamp)
                #expect(expiry.date > Date())
                do {
                    _ = try await client.requestToken(serviceAccount: "ghost")
                    Issue.record("token for a missing account")
                } catch let error as KubeError {
                    #expect(error.isNotFound)
                }
            }
            let request = try #require(try await server.requests().first { $0["path"] == "/api/v1/namespaces/default/serviceaccounts/ws/token" })
            let body = try JSONValue.parse(Array((request["body"]?.stringValue ?? "").utf8))
            #expect(body["kind"] == "TokenRequest")
            #expect(body["apiVersion"] == "authentication.k8s.io/v1")
            #expect(body[path: ["spec", "audiences"]] == ["cubicle"])
            #expect(body[path: ["spec", "expirationSeconds"]] == 600)
        }
    }

    @Test func unstructuredApplyResolvesEachKindOfARenderedSet() async throws {
        try await withKubeServer { server in
            try await withClient(try KubeClient(config: try server.certificateConfig(namespace: "ws"))) { client in
                let rendered: [JSONValue] = [
                    ["apiVersion": "v1", "kind": "ConfigMap", "metadata": ["name": "cfg"], "data": ["a": "b"]],
                    ["apiVersion": "v1", "kind": "Secret", "metadata": ["name": "sec"], "stringData": ["k": "v"]],
                    ["apiVersion": "v1", "kind": "PersistentVolumeClaim", "metadata": ["name": "home"],
                     "spec": ["accessModes": ["ReadWriteOnce"], "resources": ["requests": ["storage": "1Gi"]]]],
                    ["apiVersion": "networking.k8s.io/v1", "kind": "NetworkPolicy", "metadata": ["name": "np"], "spec": ["podSelector": [:]]],
                    ["apiVersion": "coordination.k8s.io/v1", "kind": "Lease", "metadata": ["name": "lease"], "spec": ["holderIdentity": "me"]],
                    ["apiVersion": "v1", "kind": "Namespace", "metadata": ["name": "extra"]],
                ]
                for object in rendered { _ = try await client.apply(object) }
                let claim = try await client.get(PersistentVolumeClaim.self, name: "home")
                #expect(claim.spec?.resources?.requests?["storage"]?.description == "1Gi")
                let policy = try await client.get(.networkPolicies, name: "np")
                #expect(policy["kind"] == "NetworkPolicy")
                let lease = try await client.get(Lease.self, name: "lease")
                #expect(lease.spec?.holderIdentity == "me")
                let namespaces = try await client.list(Namespace.self)
                #expect(namespaces.items.map(\.metadata.name) == ["extra"])
                do {
                    _ = try await client.apply(["apiVersion": "example.com/v1", "kind": "Widget", "metadata": ["name": "w"]])
                    Issue.record("applied an unknown kind")
                } catch let error as KubeError {
                    #expect(error.code == .invalidRequest)
                }
            }
            let paths = try await server.requests().filter { $0["method"] == "PATCH" }.compactMap { $0["path"]?.stringValue }
            #expect(
                paths == [
                    "/api/v1/namespaces/ws/configmaps/cfg", "/api/v1/namespaces/ws/secrets/sec",
                    "/api/v1/namespaces/ws/persistentvolumeclaims/home",
                    "/apis/networking.k8s.io/v1/namespaces/ws/networkpolicies/np",
                    "/apis/coordination.k8s.io/v1/namespaces/ws/leases/lease", "/api/v1/namespaces/extra",
                ])
        }
    }

    @Test func typedUpdateKeepsFieldsTheServerHasButTheModelLacks() async throws {
        try await withKubeServer { server in
            try await withClient(try KubeClient(config: try server.certificateConfig())) { client in
                _ = try await client.create(
                    [
                        "apiVersion": "v1", "kind": "Pod", "metadata": ["name": "p"],
                        "spec": [
                            "dnsPolicy": "None", "dnsConfig": ["nameservers": ["1.1.1.1"]],
                            "containers": [["name": "sshd", "image": "a:1", "lifecycle": ["preStop": ["exec": ["command": ["true"]]]]]],
                        ],
                    ] as JSONValue)
                var pod = try await client.get(Pod.self, name: "p")
                pod.spec?.containers[0].image = "a:2"
                _ = try await client.update(pod)
                let stored = try await client.get(.pods, name: "p")
                #expect(stored[path: ["spec", "dnsPolicy"]] == "None")
                #expect(stored[path: ["spec", "dnsConfig", "nameservers"]] == ["1.1.1.1"])
                let container = stored[path: ["spec", "containers"]]?.arrayValue?.first
                #expect(container?["image"] == "a:2")
                #expect(container?[path: ["lifecycle", "preStop", "exec", "command"]] == ["true"])
            }
        }
    }

    @Test func everyIssuedRequestIsWithinTheDeclaredPermissions() async throws {
        try await withKubeServer { server in
            let seen = Mutex<[RequestRecord]>([])
            let client = try KubeClient(config: try server.certificateConfig()) { record in seen.withLock { $0.append(record) } }
            try await withClient(client) { client in
                _ = try await client.create(Self.pod("p"))
                _ = try await client.get(Pod.self, name: "p")
                _ = try await client.listAll(Pod.self)
                var pod = try await client.get(Pod.self, name: "p")
                pod.status = PodStatus(phase: "Running")
                _ = try await client.updateStatus(pod)
                _ = try await client.getStatus(of: Pod.self, name: "p")
                _ = try await client.mergePatchStatus(of: Pod.self, name: "p", patch: ["status": ["phase": "Running"]])
                _ = try await client.apply(Lease(metadata: ObjectMeta(name: "l")))
                _ = try await client.create(ServiceAccount(metadata: ObjectMeta(name: "sa")))
                _ = try await client.requestToken(serviceAccount: "sa")
                let watch = try await client.watch(Pod.self, options: WatchOptions(timeoutSeconds: 1))
                watch.cancel()
                try await client.deleteCollection(Secret.self, labelSelector: "x=y")
                try await client.delete(Pod.self, name: "p")
            }
            let records = seen.withLock { $0 }
            let issued = Set(records.map(\.permission))
            #expect(issued.isSubset(of: Permission.cubicleRequired), "outside: \(issued.subtracting(Permission.cubicleRequired))")
            #expect(Set(records.map(\.verb)) == Set(Verb.allCases))
            #expect(issued.contains(Permission(verb: .update, group: "", resource: "pods/status")))
            #expect(issued.contains(Permission(verb: .create, group: "", resource: "serviceaccounts/token")))
        }
    }
}
