import CubicleModel

extension WorkspaceRenderer {
    /// PersistentVolumeClaims for `local` storages (one per workspace, retained on full delete
    /// when `retain`) and `shared` storages (one per id, never deleted with a workspace).
    func claims(
        spec: BlueprintSpec, identity: WorkspaceIdentity, names: WorkspaceObjectNames, labels: [String: String]
    ) -> [JSONValue] {
        var claims: [JSONValue] = []
        for name in spec.storages.keys.sorted() {
            guard let storage = spec.storages[name], storage.enabled, storage.type.isPersistent else { continue }
            var claimLabels: [String: String]
            let claimName: String
            if storage.type == .shared, let id = storage.id {
                claimName = WorkspaceObjectNames.sharedClaim(id: id)
                claimLabels = [Labels.managedBy: Labels.managedByValue, Labels.sharedID: DNSLabel.normalize(id)]
            } else {
                claimName = names.localClaim(storage: name)
                claimLabels = labels
                claimLabels.removeValue(forKey: Labels.jobID)
            }
            if storage.retain { claimLabels[Labels.retain] = "true" }
            claims.append([
                "apiVersion": "v1", "kind": "PersistentVolumeClaim",
                "metadata": Self.metadata(
                    name: claimName, namespace: identity.namespace, labels: claimLabels,
                    annotations: storage.claimSpecAnnotations),
                "spec": claimSpec(storage),
            ])
        }
        return claims
    }

    /// The claim spec, defaulting access mode and size.
    func claimSpec(_ storage: StorageSpec) -> JSONValue {
        var spec = storage.claimSpec ?? [:]
        if spec["accessModes"] == nil {
            spec["accessModes"] = storage.type == .shared ? ["ReadWriteMany"] : ["ReadWriteOnce"]
        }
        if spec[path: ["resources", "requests", "storage"]] == nil {
            spec.set(path: ["resources", "requests", "storage"], to: "1Gi")
        }
        return spec
    }

    /// The pod volume and mount of every enabled storage, in name order.
    func storageVolumes(spec: BlueprintSpec, names: WorkspaceObjectNames) -> (volumes: [JSONValue], mounts: [JSONValue]) {
        var volumes: [JSONValue] = []
        var mounts: [JSONValue] = []
        for name in spec.storages.keys.sorted() {
            guard let storage = spec.storages[name], storage.enabled else { continue }
            let volumeName = "vol-" + DNSLabel.normalize(name, maxLength: 50)
            var volume: JSONValue = ["name": .string(volumeName)]
            switch storage.type {
            case .local:
                volume["persistentVolumeClaim"] = ["claimName": .string(names.localClaim(storage: name))]
            case .shared:
                volume["persistentVolumeClaim"] = [
                    "claimName": .string(WorkspaceObjectNames.sharedClaim(id: storage.id ?? name))
                ]
            case .emptyDir, .memory:
                var emptyDir: JSONValue = [:]
                if storage.type == .memory { emptyDir["medium"] = "Memory" }
                if let limit = storage.sizeLimit { emptyDir["sizeLimit"] = .string(limit.description) }
                volume["emptyDir"] = emptyDir
            }
            volumes.append(volume)
            mounts.append([
                "name": .string(volumeName), "mountPath": .string(storage.path), "readOnly": .bool(storage.readOnly),
            ])
        }
        return (volumes, mounts)
    }
}
