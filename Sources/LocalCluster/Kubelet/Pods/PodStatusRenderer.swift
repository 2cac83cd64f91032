import CubicleModel
import Foundation

/// Renders a pod's `status` from its lifecycle: phase, conditions, addresses and container
/// statuses. Condition transition times are kept across renders while a condition holds.
struct PodStatusRenderer: Sendable {
    /// When each condition last changed, and to what.
    private var transitions: [String: (value: Bool, time: String)] = [:]

    init(previous: JSONValue?) {
        for condition in previous?["conditions"]?.arrayValue ?? [] {
            guard let type = condition["type"]?.stringValue, let time = condition["lastTransitionTime"]?.stringValue else { continue }
            transitions[type] = (condition["status"]?.stringValue == "True", time)
        }
    }

    /// The pod's status now; nothing is ready until the sandbox runs.
    mutating func render(
        lifecycle: PodLifecycle, podIP: String?, startTime: String, sandboxReady: Bool, now: Date
    ) -> JSONValue {
        let stamp = RFC3339.string(from: now)
        let ready = sandboxReady && lifecycle.allReady && !lifecycle.terminating
        let notReady = lifecycle.containers.filter { !$0.ready }.map(\.name)
        var conditions: [JSONValue] = []
        conditions.append(condition("PodScheduled", true, stamp))
        conditions.append(condition("Initialized", true, stamp))
        let message = "containers with unready status: [\(notReady.joined(separator: " "))]"
        conditions.append(condition("ContainersReady", ready, stamp, reason: ready ? nil : "ContainersNotReady", message: ready ? nil : message))
        conditions.append(condition("Ready", ready, stamp, reason: ready ? nil : "ContainersNotReady", message: ready ? nil : message))

        var status: [String: JSONValue] = [
            "phase": .string(lifecycle.phase),
            "conditions": .array(conditions),
            "hostIP": "127.0.0.1",
            "hostIPs": [["ip": "127.0.0.1"]],
            "startTime": .string(startTime),
            "qosClass": .string(lifecycle.pod.pod[path: ["status", "qosClass"]]?.stringValue ?? "BestEffort"),
            "containerStatuses": .array(lifecycle.containers.map(Self.containerStatus)),
        ]
        if let podIP {
            status["podIP"] = .string(podIP)
            status["podIPs"] = [["ip": .string(podIP)]]
        }
        return .object(status)
    }

    private mutating func condition(
        _ type: String, _ value: Bool, _ now: String, reason: String? = nil, message: String? = nil
    ) -> JSONValue {
        let time: String
        if let previous = transitions[type], previous.value == value {
            time = previous.time
        } else {
            time = now
            transitions[type] = (value, now)
        }
        var members: [String: JSONValue] = [
            "type": .string(type), "status": value ? "True" : "False", "lastProbeTime": .null,
            "lastTransitionTime": .string(time),
        ]
        if let reason { members["reason"] = .string(reason) }
        if let message { members["message"] = .string(message) }
        return .object(members)
    }

    private static func containerStatus(_ track: ContainerTrack) -> JSONValue {
        var members: [String: JSONValue] = [
            "name": .string(track.name), "image": .string(track.image), "imageID": .string(imageID(track.image)),
            "ready": .bool(track.ready), "restartCount": .int(Int64(track.restartCount)),
            "started": .bool(track.isRunning),
            "state": state(track.state),
            "lastState": track.lastTermination.map { JSONValue.object(["terminated": terminated($0)]) } ?? .object([:]),
        ]
        if let id = track.containerID { members["containerID"] = .string(id) }
        return .object(members)
    }

    private static func state(_ state: ContainerTrack.State) -> JSONValue {
        switch state {
        case .waiting(let reason, let message):
            var waiting: [String: JSONValue] = ["reason": .string(reason)]
            if let message { waiting["message"] = .string(message) }
            return ["waiting": .object(waiting)]
        case .running(let startedAt):
            return ["running": ["startedAt": .string(RFC3339.string(from: startedAt))]]
        case .terminated(let end):
            return ["terminated": terminated(end)]
        }
    }

    private static func terminated(_ end: ContainerTrack.Termination) -> JSONValue {
        var members: [String: JSONValue] = [
            "exitCode": .int(Int64(end.exitCode)), "reason": .string(end.reason),
            "startedAt": .string(RFC3339.string(from: end.startedAt)),
            "finishedAt": .string(RFC3339.string(from: end.finishedAt)),
        ]
        if let signal = end.signal { members["signal"] = .int(Int64(signal)) }
        return .object(members)
    }

    /// The images are never pulled; the id names the image as the runtime would have it.
    private static func imageID(_ image: String) -> String {
        image.isEmpty ? "" : "cubicle-local://\(image)"
    }
}
