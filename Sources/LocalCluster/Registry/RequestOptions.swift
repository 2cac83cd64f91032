import CubicleModel
import Foundation

/// Who writes and how: the field manager, dry-run, and the time stamped on the change.
struct WriteContext: Sendable {
    /// The field manager recorded in `managedFields`.
    var manager: String
    /// `dryRun=All`: validate and compute, persist nothing.
    var dryRun: Bool = false
}

/// The options of a list (and of a watch's selection).
struct ListOptions: Sendable {
    var labels: LabelSelector = .everything
    var fields: FieldSelector = .everything
    /// At most this many items per page.
    var limit: Int?
    /// The opaque token of the previous page.
    var continueToken: String?
    /// `resourceVersion`: unset or `0` means the latest state; a number with `resourceVersionMatch=Exact` a snapshot.
    var resourceVersion: String?
    var resourceVersionMatch: String?
}

/// The options of a delete: grace period, propagation and preconditions.
struct DeleteOptions: Sendable {
    var gracePeriodSeconds: Int64?
    var propagationPolicy: String?
    var preconditionUID: String?
    var preconditionResourceVersion: String?

    /// The propagation policies the API server accepts.
    static let policies = ["Orphan", "Background", "Foreground"]

    /// Reads a `DeleteOptions` body (JSON), letting query parameters already set win.
    mutating func merge(body: JSONValue) throws(LocalClusterError) {
        guard let members = body.objectValue else { throw .badRequest("the DeleteOptions body must be a JSON object") }
        if gracePeriodSeconds == nil, let grace = members["gracePeriodSeconds"], !grace.isNull {
            guard let value = grace.intValue else { throw .badRequest("gracePeriodSeconds must be an integer") }
            gracePeriodSeconds = value
        }
        if propagationPolicy == nil { propagationPolicy = members["propagationPolicy"]?.stringValue }
        if propagationPolicy == nil, let orphan = members["orphanDependents"]?.boolValue {
            propagationPolicy = orphan ? "Orphan" : "Background"
        }
        if let preconditions = members["preconditions"]?.objectValue {
            preconditionUID = preconditions["uid"]?.stringValue ?? preconditionUID
            preconditionResourceVersion = preconditions["resourceVersion"]?.stringValue ?? preconditionResourceVersion
        }
    }

    /// Throws 400 for an unknown propagation policy or a negative grace period.
    func validate() throws(LocalClusterError) {
        if let policy = propagationPolicy, !Self.policies.contains(policy) {
            throw .badRequest("propagationPolicy: Unsupported value: \"\(policy)\": supported values: \"Orphan\", \"Background\", \"Foreground\"")
        }
        if let grace = gracePeriodSeconds, grace < 0 {
            throw .badRequest("gracePeriodSeconds: Invalid value: \(grace): must be greater than or equal to 0")
        }
    }
}

/// The patch formats the API server accepts, by `Content-Type`.
enum PatchType: String, Sendable, CaseIterable {
    case json = "application/json-patch+json"
    case merge = "application/merge-patch+json"
    case strategic = "application/strategic-merge-patch+json"
    case apply = "application/apply-patch+yaml"

    /// The patch type of a `Content-Type` header (parameters ignored), or nil.
    init?(contentType: String) {
        let base = contentType.split(separator: ";").first.map { String($0).trimmingSpaces.lowercased() } ?? ""
        if base == "application/apply-patch+json" {
            self = .apply
            return
        }
        self.init(rawValue: base)
    }
}

/// The result of a delete: removed now, or marked for deletion and still present.
enum DeleteOutcome: Sendable {
    case removed(JSONValue)
    case pending(JSONValue)

    /// The object as the response returns it.
    var object: JSONValue {
        switch self {
        case .removed(let object), .pending(let object): object
        }
    }
}

/// One page of a list.
struct ListPage: Sendable {
    var items: [JSONValue]
    var resourceVersion: Int64
    var continueToken: String?
    var remainingItemCount: Int?
}
