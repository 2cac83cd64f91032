import CubicleModel
import Foundation

/// Services: default type, immutable `clusterIP`, the service table.
struct ServiceStrategy: ResourceStrategy {
    func prepareForCreate(_ object: inout JSONValue) {
        object["status"] = ["loadBalancer": [:]]
    }

    func applyDefaults(_ object: inout JSONValue) {
        if object["spec"]?.objectValue != nil, object[path: ["spec", "type"]] == nil {
            object.set(path: ["spec", "type"], to: "ClusterIP")
        }
    }

    func validateUpdate(_ new: JSONValue, old: JSONValue) -> [FieldError] {
        guard let oldIP = old[path: ["spec", "clusterIP"]], new[path: ["spec", "clusterIP"]] != oldIP else { return [] }
        return [.invalid("spec.clusterIP", new[path: ["spec", "clusterIP"]] ?? "", "field is immutable")]
    }

    var columns: [TableColumn] {
        [
            .name, TableColumn("Type", description: "Type determines how the Service is exposed."),
            TableColumn("Cluster-IP", description: "clusterIP is the IP address of the service."),
            TableColumn("External-IP", description: "externalIPs is a list of IP addresses."),
            TableColumn("Port(s)", description: "The list of ports that are exposed by this service."), .age,
            TableColumn("Selector", description: "Route service traffic to pods with label keys and values matching this selector.", priority: 1),
        ]
    }

    func cells(_ object: JSONValue, now: Date) -> [JSONValue] {
        let spec = object["spec"] ?? .object([:])
        let ports = (spec["ports"]?.arrayValue ?? []).map { port -> String in
            let number = port["port"]?.intValue.map(String.init) ?? "?"
            let node = port["nodePort"]?.intValue.map { ":\($0)" } ?? ""
            return "\(number)\(node)/\(port["protocol"]?.stringValue ?? "TCP")"
        }
        let selector = (spec["selector"]?.objectValue ?? [:]).sorted { $0.key < $1.key }
            .map { "\($0.key)=\($0.value.stringValue ?? "")" }
        let external = spec["externalIPs"]?.arrayValue?.compactMap(\.stringValue) ?? []
        return [
            .string(object.name), .string(spec["type"]?.stringValue ?? "ClusterIP"),
            .string(spec["clusterIP"]?.stringValue ?? "<none>"),
            .string(external.isEmpty ? "<none>" : external.joined(separator: ",")),
            .string(ports.isEmpty ? "<none>" : ports.joined(separator: ",")),
            .string(HumanDuration.age(of: object, now: now)),
            .string(selector.isEmpty ? "<none>" : selector.joined(separator: ",")),
        ]
    }
}

/// PersistentVolumeClaims: `Pending` on creation, a spec that only grows its storage request.
struct PersistentVolumeClaimStrategy: ResourceStrategy {
    func prepareForCreate(_ object: inout JSONValue) {
        object["status"] = ["phase": "Pending"]
    }

    func validateUpdate(_ new: JSONValue, old: JSONValue) -> [FieldError] {
        func frozen(_ claim: JSONValue) -> JSONValue? {
            var spec = claim["spec"]
            spec?.set(path: ["resources", "requests"], to: nil)
            spec?["volumeName"] = nil
            return spec
        }
        guard frozen(new) != frozen(old) else { return [] }
        return [.forbidden("spec", "spec is immutable after creation except resources.requests and volumeAttributesClassName for bound claims")]
    }

    var columns: [TableColumn] {
        [
            .name, TableColumn("Status", description: "The phase of the claim."),
            TableColumn("Volume", description: "The binding reference to the PersistentVolume backing this claim."),
            TableColumn("Capacity", description: "The actual resources of the underlying volume."),
            TableColumn("Access Modes", description: "The access modes of the volume."),
            TableColumn("StorageClass", description: "The name of the StorageClass required by the claim."), .age,
        ]
    }

    func cells(_ object: JSONValue, now: Date) -> [JSONValue] {
        let modes = (object[path: ["spec", "accessModes"]]?.arrayValue ?? []).compactMap(\.stringValue).map { mode in
            switch mode {
            case "ReadWriteOnce": "RWO"
            case "ReadOnlyMany": "ROX"
            case "ReadWriteMany": "RWX"
            case "ReadWriteOncePod": "RWOP"
            default: mode
            }
        }
        return [
            .string(object.name), .string(object[path: ["status", "phase"]]?.stringValue ?? ""),
            .string(object[path: ["spec", "volumeName"]]?.stringValue ?? ""),
            .string(object[path: ["status", "capacity", "storage"]]?.stringValue ?? ""),
            .string(modes.joined(separator: ",")),
            .string(object[path: ["spec", "storageClassName"]]?.stringValue ?? "<unset>"),
            .string(HumanDuration.age(of: object, now: now)),
        ]
    }
}

/// Deployments: an immutable selector and the READY / UP-TO-DATE / AVAILABLE columns.
struct DeploymentStrategy: ResourceStrategy {
    func validateUpdate(_ new: JSONValue, old: JSONValue) -> [FieldError] {
        guard let selector = old[path: ["spec", "selector"]], new[path: ["spec", "selector"]] != selector else { return [] }
        return [.invalid("spec.selector", new[path: ["spec", "selector"]] ?? .null, "field is immutable")]
    }

    var columns: [TableColumn] {
        [
            .name, TableColumn("Ready", description: "Number of the pod with ready state"),
            TableColumn("Up-to-date", type: "integer", description: "Total number of non-terminated pods targeted by this deployment that have the desired template spec."),
            TableColumn("Available", type: "integer", description: "Total number of available pods (ready for at least minReadySeconds) targeted by this deployment."),
            .age,
        ]
    }

    func cells(_ object: JSONValue, now: Date) -> [JSONValue] {
        let status = object["status"] ?? .object([:])
        let desired = object[path: ["spec", "replicas"]]?.intValue ?? 1
        return [
            .string(object.name), .string("\(status["readyReplicas"]?.intValue ?? 0)/\(desired)"),
            .int(status["updatedReplicas"]?.intValue ?? 0), .int(status["availableReplicas"]?.intValue ?? 0),
            .string(HumanDuration.age(of: object, now: now)),
        ]
    }
}
