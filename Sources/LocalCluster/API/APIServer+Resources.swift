import CubicleModel
import NIOHTTP1

/// The resource verbs: mapping method and path to a Kubernetes verb, then to the registry.
extension APIServer {
    func serveResource(
        _ route: ResourceRoute, _ request: HTTPRequest, _ target: RequestTarget, user: UserInfo
    ) throws(LocalClusterError) -> APIResponse {
        let watching = route.watchPath || target.flag("watch")
        let verb = try Self.verb(request.method, route, watching: watching)
        let resourceName = route.subresource.map { "\(route.resource.plural)/\($0.rawValue)" } ?? route.resource.plural
        try authorize(user, verb: verb, route, resourceName: resourceName)
        if access.isActive, verb == "patch", PatchType(contentType: request.header("content-type") ?? "") == .apply,
            (try? registry.get(route.resource, namespace: route.namespace ?? "", name: route.name ?? "")) == nil
        {
            // Server-side apply of an object that does not exist creates it.
            try authorize(user, verb: "create", route, resourceName: resourceName)
        }
        if let failure = faults.failure(verb: verb, resource: resourceName) { throw failure }
        guard let format = ResponseFormat(accept: request.header("accept")) else {
            throw .notAcceptable("application/json, application/json;as=Table;v=v1;g=meta.k8s.io")
        }
        let resource = route.resource
        let namespace = route.namespace ?? ""
        let context = WriteContext(
            manager: ManagedFields.managerName(
                fieldManager: target.parameter("fieldManager"), userAgent: request.header("user-agent")
            ),
            dryRun: try Self.dryRun(target)
        )
        switch verb {
        case "list":
            let page = try registry.list(resource, namespace: route.namespace, options: try listOptions(target, resource))
            return listResponse(page, resource, format: format, target: target)
        case "watch":
            var options = try listOptions(target, resource)
            if let name = route.name {
                options.fields = FieldSelector(terms: options.fields.terms + [.init(field: "metadata.name", value: name, negated: false)])
            }
            return try watchResponse(route, options: options, format: format, target: target)
        case "get":
            guard let name = route.name else { throw .methodNotAllowed }
            if route.subresource == .log {
                _ = try registry.get(resource, namespace: namespace, name: name)
                throw .badRequest("logs are not available for pod \"\(name)\": the embedded cluster does not keep container logs")
            }
            return objectResponse(try registry.get(resource, namespace: namespace, name: name), resource, format: format, target: target)
        case "create":
            let body = try Self.body(of: request)
            switch route.subresource {
            case .token:
                return try tokenRequest(namespace: namespace, name: route.name ?? "", body: body, dryRun: context.dryRun)
            case .binding:
                return try binding(namespace: namespace, name: route.name ?? "", body: body, context: context)
            default:
                let created = try registry.create(resource, namespace: namespace, body: body, context: context)
                return .json(.created, created)
            }
        case "update":
            let body = try Self.body(of: request)
            let updated = try registry.update(
                resource, namespace: namespace, name: route.name ?? "", body: body, statusOnly: route.subresource == .status,
                context: context
            )
            return .json(.ok, updated)
        case "patch":
            return try patchResponse(route, request, target, context: context)
        case "delete":
            let options = try deleteOptions(target, body: request.body)
            let outcome = try registry.delete(resource, namespace: namespace, name: route.name ?? "", options: options, dryRun: context.dryRun)
            return deleteResponse(outcome, resource)
        case "deletecollection":
            let options = try deleteOptions(target, body: request.body)
            let deleted = try registry.deleteCollection(
                resource, namespace: route.namespace, list: try listOptions(target, resource), options: options,
                dryRun: context.dryRun
            )
            return .json(.ok, listDocument(deleted, resource, metadata: ["resourceVersion": .string(String(registry.store.resourceVersion))]))
        default:
            throw .methodNotAllowed
        }
    }

    /// The Kubernetes verb of a method on a route, or 405.
    static func verb(_ method: HTTPMethod, _ route: ResourceRoute, watching: Bool) throws(LocalClusterError) -> String {
        let allNamespaces = route.resource.isNamespaced && route.namespace == nil
        switch (method, route.name, route.subresource) {
        case (.GET, nil, nil): return watching ? "watch" : "list"
        case (.GET, _?, _): return watching && route.subresource == nil ? "watch" : "get"
        case (.POST, nil, nil) where !allNamespaces: return "create"
        case (.POST, _?, .token?), (.POST, _?, .binding?): return "create"
        case (.PUT, _?, nil), (.PUT, _?, .status?): return "update"
        case (.PATCH, _?, nil), (.PATCH, _?, .status?): return "patch"
        case (.DELETE, _?, nil): return "delete"
        case (.DELETE, nil, nil) where !allNamespaces: return "deletecollection"
        default: throw .methodNotAllowed
        }
    }

