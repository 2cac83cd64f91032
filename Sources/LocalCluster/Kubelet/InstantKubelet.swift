import CubicleModel
import Foundation
import Synchronization

/// A kubelet that runs nothing: it binds each pod to the node, records the usual Events and
/// reports it Running and Ready at once on its own loopback address. It measures the control
/// plane alone (benchmarks) and drives provisioning tests that do not need a live workspace.
/// Fault rules still apply: `ErrImagePull`, `CrashLoopBackOff` and `OOMKilled` are reported as
/// a real kubelet would, and `StayPending` leaves the pod unscheduled.
public final class InstantKubelet: Sendable {
    private let api: any KubeletAPI
    private let time: any TimeSource
    private let addresses = Mutex(InstantAddressPool())
    private let startupDelay: Double
    private let delayed = Mutex<Set<String>>([])

    /// A kubelet over `api`; timestamps come from `time`. `startupDelay` seconds pass between
    /// binding a pod and reporting it Running (0: at once) — a stand-in for image pulls and
    /// container start, so tests can catch provisions in flight.
    public init(api: any KubeletAPI, time: any TimeSource = SystemTimeSource(), startupDelay: Double = 0) {
        self.api = api
        self.time = time
        self.startupDelay = max(0, startupDelay)
    }

    /// Follows every pod until cancelled or the cluster shuts down.
    public func run() async {
        for await change in api.watchPods(onNode: nil) {
            if Task.isCancelled { return }
            switch change.kind {
            case .added, .modified: handle(change.pod)
            case .deleted: release(change.pod)
            }
        }
    }

    private func handle(_ pod: JSONValue) {
        let namespace = pod.namespace, name = pod.name, uid = pod.uid
        if pod.isBeingDeleted {
            if pod[path: ["status", "phase"]]?.stringValue != "Succeeded" {
                _ = try? api.recordEvent(pod: pod, type: "Normal", reason: "Killing", message: "Stopping container", fieldPath: nil)
            }
            release(pod)
            try? api.finishPodDeletion(namespace: namespace, name: name, uid: uid)
            return
        }
        // A pod that already has an address (from before a restart) keeps it; nobody else gets it.
        if let ip = pod[path: ["status", "podIP"]]?.stringValue {
            addresses.withLock { $0.reserve(ip, for: "\(namespace)/\(name)") }
        }
        let fault = api.podFault(for: pod)
        if fault?.fault == .stayPending { return }
        guard pod[path: ["spec", "nodeName"]]?.stringValue == nil else {
            // Bound already (by us): report it once, unless it has a status.
            if pod[path: ["status", "phase"]]?.stringValue == nil || pod[path: ["status", "phase"]]?.stringValue == "Pending" {
                if pod[path: ["status", "podIP"]]?.stringValue == nil { schedule(pod, fault: fault?.fault) }
            }
            return
        }
        guard let bound = try? api.bindPod(namespace: namespace, name: name, node: api.nodeName) else { return }
        _ = try? api.recordEvent(
            pod: bound, type: "Normal", reason: "Scheduled",
            message: "Successfully assigned \(namespace)/\(name) to \(api.nodeName)", fieldPath: nil)
        schedule(bound, fault: fault?.fault)
    }

    /// Starts the pod now, or once after `startupDelay` (however many changes arrive meanwhile).
    private func schedule(_ pod: JSONValue, fault: PodFaultRule.Fault?) {
        guard startupDelay > 0 else { return start(pod, fault: fault) }
        let uid = pod.uid
        guard delayed.withLock({ $0.insert(uid).inserted }) else { return }
        Task { [self] in
            try? await time.sleep(seconds: startupDelay)
            delayed.withLock { _ = $0.remove(uid) }
            guard let current = api.pod(namespace: pod.namespace, name: pod.name), current.uid == uid,
                  !current.isBeingDeleted, current[path: ["status", "podIP"]]?.stringValue == nil
            else { return }
            start(current, fault: fault)
        }
    }

