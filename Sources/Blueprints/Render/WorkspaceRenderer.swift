import Foundation
import CubicleModel

/// Renders an instantiated blueprint into the workspace's Kubernetes objects: two Secrets, a
/// ConfigMap, claims for persistent storages, a NetworkPolicy and the Pod — all labelled so
/// Cubicle finds (and deletes) them by workspace.
public struct WorkspaceRenderer: Sendable {
    /// The scripts mounted into every workspace.
    public var scripts: WorkspaceScripts
    /// Deployment-wide rendering choices.
    public var options: RenderOptions

    /// Creates a renderer.
    public init(scripts: WorkspaceScripts, options: RenderOptions = RenderOptions()) {
        self.scripts = scripts
        self.options = options
    }

    /// Renders every object of the workspace.
    public func render(
        spec: BlueprintSpec, identity: WorkspaceIdentity, credentials: WorkspaceCredentials
    ) -> WorkspaceResources {
        let names = WorkspaceObjectNames(workspace: identity.name)
        let labels = Self.labels(identity: identity, blueprint: spec.name)
        var objects: [JSONValue] = [
            secret(name: names.sshSecret, identity: identity, labels: labels, data: [
                WorkspaceKeys.hostPrivateKey: credentials.hostPrivateKey,
                WorkspaceKeys.authorizedKeys: credentials.clientPublicKey + "\n",
                WorkspaceKeys.workspaceToken: credentials.workspaceToken,
            ]),
            secret(name: names.clientSecret, identity: identity, labels: labels.merging([Labels.anchor: "true"]) { $1 },
                   annotations: anchorAnnotations(spec: spec, identity: identity), data: [
                WorkspaceKeys.clientPrivateKey: credentials.clientPrivateKey,
                WorkspaceKeys.clientPublicKey: credentials.clientPublicKey,
                WorkspaceKeys.hostPublicKey: credentials.hostPublicKey,
            ]),
            configMap(spec: spec, identity: identity, names: names, labels: labels),
        ]
        objects += claims(spec: spec, identity: identity, names: names, labels: labels)
        if let policy = networkPolicy(spec: spec, identity: identity, names: names, labels: labels) {
            objects.append(policy)
        }
        objects.append(pod(spec: spec, identity: identity, names: names, labels: labels))
        return WorkspaceResources(objects: objects, names: names)
    }

    /// The labels every object of the workspace carries.
    public static func labels(identity: WorkspaceIdentity, blueprint: String) -> [String: String] {
        [
            Labels.managedBy: Labels.managedByValue,
            Labels.workspace: identity.name,
            Labels.user: identity.username,
            Labels.blueprint: blueprint,
            Labels.jobID: identity.jobID,
        ]
    }

    static func metadata(
        name: String, namespace: String, labels: [String: String], annotations: [String: String] = [:]
    ) -> JSONValue {
        var meta: JSONValue = ["name": .string(name), "namespace": .string(namespace), "labels": stringMap(labels)]
        if !annotations.isEmpty { meta["annotations"] = stringMap(annotations) }
        return meta
    }

    static func stringMap(_ map: [String: String]) -> JSONValue {
        .object(map.mapValues { .string($0) })
    }

    /// What the API shows about a workspace without reading its pod, kept on the anchor Secret.
    func anchorAnnotations(spec: BlueprintSpec, identity: WorkspaceIdentity) -> [String: String] {
        var annotations: [String: String] = [
            WorkspaceKeys.organizationAnnotation: identity.organization,
            WorkspaceKeys.recordSessionsAnnotation: spec.recordSessions ? "true" : "false",
            WorkspaceKeys.sshPortAnnotation: String(options.sshPort),
        ]
        if let cpu = spec.resources.cpuLimit { annotations[WorkspaceKeys.cpuAnnotation] = cpu.description }
        if let memory = spec.resources.memoryLimit { annotations[WorkspaceKeys.memoryAnnotation] = memory.description }
        if let idle = spec.idleTimeoutSeconds { annotations[WorkspaceKeys.idleTimeoutAnnotation] = String(idle) }
        return annotations
    }

    private func secret(
        name: String, identity: WorkspaceIdentity, labels: [String: String], annotations: [String: String] = [:],
        data: [String: String]
    ) -> JSONValue {
        [
            "apiVersion": "v1", "kind": "Secret", "type": "Opaque",
            "metadata": Self.metadata(name: name, namespace: identity.namespace, labels: labels, annotations: annotations),
            "data": .object(data.mapValues { .string(Data($0.utf8).base64EncodedString()) }),
        ]
    }
}
