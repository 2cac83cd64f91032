@testable import Blueprints
import CubicleModel
import Foundation
import Testing

@Suite struct WorkspaceRendererTests {
    static let identity = WorkspaceIdentity(
        name: "carol-1234567", namespace: "work", username: "carol", uid: 1500, gid: 1500, shell: "/bin/bash",
        sudo: true, organization: "acme", jobID: "job-1")
    static let credentials = WorkspaceCredentials(
        hostPrivateKey: "HOST-PRIVATE", hostPublicKey: "ssh-ed25519 HOSTPUB", clientPrivateKey: "CLIENT-PRIVATE",
        clientPublicKey: "ssh-ed25519 CLIENTPUB", workspaceToken: "wst_token")
    static let renderer = WorkspaceRenderer(
        scripts: WorkspaceScripts(bootstrap: "#!/bin/sh\necho boot\n", sshdConfig: "Port @PORT@\n", agent: "#!/bin/sh\n"))

    func shipped(_ name: String) async throws -> BlueprintSpec {
        let result = await BlueprintLoader.load(directory: ShippedBlueprintsTests.directory)
        return try result.catalog.provisionable(name).instantiate(context: testContext(username: "carol"))
    }

    func objects(_ resources: WorkspaceResources, kind: String) -> [JSONValue] {
        resources.objects.filter { $0["kind"]?.stringValue == kind }
    }

