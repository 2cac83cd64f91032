import CubicleModel
import Foundation
import KubeClient
import LocalCluster
import Testing

/// Typed CRUD over HTTPS against the embedded API server for every kind Cubicle writes, and the
/// Status errors clients branch on.
@Suite struct ClusterObjectTests {
    static func pod(_ name: String, labels: [String: String]? = nil, node: String? = nil) -> Pod {
        Pod(
            metadata: ObjectMeta(name: name, labels: labels),
            spec: PodSpec(
                containers: [Container(name: "sshd", image: "cubicle/workspace:1", ports: [ContainerPort(name: "ssh", containerPort: 22)])],
                nodeName: node))
    }

    /// Creates, reads, replaces, merge-patches, lists and deletes `object`, checking every answer.
    static func exerciseLifecycle<T: KubeObject>(
        of object: T, with client: KubeClient, checkCreated: (T) -> Void, edit: (inout T) -> Void, checkEdited: (T) -> Void
    ) async throws {
        let name = try #require(object.metadata.name)
        let created = try await client.create(object)
        #expect(created.metadata.namespace == "default")
        #expect(created.metadata.uid?.isEmpty == false)
        #expect(created.metadata.creationTimestamp != nil)
        checkCreated(created)

        let fetched = try await client.get(T.self, name: name)
        #expect(fetched.metadata.uid == created.metadata.uid)
        #expect(fetched.metadata.resourceVersion == created.metadata.resourceVersion)
        checkCreated(fetched)

        var changed = fetched
        edit(&changed)
        let updated = try await client.update(changed)
        let before = try #require(fetched.metadata.resourceVersion.flatMap { Int($0) })
        let after = try #require(updated.metadata.resourceVersion.flatMap { Int($0) })
        #expect(after > before)
        checkEdited(updated)
        checkEdited(try await client.get(T.self, name: name))

        let patched = try await client.mergePatch(
            T.self, name: name, patch: ["metadata": ["annotations": ["cubicle.dev/note": "patched"]]])
        #expect(patched.metadata.annotations?["cubicle.dev/note"] == "patched")
        checkEdited(patched)

        let listed = try await client.list(T.self)
        #expect(listed.items.contains { $0.metadata.uid == created.metadata.uid })
        #expect(listed.resourceVersion != nil)

        try await client.delete(T.self, name: name)
        let gone = await kubeError("get after delete") { _ = try await client.get(T.self, name: name) }
        #expect(gone?.isNotFound == true)
    }

