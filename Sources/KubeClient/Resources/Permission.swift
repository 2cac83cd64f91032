/// One (verb, group, resource) pair an RBAC rule must grant for a request to pass.
public struct Permission: Hashable, Sendable, CustomStringConvertible {
    /// The verb.
    public var verb: Verb
    /// The API group; empty for the core group.
    public var group: String
    /// The resource as RBAC spells it, e.g. `pods` or `pods/status`.
    public var resource: String

    /// Creates a permission.
    public init(verb: Verb, group: String, resource: String) {
        self.verb = verb
        self.group = group
        self.resource = resource
    }

    /// The permission a request for `verb` on `resource` needs.
    public init(verb: Verb, resource: ResourceType) {
        self.init(verb: verb, group: resource.group, resource: resource.rbacResource)
    }

    /// `verb group/resource`.
    public var description: String { "\(verb) \(group.isEmpty ? "core" : group)/\(resource)" }
}

extension Permission {
    /// The verbs the generic typed and unstructured operations issue on a whole resource.
    public static let resourceVerbs: [Verb] = [.get, .list, .watch, .create, .update, .patch, .delete, .deletecollection]

    /// The verbs issued on each subresource: status is read, replaced and patched; tokens are created.
    public static let subresourceVerbs: [ResourceType: [Verb]] = [
        .podStatus: [.get, .update, .patch],
        .serviceAccountToken: [.create],
    ]

    /// Every permission the client's API can issue against the resources Cubicle uses. A later
    /// check compares this with the RBAC Role shipped in `manifests/`; the client's request
    /// observer lets tests prove no request falls outside it.
    public static let cubicleRequired: Set<Permission> = {
        var set = Set<Permission>()
        for resource in ResourceType.cubicleResources {
            for verb in resourceVerbs { set.insert(Permission(verb: verb, resource: resource)) }
        }
        for (resource, verbs) in subresourceVerbs {
            for verb in verbs { set.insert(Permission(verb: verb, resource: resource)) }
        }
        return set
    }()
}
