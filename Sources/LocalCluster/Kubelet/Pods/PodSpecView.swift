import CubicleModel
import Foundation

/// The parts of a Pod object the kubelet acts on, read leniently: a malformed field counts as
/// absent rather than crashing anything.
struct PodSpecView: Sendable {
    /// How containers are restarted.
    enum RestartPolicy: String, Sendable {
        case always = "Always"
        case onFailure = "OnFailure"
        case never = "Never"
    }

    /// One container of the pod.
    struct Container: Sendable {
        var name: String
        var image: String
        var command: [String]
        var args: [String]
        var workingDir: String?
        var json: JSONValue

        /// `spec.containers{name}`, the fieldPath events about the container carry.
        var fieldPath: String { "spec.containers{\(name)}" }
    }

    let pod: JSONValue

    var namespace: String { pod.namespace }
    var name: String { pod.name }
    var uid: String { pod.uid }
    var nodeName: String { pod[path: ["spec", "nodeName"]]?.stringValue ?? "" }
    var isBeingDeleted: Bool { pod.isBeingDeleted }
    /// `name_namespace(uid)`, as kubelet messages name a pod.
    var qualifiedName: String { "\(name)_\(namespace)(\(uid))" }

    var restartPolicy: RestartPolicy {
        pod[path: ["spec", "restartPolicy"]]?.stringValue.flatMap(RestartPolicy.init(rawValue:)) ?? .always
    }

    var containers: [Container] {
        (pod[path: ["spec", "containers"]]?.arrayValue ?? []).compactMap { json in
            guard let name = json["name"]?.stringValue, !name.isEmpty else { return nil }
            return Container(
                name: name, image: json["image"]?.stringValue ?? "",
                command: json["command"]?.arrayValue?.compactMap(\.stringValue) ?? [],
                args: json["args"]?.arrayValue?.compactMap(\.stringValue) ?? [],
                workingDir: json["workingDir"]?.stringValue, json: json)
        }
    }

    var volumes: [JSONValue] { pod[path: ["spec", "volumes"]]?.arrayValue ?? [] }

    /// The pod's hostname: `spec.hostname`, else its name, as a lowercase DNS label.
    var hostname: String {
        let wanted = (pod[path: ["spec", "hostname"]]?.stringValue ?? name).lowercased()
        let cleaned = String(wanted.map { $0.isLetter || $0.isNumber || $0 == "-" ? $0 : "-" }.prefix(63))
        let trimmed = cleaned.trimmingCharacters(in: ["-"])
        return trimmed.isEmpty ? "pod" : trimmed
    }

    /// The grace period asked for by the deletion (else the spec's), in seconds.
    var gracePeriod: Double {
        let seconds = pod[path: ["metadata", "deletionGracePeriodSeconds"]]?.intValue
            ?? pod[path: ["spec", "terminationGracePeriodSeconds"]]?.intValue ?? 30
        return Double(max(0, seconds))
    }

    /// The address a previous run gave the pod, if any.
    var reportedPodIP: String? { pod[path: ["status", "podIP"]]?.stringValue }

    /// The previously reported start time, kept across kubelet restarts.
    var reportedStartTime: String? { pod[path: ["status", "startTime"]]?.stringValue }

    /// Restart counts reported before (so a kubelet restart does not reset them).
    var reportedRestartCounts: [String: Int] {
        var counts: [String: Int] = [:]
        for status in pod[path: ["status", "containerStatuses"]]?.arrayValue ?? [] {
            if let name = status["name"]?.stringValue, let count = status["restartCount"]?.intValue {
                counts[name] = Int(count)
            }
        }
        return counts
    }

    /// The uid and gid a container runs as (container securityContext over the pod's).
    func credentials(of container: Container) -> (uid: UInt32?, gid: UInt32?) {
        func value(_ key: String) -> UInt32? {
            let raw = container.json[path: ["securityContext", key]]?.intValue
                ?? pod[path: ["spec", "securityContext", key]]?.intValue
            return raw.flatMap { UInt32(exactly: $0) }
        }
        return (value("runAsUser"), value("runAsGroup"))
    }

    /// The container's resource limits, parsed; unparsable quantities are ignored.
    func limits(of container: Container) -> ResourceLimits {
        let limits = container.json[path: ["resources", "limits"]]
        let memory = limits?["memory"].flatMap(Self.quantity)?.bytes
        let cpu = limits?["cpu"].flatMap(Self.quantity)?.millicores
        return ResourceLimits(memoryBytes: memory, cpuMillicores: cpu)
    }

    private static func quantity(_ value: JSONValue) -> Quantity? {
        if let text = value.stringValue { return try? Quantity(text) }
        if let number = value.intValue { return try? Quantity(String(number)) }
        return nil
    }
}
