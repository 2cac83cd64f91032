import CubicleModel
import Foundation

/// Namespaces: `Active` on creation, a STATUS column, `status.phase` selectable.
struct NamespaceStrategy: ResourceStrategy {
    func prepareForCreate(_ object: inout JSONValue) {
        object["status"] = ["phase": "Active"]
    }

    func fieldValue(_ field: String, of object: JSONValue) -> String? {
        field == "status.phase"
            ? (object[path: ["status", "phase"]]?.stringValue ?? "") : metadataFieldValue(field, of: object)
    }

    var columns: [TableColumn] {
        [.name, TableColumn("Status", description: "The status of the namespace"), .age]
    }

    func cells(_ object: JSONValue, now: Date) -> [JSONValue] {
        [
            .string(object.name), .string(object[path: ["status", "phase"]]?.stringValue ?? ""),
            .string(HumanDuration.age(of: object, now: now)),
        ]
    }
}

/// Nodes: the table `kubectl get nodes` prints.
struct NodeStrategy: ResourceStrategy {
    func fieldValue(_ field: String, of object: JSONValue) -> String? {
        field == "spec.unschedulable"
            ? ((object[path: ["spec", "unschedulable"]]?.boolValue ?? false) ? "true" : "false")
            : metadataFieldValue(field, of: object)
    }

    var columns: [TableColumn] {
        [
            .name, TableColumn("Status", description: "The status of the node"),
            TableColumn("Roles", description: "The roles of the node"), .age,
            TableColumn("Version", description: "Kubelet Version reported by the node."),
            TableColumn("Internal-IP", description: "List of addresses reachable to the node.", priority: 1),
            TableColumn("OS-Image", description: "OS Image reported by the node.", priority: 1),
            TableColumn("Kernel-Version", description: "Kernel Version reported by the node.", priority: 1),
        ]
    }

    func cells(_ object: JSONValue, now: Date) -> [JSONValue] {
        let ready = (object[path: ["status", "conditions"]]?.arrayValue ?? []).first { $0["type"]?.stringValue == "Ready" }
        var status = ready?["status"]?.stringValue == "True" ? "Ready" : (ready == nil ? "Unknown" : "NotReady")
        if object[path: ["spec", "unschedulable"]]?.boolValue == true { status += ",SchedulingDisabled" }
        let roles = object.labels.keys.compactMap { key -> String? in
            guard key.hasPrefix("node-role.kubernetes.io/") else { return nil }
            return String(key.dropFirst("node-role.kubernetes.io/".count))
        }.sorted()
        let internalIP = (object[path: ["status", "addresses"]]?.arrayValue ?? [])
            .first { $0["type"]?.stringValue == "InternalIP" }?["address"]?.stringValue
        let info = object[path: ["status", "nodeInfo"]]
        return [
            .string(object.name), .string(status), .string(roles.isEmpty ? "<none>" : roles.joined(separator: ",")),
            .string(HumanDuration.age(of: object, now: now)),
            .string(info?["kubeletVersion"]?.stringValue ?? ""),
            .string(internalIP ?? "<none>"),
            .string(info?["osImage"]?.stringValue ?? "<unknown>"),
            .string(info?["kernelVersion"]?.stringValue ?? "<unknown>"),
        ]
    }
}

/// ServiceAccounts: the SECRETS column.
struct ServiceAccountStrategy: ResourceStrategy {
    var columns: [TableColumn] {
        [.name, TableColumn("Secrets", type: "integer", description: "Secrets is a list of the secrets in the same namespace."), .age]
    }

    func cells(_ object: JSONValue, now: Date) -> [JSONValue] {
        [
            .string(object.name), .int(Int64(object["secrets"]?.arrayValue?.count ?? 0)),
            .string(HumanDuration.age(of: object, now: now)),
        ]
    }
}

/// Events: the selectable fields `kubectl events` and controllers use, and the event table.
struct EventStrategy: ResourceStrategy {
    func fieldValue(_ field: String, of object: JSONValue) -> String? {
        switch field {
        case "involvedObject.kind", "involvedObject.namespace", "involvedObject.name", "involvedObject.uid",
            "involvedObject.apiVersion", "involvedObject.resourceVersion", "involvedObject.fieldPath", "reason",
            "reportingComponent", "type":
            return object[path: field.split(separator: ".").map(String.init)]?.stringValue ?? ""
        case "source":
            return object[path: ["source", "component"]]?.stringValue ?? ""
        default:
            return metadataFieldValue(field, of: object)
        }
    }

    var columns: [TableColumn] {
        [
            TableColumn("Last Seen", description: "Time when last this event was observed."),
            TableColumn("Type", description: "Type of this event (Normal, Warning)."),
            TableColumn("Reason", description: "This should be a short, machine understandable string."),
            TableColumn("Object", description: "The object that this event is about."),
            TableColumn("Message", description: "A human-readable description of the status of this operation."),
            TableColumn("Name", format: "name", description: "The name of the event.", priority: 1),
        ]
    }

    func cells(_ object: JSONValue, now: Date) -> [JSONValue] {
        let seen = object["lastTimestamp"]?.stringValue ?? object["eventTime"]?.stringValue
            ?? object[path: ["metadata", "creationTimestamp"]]?.stringValue
        let involved = object["involvedObject"] ?? .object([:])
        let kind = (involved["kind"]?.stringValue ?? "").lowercased()
        return [
            .string(HumanDuration.since(seen, now: now)),
            .string(object["type"]?.stringValue ?? ""),
            .string(object["reason"]?.stringValue ?? ""),
            .string("\(kind)/\(involved["name"]?.stringValue ?? "")"),
            .string(object["message"]?.stringValue ?? ""),
            .string(object.name),
        ]
    }
}