    @Test func everyObjectCarriesTheWorkspaceLabelsAndThePodComesLast() async throws {
        let resources = Self.renderer.render(spec: try await shipped("dev"), identity: Self.identity, credentials: Self.credentials)
        #expect(resources.objects.map { $0["kind"]?.stringValue ?? "" }
            == ["Secret", "Secret", "ConfigMap", "PersistentVolumeClaim", "NetworkPolicy", "Pod"])
        for object in resources.objects {
            let labels = object[path: ["metadata", "labels"]]
            #expect(labels?[Labels.managedBy] == "cubicle")
            #expect(labels?[Labels.workspace] == "carol-1234567")
            #expect(labels?[Labels.user] == "carol")
            #expect(labels?[Labels.blueprint] == "dev")
            #expect(object[path: ["metadata", "namespace"]] == "work")
        }
        #expect(resources.pod?[path: ["metadata", "labels", Labels.jobID]] == "job-1")
    }

    @Test func secretsSplitWhatThePodMountsFromWhatCubicleKeeps() async throws {
        let resources = Self.renderer.render(spec: try await shipped("minimal"), identity: Self.identity, credentials: Self.credentials)
        let secrets = objects(resources, kind: "Secret")
        func decoded(_ secret: JSONValue, _ key: String) -> String? {
            secret[path: ["data", key]]?.stringValue.flatMap { Data(base64Encoded: $0) }.map { String(decoding: $0, as: UTF8.self) }
        }
        let mounted = try #require(secrets.first { $0[path: ["metadata", "name"]] == "carol-1234567-ssh" })
        #expect(decoded(mounted, "ssh_host_ed25519_key") == "HOST-PRIVATE")
        #expect(decoded(mounted, "authorized_keys") == "ssh-ed25519 CLIENTPUB\n")
        #expect(decoded(mounted, "workspace-token") == "wst_token")
        #expect(decoded(mounted, "id_ed25519") == nil, "the client private key must never be mounted into the pod")
        let kept = try #require(secrets.first { $0[path: ["metadata", "name"]] == "carol-1234567-client" })
        #expect(decoded(kept, "id_ed25519") == "CLIENT-PRIVATE")
        #expect(decoded(kept, "ssh_host_ed25519_key.pub") == "ssh-ed25519 HOSTPUB")
        let podVolumes = resources.pod?[path: ["spec", "volumes"]]?.arrayValue ?? []
        #expect(!podVolumes.contains { $0[path: ["secret", "secretName"]] == "carol-1234567-client" })
    }

    @Test func podRunsTheBootstrapAndIsReadyWhenSshdListens() async throws {
        let pod = try #require(Self.renderer.render(spec: try await shipped("dev"), identity: Self.identity, credentials: Self.credentials).pod)
        let container = try #require(pod[path: ["spec", "containers"]]?.arrayValue?.first)
        #expect(container["command"] == ["/bin/sh", "/etc/cubicle/bootstrap"])
        #expect(container[path: ["readinessProbe", "tcpSocket", "port"]] == 2222)
        #expect(container[path: ["resources", "limits", "memory"]] == "2Gi")
        #expect(container[path: ["resources", "requests", "cpu"]] == "100m")
        let env = container["env"]?.arrayValue ?? []
        #expect(env.contains { $0["name"] == "CUBICLE_POD_IP" && $0[path: ["valueFrom", "fieldRef", "fieldPath"]] == "status.podIP" })
        #expect(env.contains { $0["name"] == "EDITOR" && $0["value"] == "vim" })
        let mounts = container["volumeMounts"]?.arrayValue ?? []
        #expect(mounts.contains { $0["mountPath"] == "/home/carol" })
        #expect(mounts.contains { $0["mountPath"] == "/etc/cubicle" && $0["readOnly"] == true })
        #expect(pod[path: ["spec", "hostname"]] == "carol-1234567")
        #expect(pod[path: ["spec", "automountServiceAccountToken"]] == false)
    }

    @Test func minimalBlueprintHasNoClaims() async throws {
        let resources = Self.renderer.render(spec: try await shipped("minimal"), identity: Self.identity, credentials: Self.credentials)
        #expect(objects(resources, kind: "PersistentVolumeClaim").isEmpty)
    }

    @Test func sharedAndRetainedClaimsSurviveAFullDeleteByLabel() throws {
        var spec = BlueprintSpec(name: "data", image: "img")
        spec.storages = [
            "cache": StorageSpec(type: .shared, path: "/cache", id: "Team Cache"),
            "home": StorageSpec(type: .local, path: "/home/carol", retain: true),
            "scratch": StorageSpec(type: .emptyDir, path: "/scratch", sizeLimit: try Quantity("1Gi")),
        ]
        let resources = Self.renderer.render(spec: spec, identity: Self.identity, credentials: Self.credentials)
        let claims = objects(resources, kind: "PersistentVolumeClaim")
        let shared = try #require(claims.first { $0[path: ["metadata", "name"]] == "cubicle-shared-team-cache" })
        #expect(shared[path: ["metadata", "labels", Labels.workspace]] == nil, "a shared claim belongs to no workspace")
        #expect(shared[path: ["spec", "accessModes"]] == ["ReadWriteMany"])
        let home = try #require(claims.first { $0[path: ["metadata", "name"]] == "carol-1234567-home" })
        #expect(home[path: ["metadata", "labels", Labels.retain]] == "true")
        #expect(home[path: ["spec", "resources", "requests", "storage"]] == "1Gi")
        let volumes = resources.pod?[path: ["spec", "volumes"]]?.arrayValue ?? []
        #expect(volumes.contains { $0[path: ["emptyDir", "sizeLimit"]] == "1Gi" })
    }

    @Test func networkPolicyClassesDecideEgress() throws {
        var spec = BlueprintSpec(name: "n", image: "img")
        let open = Self.renderer.render(spec: spec, identity: Self.identity, credentials: Self.credentials)
        let openPolicy = try #require(objects(open, kind: "NetworkPolicy").first)
        #expect(openPolicy[path: ["spec", "ingress"]]?.arrayValue?.first?["ports"] == [["protocol": "TCP", "port": 2222]])
        #expect(openPolicy[path: ["spec", "egress"]]?.arrayValue?.count == 2)

        spec.network = NetworkSpec(policyClass: .isolated, allowEgressToCIDRs: ["10.1.0.0/16"])
        let isolated = try #require(objects(Self.renderer.render(spec: spec, identity: Self.identity, credentials: Self.credentials), kind: "NetworkPolicy").first)
        #expect(isolated[path: ["spec", "egress"]]?.arrayValue?.last == ["to": [["ipBlock": ["cidr": "10.1.0.0/16"]]]])

        spec.network = NetworkSpec(policyClass: .system)
        #expect(objects(Self.renderer.render(spec: spec, identity: Self.identity, credentials: Self.credentials), kind: "NetworkPolicy").isEmpty)
    }

    /// The generated shell files must mean exactly what the blueprint says, whatever the bytes.
    @Test func shellFilesRoundTripHostileValuesThroughARealShell() throws {
        var spec = BlueprintSpec(name: "q", image: "img")
        let hostile = "it's $(touch /tmp/pwned) `id` \"quoted\" \\ back\nnew line"
        spec.env = ["GREETING": hostile, "bad-name": "skipped"]
        spec.apps = ["web": AppSpec(start: ["/bin/echo", hostile, "two words"], listen: 8080)]
        let resources = Self.renderer.render(spec: spec, identity: Self.identity, credentials: Self.credentials)
        let config = try #require(objects(resources, kind: "ConfigMap").first)
        let envFile = try #require(config[path: ["data", "env"]]?.stringValue)
        #expect(!envFile.contains("bad-name"))
        #expect(try runShell(envFile + "printf '%s' \"$GREETING\"") == hostile)
        let appConf = try #require(config[path: ["data", "app-web.conf"]]?.stringValue)
        #expect(try runShell(appConf + "eval \"set -- $APP_START\"; printf '%s|' \"$@\"") == "/bin/echo|\(hostile)|two words|")
        let conf = try #require(config[path: ["data", "workspace.conf"]]?.stringValue)
        #expect(try runShell(conf + "printf '%s %s %s' \"$WORKSPACE_USER\" \"$WORKSPACE_UID\" \"$WORKSPACE_SUDO\"") == "carol 1500 true")
    }

    func runShell(_ script: String) throws -> String {
        try Program.run("/bin/sh", ["-c", script]).output
    }
}

extension WorkspaceRendererTests {
    @Test func clientSecretIsTheWorkspaceAnchorWithItsDisplayFields() async throws {
        let resources = Self.renderer.render(spec: try await shipped("dev"), identity: Self.identity, credentials: Self.credentials)
        let anchors = resources.objects.filter { $0[path: ["metadata", "labels", Labels.anchor]] == "true" }
        #expect(anchors.count == 1)
        let anchor = try #require(anchors.first)
        #expect(anchor[path: ["metadata", "name"]] == "carol-1234567-client")
        #expect(anchor[path: ["metadata", "annotations", WorkspaceKeys.cpuAnnotation]] == "2")
        #expect(anchor[path: ["metadata", "annotations", WorkspaceKeys.memoryAnnotation]] == "2Gi")
        #expect(anchor[path: ["metadata", "annotations", WorkspaceKeys.organizationAnnotation]] == "acme")
        #expect(anchor[path: ["metadata", "annotations", WorkspaceKeys.sshPortAnnotation]] == "2222")
    }
}
