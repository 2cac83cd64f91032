import CubicleModel

/// Options of a list request.
public struct ListOptions: Sendable, Hashable {
    /// A label selector, e.g. `app.kubernetes.io/managed-by=cubicle,cubicle.dev/user in (alice)`.
    public var labelSelector: String?
    /// A field selector, e.g. `metadata.name=alice-59936c3`.
    public var fieldSelector: String?
    /// The page size; nil asks for everything at once.
    public var limit: Int?
    /// The continue token of the previous page.
    public var continueToken: String?
    /// The resourceVersion the list must be at least as fresh as.
    public var resourceVersion: String?

    /// Creates options.
    public init(
        labelSelector: String? = nil, fieldSelector: String? = nil, limit: Int? = nil, continueToken: String? = nil,
        resourceVersion: String? = nil
    ) {
        self.labelSelector = labelSelector
        self.fieldSelector = fieldSelector
        self.limit = limit
        self.continueToken = continueToken
        self.resourceVersion = resourceVersion
    }

    var queryItems: [(String, String)] {
        var items: [(String, String)] = []
        if let labelSelector, !labelSelector.isEmpty { items.append(("labelSelector", labelSelector)) }
        if let fieldSelector, !fieldSelector.isEmpty { items.append(("fieldSelector", fieldSelector)) }
        if let limit { items.append(("limit", String(limit))) }
        if let continueToken, !continueToken.isEmpty { items.append(("continue", continueToken)) }
        if let resourceVersion { items.append(("resourceVersion", resourceVersion)) }
        return items
    }
}

/// Options of a watch request.
public struct WatchOptions: Sendable, Hashable {
    /// Start after this resourceVersion; nil starts with synthetic ADDED events for what exists.
    public var resourceVersion: String?
    /// A label selector.
    public var labelSelector: String?
    /// A field selector.
    public var fieldSelector: String?
    /// Ask for BOOKMARK events so a resume point stays fresh on quiet collections.
    public var allowBookmarks: Bool
    /// Ask the server to end the stream after this many seconds.
    public var timeoutSeconds: Int?

    /// Creates options.
    public init(
        resourceVersion: String? = nil, labelSelector: String? = nil, fieldSelector: String? = nil, allowBookmarks: Bool = true,
        timeoutSeconds: Int? = nil
    ) {
        self.resourceVersion = resourceVersion
        self.labelSelector = labelSelector
        self.fieldSelector = fieldSelector
        self.allowBookmarks = allowBookmarks
        self.timeoutSeconds = timeoutSeconds
    }

    var queryItems: [(String, String)] {
        var items: [(String, String)] = [("watch", "1")]
        if let resourceVersion, !resourceVersion.isEmpty { items.append(("resourceVersion", resourceVersion)) }
        if let labelSelector, !labelSelector.isEmpty { items.append(("labelSelector", labelSelector)) }
        if let fieldSelector, !fieldSelector.isEmpty { items.append(("fieldSelector", fieldSelector)) }
        if allowBookmarks { items.append(("allowWatchBookmarks", "true")) }
        if let timeoutSeconds { items.append(("timeoutSeconds", String(timeoutSeconds))) }
        return items
    }
}

/// Options of create, update and merge-patch requests.
public struct WriteOptions: Sendable, Hashable {
    /// Validate and admit the request without persisting it (`dryRun=All`).
    public var dryRun: Bool
    /// The field manager recorded for the change; nil leaves it to the server.
    public var fieldManager: String?

    /// Creates options.
    public init(dryRun: Bool = false, fieldManager: String? = nil) {
        self.dryRun = dryRun
        self.fieldManager = fieldManager
    }

    var queryItems: [(String, String)] {
        var items: [(String, String)] = []
        if dryRun { items.append(("dryRun", "All")) }
        if let fieldManager { items.append(("fieldManager", fieldManager)) }
        return items
    }
}

/// Options of a server-side apply.
public struct ApplyOptions: Sendable, Hashable {
    /// The field manager that owns the applied fields.
    public var fieldManager: String
    /// Take ownership of fields another manager owns instead of failing with a conflict.
    public var force: Bool
    /// Validate and admit without persisting (`dryRun=All`).
    public var dryRun: Bool

    /// Creates options; Cubicle applies as field manager `cubicle`.
    public init(fieldManager: String = "cubicle", force: Bool = false, dryRun: Bool = false) {
        self.fieldManager = fieldManager
        self.force = force
        self.dryRun = dryRun
    }

    var queryItems: [(String, String)] {
        var items: [(String, String)] = [("fieldManager", fieldManager)]
        if force { items.append(("force", "true")) }
        if dryRun { items.append(("dryRun", "All")) }
        return items
    }
}

/// How dependents of a deleted object are handled.
public enum PropagationPolicy: String, Sendable, Hashable {
    /// Delete dependents in the background after the owner.
    case background = "Background"
    /// Delete dependents first; the owner waits with a finalizer.
    case foreground = "Foreground"
    /// Leave dependents in place.
    case orphan = "Orphan"
}

/// Options of delete and delete-collection requests.
public struct DeleteOptions: Sendable, Hashable {
    /// How dependents are handled.
    public var propagationPolicy: PropagationPolicy?
    /// The grace period; 0 deletes at once.
    public var gracePeriodSeconds: Int?
    /// Delete only if the object still has this uid.
    public var preconditionUID: String?
    /// Delete only if the object is still at this resourceVersion.
    public var preconditionResourceVersion: String?
    /// Validate without deleting (`dryRun=All`).
    public var dryRun: Bool

    /// Creates options.
    public init(
        propagationPolicy: PropagationPolicy? = nil, gracePeriodSeconds: Int? = nil, preconditionUID: String? = nil,
        preconditionResourceVersion: String? = nil, dryRun: Bool = false
    ) {
        self.propagationPolicy = propagationPolicy
        self.gracePeriodSeconds = gracePeriodSeconds
        self.preconditionUID = preconditionUID
        self.preconditionResourceVersion = preconditionResourceVersion
        self.dryRun = dryRun
    }

    /// The `DeleteOptions` body.
    var body: JSONValue {
        var members: [String: JSONValue] = ["apiVersion": "v1", "kind": "DeleteOptions"]
        if let propagationPolicy { members["propagationPolicy"] = .string(propagationPolicy.rawValue) }
        if let gracePeriodSeconds { members["gracePeriodSeconds"] = .int(Int64(gracePeriodSeconds)) }
        var preconditions: [String: JSONValue] = [:]
        if let preconditionUID { preconditions["uid"] = .string(preconditionUID) }
        if let preconditionResourceVersion { preconditions["resourceVersion"] = .string(preconditionResourceVersion) }
        if !preconditions.isEmpty { members["preconditions"] = .object(preconditions) }
        if dryRun { members["dryRun"] = ["All"] }
        return .object(members)
    }

    var queryItems: [(String, String)] { dryRun ? [("dryRun", "All")] : [] }
}
