import CubicleModel
import Foundation
import Testing

@testable import KubeClient

@Suite struct ModelCodingTests {
    static let podJSON = #"""
        {"apiVersion":"v1","kind":"Pod",
         "metadata":{"name":"alice-59936c3","namespace":"cubicle","uid":"u-1","resourceVersion":"42","generation":3,
           "creationTimestamp":"2026-11-23T10:00:00Z","deletionTimestamp":"2026-11-23T11:00:00Z","deletionGracePeriodSeconds":30,
           "labels":{"cubicle.dev/workspace":"alice-59936c3"},"annotations":{"a":"b"},"finalizers":["cubicle.dev/cleanup"],
           "ownerReferences":[{"apiVersion":"v1","kind":"Secret","name":"s","uid":"u-2","controller":true}],
           "managedFields":[{"manager":"cubicle"}]},
         "spec":{"nodeName":"local","restartPolicy":"Always","hostname":"ws","terminationGracePeriodSeconds":5,
           "automountServiceAccountToken":false,"serviceAccountName":"cubicle-ws","nodeSelector":{"disk":"ssd"},
           "tolerations":[{"key":"k","operator":"Exists","effect":"NoSchedule"}],
           "securityContext":{"runAsUser":1000,"fsGroup":1000},
           "dnsPolicy":"ClusterFirst",
           "initContainers":[{"name":"init","image":"busybox","command":["sh","-c","true"]}],
           "containers":[{"name":"sshd","image":"cubicle/workspace:1","imagePullPolicy":"IfNotPresent","args":["-D"],
             "workingDir":"/home/alice",
             "env":[{"name":"A","value":"1"},{"name":"T","valueFrom":{"secretKeyRef":{"name":"s","key":"token"}}},
                    {"name":"IP","valueFrom":{"fieldRef":{"fieldPath":"status.podIP"}}}],
             "ports":[{"name":"ssh","containerPort":22,"protocol":"TCP"}],
             "volumeMounts":[{"name":"home","mountPath":"/home/alice"}],
             "resources":{"limits":{"cpu":"2","memory":"4Gi"},"requests":{"cpu":1}},
             "securityContext":{"allowPrivilegeEscalation":false,"capabilities":{"drop":["ALL"]}},
             "readinessProbe":{"tcpSocket":{"port":22},"periodSeconds":2},
             "livenessProbe":{"exec":{"command":["true"]}},
             "startupProbe":{"httpGet":{"path":"/healthz","port":"http","scheme":"HTTP"}},
             "lifecycle":{"preStop":{"exec":{"command":["sleep","1"]}}}}],
           "volumes":[{"name":"cfg","configMap":{"name":"c","items":[{"key":"k","path":"p","mode":420}],"defaultMode":493}},
             {"name":"sec","secret":{"secretName":"s","defaultMode":256}},
             {"name":"home","persistentVolumeClaim":{"claimName":"home"}},
             {"name":"tmp","emptyDir":{"medium":"Memory","sizeLimit":"64Mi"}}]},
         "status":{"phase":"Running","podIP":"127.77.0.2","podIPs":[{"ip":"127.77.0.2"}],"hostIP":"127.0.0.1",
           "startTime":"2026-11-23T10:00:01Z","reason":"R","message":"M",
           "conditions":[{"type":"Ready","status":"True","lastTransitionTime":"2026-11-23T10:00:05Z"}],
           "initContainerStatuses":[{"name":"init","ready":false,"restartCount":0,
             "state":{"terminated":{"exitCode":0,"reason":"Completed","startedAt":"2026-11-23T10:00:02Z","finishedAt":"2026-11-23T10:00:03Z"}}}],
           "containerStatuses":[{"name":"sshd","ready":true,"started":true,"restartCount":2,"image":"cubicle/workspace:1",
             "state":{"running":{"startedAt":"2026-11-23T10:00:04Z"}},
             "lastState":{"terminated":{"exitCode":137,"reason":"OOMKilled"}}},
             {"name":"side","state":{"waiting":{"reason":"CrashLoopBackOff","message":"back-off"}}}]}}
        """#

    @Test func podDecodesEveryModelledField() throws {
        let pod = try KubeCodec.object(Pod.self, from: try JSONValue.parse(Array(Self.podJSON.utf8)), context: "Pod")
        #expect(pod.metadata.name == "alice-59936c3")
        #expect(pod.metadata.generation == 3)
        #expect(pod.metadata.creationTimestamp == KubeTime(RFC3339.date(from: "2026-11-23T10:00:00Z")!))
        #expect(pod.metadata.deletionTimestamp != nil)
        #expect(pod.metadata.ownerReferences?.first?.controller == true)
        let spec = try #require(pod.spec)
        #expect(spec.tolerations?.first?.operator == "Exists")
        #expect(spec.securityContext?.fsGroup == 1000)
        let container = try #require(spec.containers.first)
        #expect(container.env?[1].valueFrom?.secretKeyRef?.key == "token")
        #expect(container.env?[2].valueFrom?.fieldRef?.fieldPath == "status.podIP")
        #expect(container.ports?.first?.protocol == "TCP")
        #expect(container.resources?.requests?["cpu"]?.description == "1")
        #expect(container.resources?.limits?["memory"]?.description == "4Gi")
        #expect(container.readinessProbe?.tcpSocket?.port == .int(22))
        #expect(container.startupProbe?.httpGet?.port == .string("http"))
        #expect(container.livenessProbe?.exec?.command == ["true"])
        #expect(container.securityContext?.capabilities?.drop == ["ALL"])
        #expect(spec.volumes?[0].configMap?.items?.first?.mode == 420)
        #expect(spec.volumes?[1].secret?.defaultMode == 256)
        #expect(spec.volumes?[2].persistentVolumeClaim?.claimName == "home")
        #expect(spec.volumes?[3].emptyDir?.sizeLimit?.description == "64Mi")
        let status = try #require(pod.status)
        #expect(status.podIPs == [PodIP(ip: "127.77.0.2")])
        #expect(status.initContainerStatuses?.first?.state?.terminated?.reason == "Completed")
        #expect(status.containerStatuses?[0].lastState?.terminated?.exitCode == 137)
        #expect(status.containerStatuses?[0].restartCount == 2)
        #expect(status.containerStatuses?[1].state?.waiting?.reason == "CrashLoopBackOff")
        #expect(status.containerStatuses?[1].ready == false)
    }

    @Test func updateKeepsFieldsTheModelDoesNotKnow() throws {
        var pod = try KubeCodec.object(Pod.self, from: try JSONValue.parse(Array(Self.podJSON.utf8)), context: "Pod")
        pod.metadata.labels?["new"] = "label"
        pod.spec?.containers[0].image = "cubicle/workspace:2"
        pod.spec?.containers.append(Container(name: "extra", image: "busybox"))
        pod.metadata.annotations = nil
        let document = try KubeCodec.documentForWrite(pod)
        // unknown fields at every depth survive
        #expect(document[path: ["spec", "dnsPolicy"]] == "ClusterFirst")
        #expect(document[path: ["metadata", "managedFields"]] != nil)
        let containers = try #require(document[path: ["spec", "containers"]]?.arrayValue)
        #expect(containers.count == 2)
        #expect(containers[0]["lifecycle"] != nil)
        #expect(containers[0]["image"] == "cubicle/workspace:2")
        #expect(containers[1]["name"] == "extra")
        // edits apply, including removals
        #expect(document[path: ["metadata", "labels", "new"]] == "label")
        #expect(document[path: ["metadata", "annotations"]] == nil)
        // untouched values keep their original representation (cpu stayed a number)
        #expect(document[path: ["spec", "containers"]]?.arrayValue?[0][path: ["resources", "requests", "cpu"]] == .int(1))
        // defaults the model fills in are not invented on the wire
        #expect(document[path: ["status", "containerStatuses"]]?.arrayValue?[1]["ready"] == nil)
    }

    @Test func equalityIgnoresTheDecodedDocument() throws {
        let document = try JSONValue.parse(Array(Self.podJSON.utf8))
        let withOriginal = try KubeCodec.object(Pod.self, from: document, context: "Pod")
        let plain = try document.decode(Pod.self)
        #expect(withOriginal.original.json == document)
        #expect(plain.original.json == nil)
        #expect(withOriginal == plain)
        #expect(Set([withOriginal, plain]).count == 1)
        var changed = plain
        changed.metadata.name = "other"
        #expect(changed != withOriginal)
    }

    @Test func carryOverMatchesNamedItemsAndFallsBackToEditedArrays() {
        let original: JSONValue = ["list": [["name": "a", "x": 1, "secret": true], ["name": "b", "x": 2]], "plain": [1, 2, 3]]
        let decoded: JSONValue = ["list": [["name": "a", "x": 1], ["name": "b", "x": 2]], "plain": [1, 2, 3]]
        let edited: JSONValue = ["list": [["name": "b", "x": 20], ["name": "a", "x": 1]], "plain": [1, 2]]
        let result = JSONCarryOver.apply(original: original, decoded: decoded, edited: edited)
        #expect(result["list"] == [["name": "b", "x": 20], ["name": "a", "x": 1, "secret": true]])
        #expect(result["plain"] == [1, 2])
    }

    @Test func createWithoutOriginalSendsTypedEncodingWithTypeMeta() throws {
        var pod = Pod(metadata: ObjectMeta(name: "p"), spec: PodSpec(containers: [Container(name: "c", image: "i")]))
        pod.apiVersion = nil
        pod.kind = nil
        let document = try KubeCodec.documentForWrite(pod)
        #expect(document["apiVersion"] == "v1")
        #expect(document["kind"] == "Pod")
        #expect(document[path: ["spec", "containers"]] == [["name": "c", "image": "i"]])
    }

    @Test func secretDataIsBase64OnTheWireAndBytesInMemory() throws {
        let secret = Secret(metadata: ObjectMeta(name: "s"), data: ["key": Data([0, 1, 2, 255])], type: "Opaque")
        let document = try KubeCodec.documentForWrite(secret)
        #expect(document[path: ["data", "key"]] == "AAEC/w==")
        let back = try KubeCodec.object(Secret.self, from: document, context: "Secret")
        #expect(back.data?["key"] == Data([0, 1, 2, 255]))
        let garbled: JSONValue = ["metadata": ["name": "s"], "data": ["key": "%%%"]]
        #expect(throws: KubeError.self) { try KubeCodec.object(Secret.self, from: garbled, context: "Secret") }
    }

    @Test func timesRoundTripWithTheirPrecision() throws {
        let json: JSONValue = [
            "metadata": ["name": "l"],
            "spec": ["holderIdentity": "a", "acquireTime": "2026-11-23T10:00:00.123456Z", "renewTime": "2026-11-23T10:00:01.5Z"],
        ]
        let lease = try KubeCodec.object(Lease.self, from: json, context: "Lease")
        let encoded = try JSONValue(encoding: lease)
        #expect(encoded[path: ["spec", "acquireTime"]] == "2026-11-23T10:00:00.123456Z")
        #expect(encoded[path: ["spec", "renewTime"]] == "2026-11-23T10:00:01.500000Z")
        let event = try KubeCodec.object(
            Event.self,
            from: [
                "metadata": ["name": "e"], "involvedObject": ["kind": "Pod", "name": "p", "fieldPath": "spec.containers{sshd}"],
                "reason": "Pulling", "type": "Normal", "count": 2, "firstTimestamp": "2026-11-23T10:00:00Z",
                "eventTime": "2026-11-23T10:00:00.000001Z", "source": ["component": "kubelet", "host": "local"],
                "reportingComponent": "kubelet", "reportingInstance": "local",
            ], context: "Event")
        #expect(event.involvedObject.fieldPath == "spec.containers{sshd}")
        #expect(event.eventTime?.description == "2026-11-23T10:00:00.000001Z")
        #expect(event.firstTimestamp?.description == "2026-11-23T10:00:00Z")
        #expect(event.source?.host == "local")
    }

    @Test func badTimestampIsADecodingErrorNamingThePath() {
        let json: JSONValue = ["metadata": ["name": "p", "creationTimestamp": "yesterday"]]
        do {
            _ = try KubeCodec.object(Pod.self, from: json, context: "Pod")
            Issue.record("decoded a bad timestamp")
        } catch let error as KubeError {
            #expect(error.message.contains("creationTimestamp"))
        } catch {
            Issue.record("unexpected \(error)")
        }
    }

    @Test func resourcePathsAndRegistry() {
        #expect(ResourceType.pods.path(namespace: "ns", name: "p") == "/api/v1/namespaces/ns/pods/p")
        #expect(ResourceType.podStatus.path(namespace: "ns", name: "p") == "/api/v1/namespaces/ns/pods/p/status")
        #expect(ResourceType.pods.path(namespace: nil, name: nil) == "/api/v1/pods")
        #expect(ResourceType.namespaces.path(namespace: "ignored", name: "n") == "/api/v1/namespaces/n")
        #expect(ResourceType.leases.path(namespace: "ns", name: nil) == "/apis/coordination.k8s.io/v1/namespaces/ns/leases")
        #expect(ResourceType.serviceAccountToken.path(namespace: "ns", name: "sa") == "/api/v1/namespaces/ns/serviceaccounts/sa/token")
        #expect(ResourceType.pods.path(namespace: "ns", name: "a b/c") == "/api/v1/namespaces/ns/pods/a%20b%2Fc")
        #expect(ResourceType.registered(apiVersion: "networking.k8s.io/v1", kind: "NetworkPolicy") == .networkPolicies)
        #expect(ResourceType.registered(apiVersion: "v1", kind: "Nope") == nil)
        #expect(Permission.cubicleRequired.contains(Permission(verb: .create, group: "", resource: "serviceaccounts/token")))
        #expect(Permission.cubicleRequired.contains(Permission(verb: .patch, group: "coordination.k8s.io", resource: "leases")))
        #expect(!Permission.cubicleRequired.contains(Permission(verb: .delete, group: "", resource: "pods/status")))
    }
}