    /// `dryRun=All` (the only value the API server accepts).
    static func dryRun(_ target: RequestTarget) throws(LocalClusterError) -> Bool {
        guard let values = target.query["dryRun"] else { return false }
        for value in values where value != "All" {
            throw .badRequest("dryRun: Unsupported value: \"\(value)\": supported values: \"All\"")
        }
        return !values.isEmpty
    }

    /// The request body as JSON: protobuf (the kinds kubectl sends that way), YAML, or JSON.
    static func body(of request: HTTPRequest) throws(LocalClusterError) -> JSONValue {
        if KubernetesProtobuf.isProtobuf(request.header("content-type")) { return try KubernetesProtobuf.decode(request.body) }
        return try BodyDecoder.decode(request.body, allowYAML: isYAML(request))
    }

    static func isYAML(_ request: HTTPRequest) -> Bool {
        (request.header("content-type") ?? "").lowercased().contains("yaml")
    }

    func listOptions(_ target: RequestTarget, _ resource: ResourceType) throws(LocalClusterError) -> ListOptions {
        var options = ListOptions()
        if let text = target.parameter("labelSelector") { options.labels = try LabelSelector.parse(text) }
        if let text = target.parameter("fieldSelector") { options.fields = try FieldSelector.parse(text, for: resource) }
        if let limit = try target.integer("limit") {
            guard limit >= 0 else { throw .badRequest("limit: Invalid value: \(limit): must be non-negative") }
            options.limit = Int(clamping: limit)
        }
        options.continueToken = target.parameter("continue")
        options.resourceVersion = target.parameter("resourceVersion")
        options.resourceVersionMatch = target.parameter("resourceVersionMatch")
        return options
    }

    func deleteOptions(_ target: RequestTarget, body: [UInt8]) throws(LocalClusterError) -> DeleteOptions {
        var options = DeleteOptions()
        options.gracePeriodSeconds = try target.integer("gracePeriodSeconds")
        options.propagationPolicy = target.parameter("propagationPolicy")
        if let orphan = target.parameter("orphanDependents"), options.propagationPolicy == nil {
            options.propagationPolicy = orphan == "true" ? "Orphan" : "Background"
        }
        if body.contains(where: { $0 != 0x20 && $0 != 0x0A && $0 != 0x0D && $0 != 0x09 }) {
            try options.merge(body: try BodyDecoder.decode(body, allowYAML: false))
        }
        return options
    }

    private func patchResponse(
        _ route: ResourceRoute, _ request: HTTPRequest, _ target: RequestTarget, context: WriteContext
    ) throws(LocalClusterError) -> APIResponse {
        let contentType = request.header("content-type") ?? ""
        guard let type = PatchType(contentType: contentType) else {
            throw .unsupportedMediaType(contentType, accepted: PatchType.allCases.map(\.rawValue))
        }
        if type == .apply && (target.parameter("fieldManager") ?? "").isEmpty {
            throw .badRequest(
                "PatchOptions.meta.k8s.io \"\" is invalid: fieldManager: Required value: is required for apply patch"
            )
        }
        let force = target.flag("force")
        if force && type != .apply {
            throw .badRequest("PatchOptions.meta.k8s.io \"\" is invalid: force: Forbidden: may not be specified for non-apply patch")
        }
        let document = try BodyDecoder.decode(request.body, allowYAML: type == .apply)
        let (object, created) = try registry.patch(
            route.resource, namespace: route.namespace ?? "", name: route.name ?? "",
            patch: Registry.Patch(type: type, document: document, force: force),
            statusOnly: route.subresource == .status, context: context
        )
        return .json(created ? .created : .ok, object)
    }

    private func deleteResponse(_ outcome: DeleteOutcome, _ resource: ResourceType) -> APIResponse {
        switch outcome {
        case .pending(let object):
            return .json(.ok, object)
        case .removed(let object):
            if resource == ResourceCatalog.pods { return .json(.ok, object) }
            return .json(.ok, [
                "kind": "Status", "apiVersion": "v1", "metadata": [:], "status": "Success",
                "details": [
                    "name": .string(object.name), "group": .string(resource.group), "kind": .string(resource.plural),
                    "uid": .string(object.uid),
                ],
            ])
        }
    }
}