    private func start(_ pod: JSONValue, fault: PodFaultRule.Fault?) {
        let key = "\(pod.namespace)/\(pod.name)"
        guard let ip = addresses.withLock({ $0.address(for: key) }) else {
            _ = try? api.recordEvent(pod: pod, type: "Warning", reason: "FailedCreatePodSandBox", message: "no free pod address", fieldPath: nil)
            return
        }
        let now = RFC3339.string(from: time.now)
        let containers = pod[path: ["spec", "containers"]]?.arrayValue ?? []
        var statuses: [JSONValue] = []
        var ready = true
        for container in containers {
            let name = container["name"]?.stringValue ?? "main"
            let image = container["image"]?.stringValue ?? ""
            let field = "spec.containers{\(name)}"
            var state: JSONValue
            var restarts: Int64 = 0
            switch fault {
            case .errImagePull:
                _ = try? api.recordEvent(pod: pod, type: "Normal", reason: "Pulling", message: "Pulling image \"\(image)\"", fieldPath: field)
                _ = try? api.recordEvent(
                    pod: pod, type: "Warning", reason: "Failed",
                    message: "Failed to pull image \"\(image)\": simulated pull failure", fieldPath: field)
                _ = try? api.recordEvent(pod: pod, type: "Warning", reason: "Failed", message: "Error: ErrImagePull", fieldPath: field)
                state = ["waiting": ["reason": "ErrImagePull", "message": .string("failed to pull image \"\(image)\"")]]
                ready = false
            case .crashLoopBackOff:
                _ = try? api.recordEvent(pod: pod, type: "Normal", reason: "Pulled", message: "Container image \"\(image)\" already present on machine", fieldPath: field)
                _ = try? api.recordEvent(pod: pod, type: "Warning", reason: "BackOff", message: "Back-off restarting failed container \(name)", fieldPath: field)
                state = ["waiting": ["reason": "CrashLoopBackOff", "message": .string("back-off restarting failed container \(name)")]]
                restarts = 3
                ready = false
            case .oomKilled:
                _ = try? api.recordEvent(pod: pod, type: "Normal", reason: "Pulled", message: "Container image \"\(image)\" already present on machine", fieldPath: field)
                state = ["terminated": ["exitCode": 137, "reason": "OOMKilled", "startedAt": .string(now), "finishedAt": .string(now)]]
                ready = false
            case .stayPending, nil:
                _ = try? api.recordEvent(pod: pod, type: "Normal", reason: "Pulled", message: "Container image \"\(image)\" already present on machine", fieldPath: field)
                _ = try? api.recordEvent(pod: pod, type: "Normal", reason: "Created", message: "Created container \(name)", fieldPath: field)
                _ = try? api.recordEvent(pod: pod, type: "Normal", reason: "Started", message: "Started container \(name)", fieldPath: field)
                state = ["running": ["startedAt": .string(now)]]
            }
            statuses.append([
                "name": .string(name), "image": .string(image), "imageID": .string(image), "ready": .bool(state["running"] != nil),
                "started": .bool(state["running"] != nil), "restartCount": .int(restarts), "state": state,
            ])
        }
        let readyText: JSONValue = ready ? "True" : "False"
        let phase: JSONValue = fault == .oomKilled ? "Failed" : (ready ? "Running" : "Pending")
        let status: JSONValue = [
            "phase": phase, "hostIP": "127.0.0.1", "podIP": .string(ip), "podIPs": [["ip": .string(ip)]], "startTime": .string(now),
            "conditions": [
                ["type": "PodScheduled", "status": "True", "lastTransitionTime": .string(now)],
                ["type": "Initialized", "status": "True", "lastTransitionTime": .string(now)],
                ["type": "ContainersReady", "status": readyText, "lastTransitionTime": .string(now)],
                ["type": "Ready", "status": readyText, "lastTransitionTime": .string(now)],
            ],
            "containerStatuses": .array(statuses),
        ]
        _ = try? api.updatePodStatus(namespace: pod.namespace, name: pod.name, uid: pod.uid, status: status)
    }

    private func release(_ pod: JSONValue) {
        let key = "\(pod.namespace)/\(pod.name)"
        addresses.withLock { $0.release(key) }
    }
}

/// Loopback addresses `127.77.x.y` handed out one per pod and reused once released.
struct InstantAddressPool {
    private var assigned: [String: UInt32] = [:]
    private var used: Set<UInt32> = []
    private var next: UInt32 = 1

    /// The address of `key`, assigning a free one the first time; nil when all are taken.
    mutating func address(for key: String) -> String? {
        if let index = assigned[key] { return Self.text(index) }
        for _ in 0..<(254 * 254) {
            let candidate = next
            next = next >= 254 * 254 ? 1 : next + 1
            if !used.contains(candidate) {
                used.insert(candidate)
                assigned[key] = candidate
                return Self.text(candidate)
            }
        }
        return nil
    }

    /// Records that `key` holds `address` (ignored when it is not one of ours or already taken).
    mutating func reserve(_ address: String, for key: String) {
        let parts = address.split(separator: ".").compactMap { UInt32($0) }
        guard parts.count == 4, parts[0] == 127, parts[1] == 77, parts[3] >= 1, parts[3] <= 254, parts[2] < 254 else { return }
        let index = parts[2] * 254 + parts[3]
        guard assigned[key] == nil, !used.contains(index) else { return }
        used.insert(index)
        assigned[key] = index
    }

    /// Frees the address of `key`.
    mutating func release(_ key: String) {
        if let index = assigned.removeValue(forKey: key) { used.remove(index) }
    }

    private static func text(_ index: UInt32) -> String {
        let x = (index - 1) / 254, y = (index - 1) % 254 + 1
        return "127.77.\(x).\(y)"
    }
}
