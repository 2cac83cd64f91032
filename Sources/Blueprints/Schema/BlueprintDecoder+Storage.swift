import CubicleModel

extension BlueprintDecoder {
    /// Storage names become parts of volume and claim names.
    static let maximumStorageNameLength = 40

    mutating func decodeStorages(_ node: YAMLNode) -> [StorageRecipe] {
        guard let entries = node.entries else {
            fields.report(node, "expected a mapping of storage name to storage, got \(node.kindDescription)")
            return []
        }
        var storages: [StorageRecipe] = []
        var mountPaths: [String: BlueprintLocation] = [:]
        for entry in entries {
            if let problem = ValueRules.dnsLabel(maxLength: BlueprintDecoder.maximumStorageNameLength)(entry.key) {
                fields.report(at: entry.keyLocation, path: node.path.appending(entry.key), "storage name \(problem), got \(FieldType<String>.quoted(entry.key))")
                continue
            }
            if entry.value.isNull { continue }
            guard let storage = decodeStorage(entry.key, entry.value) else { continue }
            if let path = storage.path?.literal, storage.enabled?.literal != false, let pathNode = entry.value["path"] {
                if let first = mountPaths[path] {
                    fields.report(pathNode, "mount path \"\(path)\" is already used by another storage (at \(first))")
                }
                mountPaths[path] = pathNode.location
            }
            storages.append(storage)
        }
        return storages
    }

    private mutating func decodeStorage(_ name: String, _ node: YAMLNode) -> StorageRecipe? {
        guard let values = fields.fields(node, BlueprintSchema.storage) else { return nil }
        let path = FieldPath.root.appending("storages").appending(name)
        var storage = StorageRecipe(name: name)
        storage.enabled = values["enabled"].flatMap { fields.scalar($0, as: .bool(), field: path.appending("enabled")) }
        if let type = values["type"] {
            storage.type = fields.literal(type, as: .enumeration(), field: path.appending("type"))
        } else if concrete {
            fields.report(at: node.location, path: values.path(of: "type"), "required: one of \(StorageType.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        if let mount = values["path"] {
            storage.path = fields.scalar(mount, as: .string("an absolute path", rule: ValueRules.absolutePath), field: path.appending("path"))
        } else if concrete {
            fields.report(at: node.location, path: values.path(of: "path"), "required: the absolute mount path")
        }
        storage.readOnly = values["readonly"].flatMap { fields.scalar($0, as: .bool(), field: path.appending("readonly")) }
        storage.retain = values["retain"].flatMap { fields.scalar($0, as: .bool(), field: path.appending("retain")) }
        let persistent = storage.type?.isPersistent

        if let limit = values["sizeLimit"] {
            if persistent == true {
                fields.report(limit, "sizeLimit applies to emptyDir and memory storages only (size a \(storage.type?.rawValue ?? "") storage with claimSpec.resources.requests.storage)")
            } else {
                storage.sizeLimit = fields.scalar(limit, as: .quantity(rule: ValueRules.positiveQuantity), field: path.appending("sizeLimit"))
            }
        }
        if let claim = values["claimSpec"] {
            if persistent == false {
                fields.report(claim, "claimSpec applies to local and shared storages only")
            } else {
                storage.claimSpec = decodeClaimSpec(claim, field: path.appending("claimSpec"))
            }
        }
        if let annotations = values["claimSpecAnnotations"] {
            storage.claimSpecAnnotations = fields.map(
                annotations, keyRule: ValueRules.labelKey, of: .string(lenient: true), field: path.appending("claimSpecAnnotations")
            ) ?? []
        }
        if let id = values["id"] {
            if storage.type != nil, storage.type != .shared {
                fields.report(id, "id applies to shared storages only")
            } else {
                storage.id = fields.scalar(id, as: .string("a share id", rule: ValueRules.dnsLabel(maxLength: 63)), field: path.appending("id"))
            }
        } else if concrete, storage.type == .shared {
            fields.report(at: node.location, path: values.path(of: "id"), "required for a shared storage: workspaces with the same id share one volume")
        }
        return storage
    }

    /// A PersistentVolumeClaimSpec passed through, with the parts Cubicle can check checked now.
    private mutating func decodeClaimSpec(_ node: YAMLNode, field: FieldPath) -> JSONTemplate? {
        guard node.entries != nil else {
            fields.report(node, "expected a mapping (a Kubernetes PersistentVolumeClaimSpec), got \(node.kindDescription)")
            return nil
        }
        if let modes = node["accessModes"] {
            if let items = modes.items {
                for item in items {
                    if let mode = item.scalar, case .string = mode.kind, !ValueRules.accessModes.contains(mode.text) {
                        fields.report(item, "expected one of \(ValueRules.accessModes.sorted().joined(separator: ", ")), got \"\(mode.text)\"")
                    }
                }
            } else {
                fields.report(modes, "expected a list of access modes, got \(modes.kindDescription)")
            }
        }
        if let storage = node["resources"]?["requests"]?["storage"] {
            _ = fields.scalar(storage, as: .quantity(rule: ValueRules.positiveQuantity), field: field.appending("resources").appending("requests").appending("storage"))
        }
        return fields.json(node, field: field)
    }
}