    @Test func podLifecycleRoundTripsTheTypedModel() async throws {
        try await withLocalCluster { cluster in
            try await cluster.withAdmin { client in
                try await Self.exerciseLifecycle(
                    of: Self.pod("alice-ws", labels: ["app": "ws"]), with: client,
                    checkCreated: { pod in
                        #expect(pod.spec?.containers.first?.image == "cubicle/workspace:1")
                        #expect(pod.spec?.containers.first?.ports?.first?.containerPort == 22)
                        #expect(pod.status?.phase == "Pending")
                    },
                    edit: { $0.metadata.labels?["stage"] = "ready" },
                    checkEdited: { #expect($0.metadata.labels == ["app": "ws", "stage": "ready"]) })
            }
        }
    }

    @Test func secretLifecycleFoldsStringDataIntoData() async throws {
        try await withLocalCluster { cluster in
            try await cluster.withAdmin { client in
                try await Self.exerciseLifecycle(
                    of: Secret(metadata: ObjectMeta(name: "ssh-keys"), stringData: ["password": "hunter2"]), with: client,
                    checkCreated: { secret in
                        #expect(secret.data?["password"] == Data("hunter2".utf8))
                        #expect(secret.stringData == nil)
                        #expect(secret.type == "Opaque")
                    },
                    edit: { $0.data?["extra"] = Data([0, 1, 2, 255]) },
                    checkEdited: { secret in
                        #expect(secret.data?["extra"] == Data([0, 1, 2, 255]))
                        #expect(secret.data?["password"] == Data("hunter2".utf8))
                    })
            }
        }
    }

    @Test func configMapLifecycleKeepsDataAndBinaryData() async throws {
        try await withLocalCluster { cluster in
            try await cluster.withAdmin { client in
                try await Self.exerciseLifecycle(
                    of: ConfigMap(metadata: ObjectMeta(name: "settings"), data: ["shell": "/bin/bash"], binaryData: ["blob": Data([9, 8])]),
                    with: client,
                    checkCreated: { map in
                        #expect(map.data == ["shell": "/bin/bash"])
                        #expect(map.binaryData == ["blob": Data([9, 8])])
                    },
                    edit: { $0.data?["editor"] = "vim" },
                    checkEdited: { #expect($0.data == ["shell": "/bin/bash", "editor": "vim"]) })
            }
        }
    }

    @Test func persistentVolumeClaimLifecycleKeepsItsRequest() async throws {
        try await withLocalCluster { cluster in
            try await cluster.withAdmin { client in
                let size = try Quantity("5Gi")
                let claim = PersistentVolumeClaim(
                    metadata: ObjectMeta(name: "home-alice"),
                    spec: PersistentVolumeClaimSpec(accessModes: ["ReadWriteOnce"], resources: VolumeResourceRequirements(requests: ["storage": size])))
                try await Self.exerciseLifecycle(
                    of: claim, with: client,
                    checkCreated: { claim in
                        #expect(claim.spec?.accessModes == ["ReadWriteOnce"])
                        #expect(claim.spec?.resources?.requests?["storage"] == size)
                    },
                    edit: { $0.metadata.labels = ["cubicle.dev/user": "alice"] },
                    checkEdited: { claim in
                        #expect(claim.metadata.labels == ["cubicle.dev/user": "alice"])
                        #expect(claim.spec?.resources?.requests?["storage"] == size)
                    })
            }
        }
    }

    @Test func networkPolicyLifecycleKeepsItsRules() async throws {
        try await withLocalCluster { cluster in
            try await cluster.withAdmin { client in
                let policy = NetworkPolicy(
                    metadata: ObjectMeta(name: "ws-alice"),
                    spec: NetworkPolicySpec(
                        podSelector: LabelSelector(matchLabels: ["cubicle.dev/user": "alice"]), policyTypes: ["Ingress"],
                        ingress: [NetworkPolicyIngressRule(ports: [NetworkPolicyPort(protocol: "TCP", port: 22)])]))
                try await Self.exerciseLifecycle(
                    of: policy, with: client,
                    checkCreated: { policy in
                        #expect(policy.spec?.podSelector.matchLabels == ["cubicle.dev/user": "alice"])
                        #expect(policy.spec?.ingress?.first?.ports?.first?.port == .int(22))
                    },
                    edit: { policy in
                        policy.spec?.policyTypes = ["Ingress", "Egress"]
                        policy.spec?.egress = [NetworkPolicyEgressRule(to: [NetworkPolicyPeer(ipBlock: IPBlock(cidr: "10.0.0.0/8"))])]
                    },
                    checkEdited: { policy in
                        #expect(policy.spec?.policyTypes == ["Ingress", "Egress"])
                        #expect(policy.spec?.egress?.first?.to?.first?.ipBlock?.cidr == "10.0.0.0/8")
                    })
            }
        }
    }

    @Test func leaseLifecycleKeepsHolderAndMicroTime() async throws {
        try await withLocalCluster { cluster in
            try await cluster.withAdmin { client in
                let renewed = MicroTime(Date(timeIntervalSince1970: 1_800_000_000.123456))
                let lease = Lease(
                    metadata: ObjectMeta(name: "cubicle-controller"),
                    spec: LeaseSpec(holderIdentity: "replica-a", leaseDurationSeconds: 15, renewTime: renewed, leaseTransitions: 0))
                try await Self.exerciseLifecycle(
                    of: lease, with: client,
                    checkCreated: { lease in
                        #expect(lease.spec?.holderIdentity == "replica-a")
                        #expect(lease.spec?.renewTime?.description == renewed.description)
                    },
                    edit: { lease in
                        lease.spec?.holderIdentity = "replica-b"
                        lease.spec?.leaseTransitions = 1
                    },
                    checkEdited: { lease in
                        #expect(lease.spec?.holderIdentity == "replica-b")
                        #expect(lease.spec?.leaseTransitions == 1)
                    })
            }
        }
    }

    @Test func missingObjectsAreNotFound() async throws {
        try await withLocalCluster { cluster in
            try await cluster.withAdmin { client in
                let get = await kubeError("get") { _ = try await client.get(Secret.self, name: "nope") }
                #expect(get?.isNotFound == true)
                #expect(get?.code == .notFound)
                #expect(get?.reason == "NotFound")
                #expect(get?.message.contains("nope") == true)
                let update = await kubeError("update") {
                    _ = try await client.update(ConfigMap(metadata: ObjectMeta(name: "nope", resourceVersion: "1"), data: [:]))
                }
                #expect(update?.isNotFound == true)
                let delete = await kubeError("delete") { try await client.delete(Lease.self, name: "nope") }
                #expect(delete?.isNotFound == true)
            }
        }
    }

    @Test func creatingATakenNameIsAlreadyExists() async throws {
        try await withLocalCluster { cluster in
            try await cluster.withAdmin { client in
                _ = try await client.create(ConfigMap(metadata: ObjectMeta(name: "twice")))
                let error = await kubeError("second create") { _ = try await client.create(ConfigMap(metadata: ObjectMeta(name: "twice"))) }
                #expect(error?.isAlreadyExists == true)
                #expect(error?.isConflict == false)
                #expect(error?.code == .alreadyExists)
                #expect(error?.httpStatus == 409)
            }
        }
    }

    @Test func updateWithStaleResourceVersionIsConflict() async throws {
        try await withLocalCluster { cluster in
            try await cluster.withAdmin { client in
                let first = try await client.create(ConfigMap(metadata: ObjectMeta(name: "contended"), data: ["v": "0"]))
                var winner = first
                winner.data = ["v": "1"]
                _ = try await client.update(winner)
                var loser = first
                loser.data = ["v": "stale"]
                let error = await kubeError("stale update") { _ = try await client.update(loser) }
                #expect(error?.isConflict == true)
                #expect(error?.isAlreadyExists == false)
                #expect(error?.code == .conflict)
                #expect(error?.httpStatus == 409)
                #expect(try await client.get(ConfigMap.self, name: "contended").data == ["v": "1"])
            }
        }
    }

    @Test func invalidNameIsUnprocessableWithTheFieldNamed() async throws {
        try await withLocalCluster { cluster in
            try await cluster.withAdmin { client in
                let error = await kubeError("invalid create") { _ = try await client.create(Self.pod("Not_A_DNS_Name")) }
                #expect(error?.isInvalid == true)
                #expect(error?.httpStatus == 422)
                #expect(error?.code == .invalidRequest)
                #expect(error?.reason == "Invalid")
                let fields = error?.status?.details?.causes?.compactMap(\.field) ?? []
                #expect(fields.contains("metadata.name"))
                let remaining = try await client.list(Pod.self).items
                #expect(remaining.isEmpty)
            }
        }
    }
}
