import CubicleModel
import Foundation

/// The pod table as `kubectl get pods` prints it, with the STATUS column derived the way kubectl
/// shows it (Pending, ContainerCreating, Running, Completed, CrashLoopBackOff, Terminating, ...).
extension PodStrategy {
    var columns: [TableColumn] {
        [
            .name,
            TableColumn("Ready", description: "The aggregate readiness state of this pod for accepting traffic."),
            TableColumn("Status", description: "The aggregate status of the containers in this pod."),
            TableColumn(
                "Restarts",
                description: "The number of times the containers in this pod have been restarted and when the last container in this pod has restarted."
            ),
            .age,
            TableColumn(
                "IP", description: "IP address allocated to the pod. Routable at least within the cluster. Empty if not yet allocated.",
                priority: 1
            ),
            TableColumn("Node", description: "NodeName is a request to schedule this pod onto a specific node.", priority: 1),
            TableColumn(
                "Nominated Node", description: "nominatedNodeName is set when this pod preempts other pods on the node.",
                priority: 1
            ),
            TableColumn("Readiness Gates", description: "If specified, all readiness gates will be evaluated for pod readiness.", priority: 1),
        ]
    }

    func cells(_ object: JSONValue, now: Date) -> [JSONValue] {
        let summary = PodSummary(object)
        let ip = object[path: ["status", "podIP"]]?.stringValue ?? ""
        let node = object[path: ["spec", "nodeName"]]?.stringValue ?? ""
        let nominated = object[path: ["status", "nominatedNodeName"]]?.stringValue ?? ""
        let gates = object[path: ["spec", "readinessGates"]]?.arrayValue ?? []
        var restarts = String(summary.restarts)
        if summary.restarts > 0, let last = summary.lastRestart {
            restarts += " (\(HumanDuration.since(last, now: now)) ago)"
        }
        let gateCell: String
        if gates.isEmpty {
            gateCell = "<none>"
        } else {
            let conditions = object[path: ["status", "conditions"]]?.arrayValue ?? []
            let passed = gates.filter { gate in
                conditions.contains {
                    $0["type"] == gate["conditionType"] && $0["status"]?.stringValue == "True"
                }
            }.count
            gateCell = "\(passed)/\(gates.count)"
        }
        return [
            .string(object.name),
            .string("\(summary.readyContainers)/\(summary.totalContainers)"),
            .string(summary.reason),
            .string(restarts),
            .string(HumanDuration.age(of: object, now: now)),
            .string(ip.isEmpty ? "<none>" : ip),
            .string(node.isEmpty ? "<none>" : node),
            .string(nominated.isEmpty ? "<none>" : nominated),
            .string(gateCell),
        ]
    }
}

/// The READY, STATUS and RESTARTS facts of one pod.
struct PodSummary {
    var reason: String
    var readyContainers = 0
    var totalContainers: Int
    var restarts: Int64 = 0
    var lastRestart: String?

    init(_ pod: JSONValue) {
        let status = pod["status"] ?? .object([:])
        let phase = status["phase"]?.stringValue ?? ""
        totalContainers = pod[path: ["spec", "containers"]]?.arrayValue?.count ?? 0
        reason = status["reason"]?.stringValue ?? phase
        let initSpecs = pod[path: ["spec", "initContainers"]]?.arrayValue ?? []
        let initialising = summarizeInit(status["initContainerStatuses"]?.arrayValue ?? [], specCount: initSpecs.count)
        let initialized = (status["conditions"]?.arrayValue ?? []).contains {
            $0["type"]?.stringValue == "Initialized" && $0["status"]?.stringValue == "True"
        }
        if !initialising || initialized { summarizeContainers(status) }
        if pod.isBeingDeleted {
            if status["reason"]?.stringValue == "NodeLost" {
                reason = "Unknown"
            } else if phase != "Succeeded" && phase != "Failed" {
                reason = "Terminating"
            }
        }
    }

    /// Applies init container states; returns true while initialisation is still in progress or failed.
    private mutating func summarizeInit(_ statuses: [JSONValue], specCount: Int) -> Bool {
        for (index, container) in statuses.enumerated() {
            restarts += container["restartCount"]?.intValue ?? 0
            noteRestart(container)
            let state = container["state"] ?? .object([:])
            if let terminated = state["terminated"], terminated.objectValue != nil {
                if terminated["exitCode"]?.intValue == 0 { continue }
                if let why = terminated["reason"]?.stringValue, !why.isEmpty {
                    reason = "Init:" + why
                } else if let signal = terminated["signal"]?.intValue, signal != 0 {
                    reason = "Init:Signal:\(signal)"
                } else {
                    reason = "Init:ExitCode:\(terminated["exitCode"]?.intValue ?? 0)"
                }
                return true
            }
            if let why = state[path: ["waiting", "reason"]]?.stringValue, !why.isEmpty, why != "PodInitializing" {
                reason = "Init:" + why
                return true
            }
            if state["running"] != nil, container["started"]?.boolValue == true {
                continue
            }
            reason = "Init:\(index)/\(specCount)"
            return true
        }
        return false
    }

    private mutating func summarizeContainers(_ status: JSONValue) {
        restarts = 0
        var hasRunning = false
        for container in (status["containerStatuses"]?.arrayValue ?? []).reversed() {
            restarts += container["restartCount"]?.intValue ?? 0
            noteRestart(container)
            let state = container["state"] ?? .object([:])
            if let why = state[path: ["waiting", "reason"]]?.stringValue, !why.isEmpty {
                reason = why
            } else if let terminated = state["terminated"], terminated.objectValue != nil {
                if let why = terminated["reason"]?.stringValue, !why.isEmpty {
                    reason = why
                } else if let signal = terminated["signal"]?.intValue, signal != 0 {
                    reason = "Signal:\(signal)"
                } else {
                    reason = "ExitCode:\(terminated["exitCode"]?.intValue ?? 0)"
                }
            } else if container["ready"]?.boolValue == true, state["running"] != nil {
                hasRunning = true
                readyContainers += 1
            }
        }
        if reason == "Completed" && hasRunning {
            let ready = (status["conditions"]?.arrayValue ?? []).contains {
                $0["type"]?.stringValue == "Ready" && $0["status"]?.stringValue == "True"
            }
            reason = ready ? "Running" : "NotReady"
        }
    }

    private mutating func noteRestart(_ container: JSONValue) {
        guard let finished = container[path: ["lastState", "terminated", "finishedAt"]]?.stringValue else { return }
        if lastRestart.map({ finished > $0 }) ?? true { lastRestart = finished }
    }
}
