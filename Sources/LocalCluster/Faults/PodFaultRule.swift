import CubicleModel
import Foundation

/// A failure the kubelet should simulate for matching pods. The API server only stores and
/// serves these rules; the kubelet reads them through `PodFaultSource` and acts on them.
public struct PodFaultRule: Sendable, Hashable, Identifiable {
    /// What to simulate.
    public enum Fault: String, Sendable, CaseIterable {
        /// The image cannot be pulled (`ErrImagePull`, then `ImagePullBackOff`).
        case errImagePull = "ErrImagePull"
        /// The container exits at once, again and again.
        case crashLoopBackOff = "CrashLoopBackOff"
        /// The container is killed for exceeding its memory limit.
        case oomKilled = "OOMKilled"
        /// The pod is never started and stays Pending.
        case stayPending = "StayPending"

        /// Parses the wire name, case-insensitively (`stayPending` and `StayPending` both work).
        public init?(name: String) {
            guard let match = Self.allCases.first(where: { $0.rawValue.lowercased() == name.lowercased() }) else {
                return nil
            }
            self = match
        }
    }

    /// The rule's id, used to remove it.
    public let id: String
    /// What to simulate.
    public var fault: Fault
    /// Only pods in this namespace (nil: any).
    public var namespace: String?
    /// Only the pod with this name (nil: any).
    public var podName: String?
    /// Only pods whose labels match this selector (nil: any).
    public var labelSelector: String?
    /// Only this container (nil: every container).
    public var container: String?

    /// Creates a rule; at least one of `podName` and `labelSelector` should narrow it.
    public init(
        id: String = UUID().uuidString.lowercased(), fault: Fault, namespace: String? = nil, podName: String? = nil,
        labelSelector: String? = nil, container: String? = nil
    ) {
        self.id = id
        self.fault = fault
        self.namespace = namespace
        self.podName = podName
        self.labelSelector = labelSelector
        self.container = container
    }

    /// True when the rule applies to `pod`.
    public func matches(_ pod: JSONValue) -> Bool {
        if let namespace, namespace != pod.namespace { return false }
        if let podName, podName != pod.name { return false }
        if let labelSelector {
            guard let selector = try? LabelSelector.parse(labelSelector), selector.matches(pod.labels) else { return false }
        }
        return true
    }

    /// The rule as JSON (for the HTTP fault endpoints).
    public var json: JSONValue {
        var members: [String: JSONValue] = ["id": .string(id), "fault": .string(fault.rawValue)]
        if let namespace { members["namespace"] = .string(namespace) }
        if let podName { members["name"] = .string(podName) }
        if let labelSelector { members["labelSelector"] = .string(labelSelector) }
        if let container { members["container"] = .string(container) }
        return .object(members)
    }
}

/// Where the kubelet looks up simulated pod failures.
public protocol PodFaultSource: Sendable {
    /// The first rule that applies to `pod`, if any.
    func podFault(for pod: JSONValue) -> PodFaultRule?
}
