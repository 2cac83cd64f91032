import CubicleModel
import Foundation

/// Pods: defaults as the API server applies them, container validation, spec immutability, the
/// selectable fields kubelets and kubectl use, and the table kubectl prints.
struct PodStrategy: ResourceStrategy {
    func prepareForCreate(_ object: inout JSONValue) {
        object["status"] = [
            "phase": "Pending",
            "qosClass": .string(Self.qosClass(of: object)),
        ]
    }

    func applyDefaults(_ object: inout JSONValue) {
        guard var spec = object["spec"]?.objectValue else { return }
        if spec["restartPolicy"] == nil { spec["restartPolicy"] = "Always" }
        if spec["terminationGracePeriodSeconds"] == nil { spec["terminationGracePeriodSeconds"] = 30 }
        if spec["dnsPolicy"] == nil { spec["dnsPolicy"] = "ClusterFirst" }
        if spec["schedulerName"] == nil { spec["schedulerName"] = "default-scheduler" }
        for list in ["containers", "initContainers"] {
            guard let containers = spec[list]?.arrayValue else { continue }
            spec[list] = .array(containers.map(Self.defaultingContainer))
        }
        object["spec"] = .object(spec)
    }

    func validate(_ object: JSONValue) -> [FieldError] {
        guard let spec = object["spec"]?.objectValue else { return [.required("spec")] }
        var errors: [FieldError] = []
        let containers = spec["containers"]?.arrayValue ?? []
        if containers.isEmpty { errors.append(.required("spec.containers")) }
        var names: Set<String> = []
        for list in ["initContainers", "containers"] {
            for (index, container) in (spec[list]?.arrayValue ?? []).enumerated() {
                let path = "spec.\(list)[\(index)]"
                let name = container["name"]?.stringValue ?? ""
                if name.isEmpty {
                    errors.append(.required("\(path).name"))
                } else if let problem = Names.labelProblem(name) {
                    errors.append(.invalid("\(path).name", .string(name), problem))
                } else if !names.insert(name).inserted {
                    errors.append(.duplicate("\(path).name", .string(name)))
                }
                if (container["image"]?.stringValue ?? "").trimmingSpaces.isEmpty {
                    errors.append(.required("\(path).image"))
                }
            }
        }
        if let policy = spec["restartPolicy"], !["Always", "OnFailure", "Never"].contains(policy.stringValue ?? "") {
            errors.append(.notSupported("spec.restartPolicy", policy, ["Always", "OnFailure", "Never"]))
        }
        if let grace = spec["terminationGracePeriodSeconds"], grace.intValue == nil {
            errors.append(.invalid("spec.terminationGracePeriodSeconds", grace, "must be an integer"))
        }
        return errors
    }

    func validateUpdate(_ new: JSONValue, old: JSONValue) -> [FieldError] {
        if Self.mutableFieldsCleared(new["spec"]) != Self.mutableFieldsCleared(old["spec"]) {
            return [
                .forbidden(
                    "spec",
                    "pod updates may not change fields other than `spec.containers[*].image`,"
                        + "`spec.initContainers[*].image`,`spec.activeDeadlineSeconds`,"
                        + "`spec.tolerations` (only additions to existing tolerations),"
                        + "`spec.terminationGracePeriodSeconds` (allow it to be set to 1 if it was previously negative)"
                )
            ]
        }
        return []
    }

    func fieldValue(_ field: String, of object: JSONValue) -> String? {
        switch field {
        case "spec.nodeName", "spec.restartPolicy", "spec.schedulerName", "spec.serviceAccountName":
            return object[path: field.split(separator: ".").map(String.init)]?.stringValue ?? ""
        case "spec.hostNetwork":
            return (object[path: ["spec", "hostNetwork"]]?.boolValue ?? false) ? "true" : "false"
        case "status.phase", "status.podIP", "status.nominatedNodeName":
            return object[path: field.split(separator: ".").map(String.init)]?.stringValue ?? ""
        default:
            return metadataFieldValue(field, of: object)
        }
    }

    /// The spec with everything an update may change blanked out, for the immutability check.
    private static func mutableFieldsCleared(_ spec: JSONValue?) -> JSONValue? {
        guard var spec else { return nil }
        for list in ["containers", "initContainers"] {
            guard let containers = spec[list]?.arrayValue else { continue }
            spec[list] = .array(containers.map { container -> JSONValue in
                var copy = container
                copy["image"] = nil
                return copy
            })
        }
        for mutable in ["activeDeadlineSeconds", "tolerations", "schedulingGates", "terminationGracePeriodSeconds"] {
            spec[mutable] = nil
        }
        return spec
    }

    private static func defaultingContainer(_ container: JSONValue) -> JSONValue {
        guard var members = container.objectValue else { return container }
        if members["imagePullPolicy"] == nil, let image = members["image"]?.stringValue {
            let lastComponent = image.split(separator: "/").last.map(String.init) ?? image
            let tagged = lastComponent.contains(":") || image.contains("@")
            let latest = lastComponent.hasSuffix(":latest")
            members["imagePullPolicy"] = (tagged && !latest) ? "IfNotPresent" : "Always"
        }
        if members["terminationMessagePath"] == nil { members["terminationMessagePath"] = "/dev/termination-log" }
        if members["terminationMessagePolicy"] == nil { members["terminationMessagePolicy"] = "File" }
        return .object(members)
    }

    /// Guaranteed when every container's requests equal its limits for cpu and memory,
    /// BestEffort when no container asks for anything, Burstable otherwise.
    static func qosClass(of pod: JSONValue) -> String {
        let containers = (pod[path: ["spec", "containers"]]?.arrayValue ?? [])
            + (pod[path: ["spec", "initContainers"]]?.arrayValue ?? [])
        var anySet = false
        var guaranteed = !containers.isEmpty
        for container in containers {
            let requests = container[path: ["resources", "requests"]]?.objectValue ?? [:]
            let limits = container[path: ["resources", "limits"]]?.objectValue ?? [:]
            if !requests.isEmpty || !limits.isEmpty { anySet = true }
            for resource in ["cpu", "memory"] {
                guard let limit = limits[resource] else {
                    guaranteed = false
                    continue
                }
                if let request = requests[resource], request != limit { guaranteed = false }
            }
        }
        if !anySet { return "BestEffort" }
        return guaranteed ? "Guaranteed" : "Burstable"
    }
}
