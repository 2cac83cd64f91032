import App
import Blueprints
import CubicleModel
import Foundation
import KubeClient

/// The reference: the embedded API server alone. The objects Cubicle's renderer produces for N
/// workspaces of a blueprint (two Secrets, a ConfigMap, claims and a NetworkPolicy when the
/// blueprint has them, the Pod) are pre-rendered, then server-side applied through `KubeClient`
/// one workspace after another per worker, in the order the provisioner applies them. No
/// store, jobs, leases, key generation or waiting for the pod: only the API calls.
struct ReferenceApply: Sendable {
    /// The namespace the reference objects go to, apart from Cubicle's workspaces.
    static let namespace = "bench-reference"

    let kubeconfig: String
    let repository: String
    let blueprint: String

    /// Renders `count` workspaces' objects, named apart per `run` so every run creates new objects.
    func render(count: Int, run: Int = 0) async throws -> [[JSONValue]] {
        let base = repository as NSString
        let scripts = try await WorkspaceScriptsLoader.load(from: base.appendingPathComponent("workspace"))
        let renderer = WorkspaceRenderer(scripts: scripts)
        let loaded = await BlueprintLoader.load(directory: base.appendingPathComponent("blueprints"))
        let resolved: ResolvedBlueprint
        do {
            resolved = try loaded.catalog.provisionable(blueprint)
        } catch {
            throw BenchError("blueprint \(blueprint) cannot be rendered: \(error)", code: .invalidBlueprint, underlying: error)
        }
        let credentials = Self.credentials()
        return try (0..<count).map { index in
            let name = "ref-\(run)-\(index)"
            let uid = Int64(20_000 + index)
            let context = BlueprintContext(
                user: .init(username: name, uid: uid, gid: uid), workspaceName: name, environment: .process)
            let spec = try resolved.instantiate(context: context)
            let identity = WorkspaceIdentity(
                name: name, namespace: Self.namespace, username: name, uid: uid, gid: uid,
                jobID: UUID().uuidString.lowercased())
            return renderer.render(spec: spec, identity: identity, credentials: credentials).objects
        }
    }

    /// Applies the rendered sets with at most `concurrency` workspaces in flight; one sample per workspace.
    func run(_ sets: [[JSONValue]], concurrency: Int) async throws -> (samples: [Sample], wall: Duration) {
        let client = try KubeClient(config: try await KubeConfig.load(path: kubeconfig, environment: [:]))
        do {
            let namespace: JSONValue = ["apiVersion": "v1", "kind": "Namespace", "metadata": ["name": .string(Self.namespace)]]
            _ = try await client.apply(namespace, resource: .namespaces, options: ApplyOptions(fieldManager: "cubicle-bench", force: true))
            let clock = ContinuousClock()
            let started = clock.now
            let samples = await bounded(count: sets.count, concurrency: concurrency) { index in
                let begin = clock.now
                do {
                    for object in sets[index] {
                        _ = try await client.apply(
                            object, namespace: Self.namespace, options: ApplyOptions(fieldManager: "cubicle", force: true))
                    }
                    return Sample(latency: clock.now - begin, failure: nil)
                } catch {
                    return Sample(latency: clock.now - begin, failure: "\(error)")
                }
            }
            let wall = clock.now - started
            await client.shutdown()
            return (samples, wall)
        } catch {
            await client.shutdown()
            throw error
        }
    }

    /// Key material of realistic size (OpenSSH ed25519 keys); generating real keys is Cubicle's
    /// work, not the API server's, so the reference reuses one fixed set.
    private static func credentials() -> WorkspaceCredentials {
        let privateKey = "-----BEGIN OPENSSH PRIVATE KEY-----\n"
            + String(repeating: String(repeating: "A", count: 70) + "\n", count: 5)
            + "-----END OPENSSH PRIVATE KEY-----\n"
        let publicKey = "ssh-ed25519 " + String(repeating: "A", count: 68) + " bench"
        return WorkspaceCredentials(
            hostPrivateKey: privateKey, hostPublicKey: publicKey, clientPrivateKey: privateKey, clientPublicKey: publicKey,
            workspaceToken: "cws_" + String(repeating: "A", count: 43))
    }
}
