import CubicleModel
import Foundation
import LocalCluster
import Testing
import Yams

/// The shipped `manifests/`: every file parses, real `kubectl kustomize` renders both layouts, and
/// real `kubectl apply --server-side --dry-run=server` accepts the rendered objects on the
/// embedded cluster (then a real apply stores them, and kubectl lists them).
@Suite("manifests/ with kubectl")
struct ManifestsKubectlTests {
    /// The repository root (this file is Tests/LocalClusterTests/Manifests/ManifestsKubectlTests.swift).
    static let repository: String = {
        var url = URL(fileURLWithPath: #filePath)
        for _ in 0..<4 { url.deleteLastPathComponent() }
        return url.path
    }()

    static let manifests = repository + "/manifests"

    /// Every `*.yaml` under manifests/, relative paths sorted.
    static func manifestFiles() throws -> [String] {
        let all = FileManager.default.enumerator(atPath: manifests)?.compactMap { $0 as? String } ?? []
        return all.filter { $0.hasSuffix(".yaml") }.sorted()
    }

    /// `kubectl kustomize <directory>` with a private HOME.
    static func render(_ kubectl: Kubectl, _ directory: String) async throws -> String {
        let output = try await kubectl.run(["kustomize", directory])
        guard output.status == 0 else { throw TestFailure("kubectl kustomize \(directory): \(output.standardError)") }
        return output.standardOutput
    }

    /// The kind, name and the `kind.group/name` kubectl prints, of each rendered document.
    static func objects(_ rendered: String) throws -> [(kind: String, name: String, printed: String)] {
        try Yams.load_all(yaml: rendered).compactMap { document in
            guard let object = document as? [String: Any], let kind = object["kind"] as? String,
                let apiVersion = object["apiVersion"] as? String,
                let metadata = object["metadata"] as? [String: Any], let name = metadata["name"] as? String
            else { return nil }
            let group = apiVersion.contains("/") ? "." + (apiVersion.split(separator: "/").first.map(String.init) ?? "") : ""
            return (kind, name, "\(kind.lowercased())\(group)/\(name)")
        }
    }

    @Test func everyManifestParsesAsKubernetesObjectsOrAKustomization() throws {
        let files = try Self.manifestFiles()
        #expect(files.contains("kustomization.yaml") && files.contains("workspace-namespace/kustomization.yaml"), "\(files)")
        #expect(files.count >= 12, "\(files)")
        for file in files {
            let text = try String(contentsOfFile: "\(Self.manifests)/\(file)", encoding: .utf8)
            let documents = try Yams.load_all(yaml: text).compactMap { $0 as? [String: Any] }
            #expect(!documents.isEmpty, "\(file) holds no YAML mapping")
            for document in documents {
                let kind = document["kind"] as? String ?? ""
                let apiVersion = document["apiVersion"] as? String ?? ""
                #expect(!kind.isEmpty && !apiVersion.isEmpty, "\(file): every document names apiVersion and kind")
                if kind != "Kustomization" {
                    let metadata = document["metadata"] as? [String: Any] ?? [:]
                    #expect((metadata["name"] as? String)?.isEmpty == false, "\(file): \(kind) without a name")
                }
            }
        }
    }

    @Test func theBlueprintConfigMapHoldsTheShippedBlueprintsVerbatim() throws {
        let text = try String(contentsOfFile: Self.manifests + "/base/blueprints-configmap.yaml", encoding: .utf8)
        let map = try #require(try Yams.load(yaml: text) as? [String: Any])
        let data = try #require(map["data"] as? [String: String])
        let shipped = try FileManager.default.contentsOfDirectory(atPath: Self.repository + "/blueprints").filter { $0.hasSuffix(".yaml") }
        #expect(Set(data.keys) == Set(shipped), "regenerate manifests/base/blueprints-configmap.yaml from blueprints/")
        for name in shipped {
            let file = try String(contentsOfFile: Self.repository + "/blueprints/" + name, encoding: .utf8)
            #expect(data[name] == file, "\(name) drifted from blueprints/\(name)")
        }
    }

    @Test func kustomizeRendersAndServerSideDryRunApplyPassesForBothLayouts() async throws {
        try await TestCluster.with { test in
            let kubectl = try await Kubectl.forCluster(test)
            for (layout, namespaces) in [("", ["cubicle-system"]), ("workspace-namespace", ["cubicle-system", "cubicle-workspaces"])] {
                let directory = layout.isEmpty ? Self.manifests : "\(Self.manifests)/\(layout)"
                let rendered = try await Self.render(kubectl, directory)
                let objects = try Self.objects(rendered)
                let kinds = Set(objects.map(\.kind))
                #expect(
                    kinds == ["Namespace", "ServiceAccount", "Role", "RoleBinding", "ConfigMap", "Deployment", "Service", "Ingress", "NetworkPolicy"],
                    "\(kinds)")
                let renderedPath = "\(test.directory)/rendered-\(layout.isEmpty ? "base" : layout).yaml"
                try test.write(rendered, to: renderedPath)

                // Like a real apiserver, a dry run cannot create objects inside a namespace it only
                // pretended to create: the namespaces exist first (as `kubectl create ns` would make them).
                for namespace in namespaces {
                    _ = try await kubectl.run(["create", "namespace", namespace])
                }
                let dryRun = try await kubectl.run(["apply", "--dry-run=server", "--server-side", "-f", renderedPath])
                #expect(dryRun.status == 0, "\(layout): \(dryRun.standardError)")
                #expect(!dryRun.standardError.lowercased().contains("warning"), "\(dryRun.standardError)")
                for object in objects {
                    let line = "\(object.printed) serverside-applied (server dry run)"
                    #expect(dryRun.standardOutput.contains(line), "\(layout): missing \(line) in \(dryRun.standardOutput)")
                }
                let stored = try await kubectl.run(["get", "deployments,roles,rolebindings,ingresses,networkpolicies", "-A", "-o", "name"])
                #expect(stored.status == 0, "\(stored.standardError)")
                #expect(stored.standardOutput.isEmpty, "a dry run stored: \(stored.standardOutput)")
            }

            // A real apply stores every kind, and kubectl lists them with their tables.
            let apply = try await kubectl.run(["apply", "--server-side", "-k", Self.manifests + "/workspace-namespace"])
            #expect(apply.status == 0, "\(apply.standardError)")
            let get = try await kubectl.run(["get", "deploy,sa,cm,svc,ing", "-n", "cubicle-system"])
            #expect(get.status == 0, "\(get.standardError)")
            #expect(get.standardOutput.range(of: #"deployment.apps/cubicle\s+0/1"#, options: .regularExpression) != nil, "\(get.standardOutput)")
            #expect(get.standardOutput.contains("ingress.networking.k8s.io/cubicle"), "\(get.standardOutput)")
            let rbac = try await kubectl.run(["get", "role,rolebinding,netpol", "-n", "cubicle-workspaces", "-o", "name"])
            #expect(
                rbac.standardOutput.split(separator: "\n").sorted()
                    == ["networkpolicy.networking.k8s.io/cubicle-workspace-ssh", "role.rbac.authorization.k8s.io/cubicle", "rolebinding.rbac.authorization.k8s.io/cubicle"],
                "\(rbac.standardOutput) \(rbac.standardError)")
            // Stored without acting: no pods appear for the Deployment.
            let pods = try await kubectl.run(["get", "pods", "-n", "cubicle-system", "-o", "name"])
            #expect(pods.status == 0 && pods.standardOutput.isEmpty, "\(pods.standardOutput)")
        }
    }

    @Test func theDryRunApplyPassesAgainstTheCubicleLocalClusterCommand() async throws {
        try await LocalClusterCommandTests.withCommand { directory, kubectl in
            let rendered = try await Self.render(kubectl, Self.manifests)
            try Data(rendered.utf8).write(to: URL(fileURLWithPath: directory + "/rendered.yaml"))
            #expect(try await kubectl.run(["create", "namespace", "cubicle-system"]).status == 0)
            let dryRun = try await kubectl.run(["apply", "--dry-run=server", "--server-side", "-f", directory + "/rendered.yaml"])
            #expect(dryRun.status == 0, "\(dryRun.standardError)")
            #expect(dryRun.standardOutput.contains("deployment.apps/cubicle serverside-applied (server dry run)"), "\(dryRun.standardOutput)")
            let stored = try await kubectl.run(["get", "deployments,roles", "-n", "cubicle-system", "-o", "name"])
            #expect(stored.status == 0 && stored.standardOutput.isEmpty, "\(stored.standardOutput)")
        }
    }

    @Test func kubectlDiscoversTheKindsTheManifestsUse() async throws {
        try await TestCluster.with { test in
            let kubectl = try await Kubectl.forCluster(test)
            let output = try await kubectl.run(["api-resources", "--no-headers"])
            #expect(output.status == 0, "\(output.standardError)")
            let rows = output.standardOutput.split(separator: "\n").map { $0.split(separator: " ", omittingEmptySubsequences: true).map(String.init) }
            for (name, version, kind) in [
                ("deployments", "apps/v1", "Deployment"), ("roles", "rbac.authorization.k8s.io/v1", "Role"),
                ("rolebindings", "rbac.authorization.k8s.io/v1", "RoleBinding"), ("clusterroles", "rbac.authorization.k8s.io/v1", "ClusterRole"),
                ("serviceaccounts", "v1", "ServiceAccount"), ("namespaces", "v1", "Namespace"),
                ("ingresses", "networking.k8s.io/v1", "Ingress"), ("networkpolicies", "networking.k8s.io/v1", "NetworkPolicy"),
            ] {
                #expect(rows.contains { $0.first == name && $0.contains(version) && $0.last == kind }, "\(name) missing: \(output.standardOutput)")
            }
        }
    }
}
