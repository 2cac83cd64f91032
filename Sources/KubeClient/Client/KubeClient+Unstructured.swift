import CubicleModel

/// Unstructured operations on `JSONValue` documents of a `ResourceType` given at runtime; the
/// provisioner applies rendered object sets of several kinds through these. Where `resource` is
/// optional it is resolved from the document's `apiVersion` and `kind` among
/// `ResourceType.cubicleResources`.
extension KubeClient {
    /// Reads one object.
    public func get(_ resource: ResourceType, name: String, namespace: String? = nil) async throws -> JSONValue {
        try await getObject(.unstructured(resource), name: name, namespace: namespace)
    }

    /// Reads one page of a collection (`KubeClient.allNamespaces` lists across namespaces).
    public func list(_ resource: ResourceType, namespace: String? = nil, options: ListOptions = ListOptions()) async throws
        -> ObjectList<JSONValue>
    {
        try await listPage(.unstructured(resource), namespace: namespace, options: options)
    }

    /// Reads a whole collection, following `continue` tokens to the last page.
    public func listAll(_ resource: ResourceType, namespace: String? = nil, options: ListOptions = ListOptions()) async throws
        -> ObjectList<JSONValue>
    {
        try await listAllPages(.unstructured(resource), namespace: namespace, options: options)
    }

    /// Creates an object.
    public func create(_ object: JSONValue, resource: ResourceType? = nil, namespace: String? = nil, options: WriteOptions = WriteOptions())
        async throws -> JSONValue
    {
        let resource = try resolve(resource, for: object)
        return try await createObject(.unstructured(resource), document: filled(object, resource), namespace: namespace, options: options)
    }

    /// Replaces an object (PUT); a stale `metadata.resourceVersion` fails with 409 `conflict`.
    public func update(_ object: JSONValue, resource: ResourceType? = nil, namespace: String? = nil, options: WriteOptions = WriteOptions())
        async throws -> JSONValue
    {
        let resource = try resolve(resource, for: object)
        return try await updateObject(.unstructured(resource), document: filled(object, resource), namespace: namespace, options: options)
    }

    /// Applies a JSON merge patch (RFC 7386).
    public func mergePatch(
        _ resource: ResourceType, name: String, namespace: String? = nil, patch: JSONValue, options: WriteOptions = WriteOptions()
    ) async throws -> JSONValue {
        try await patchObject(
            .unstructured(resource), name: name, namespace: namespace, patch: patch, contentType: "application/merge-patch+json",
            query: options.queryItems)
    }

    /// Server-side applies the document as field manager `options.fieldManager`.
    public func apply(_ object: JSONValue, resource: ResourceType? = nil, namespace: String? = nil, options: ApplyOptions = ApplyOptions())
        async throws -> JSONValue
    {
        let resource = try resolve(resource, for: object)
        return try await applyObject(.unstructured(resource), document: filled(object, resource), namespace: namespace, options: options)
    }

    /// Deletes an object.
    public func delete(_ resource: ResourceType, name: String, namespace: String? = nil, options: DeleteOptions = DeleteOptions()) async throws {
        try await deleteObject(resource, name: name, namespace: namespace, options: options)
    }

    /// Deletes every object of a collection matching `labelSelector`.
    public func deleteCollection(
        _ resource: ResourceType, namespace: String? = nil, labelSelector: String, options: DeleteOptions = DeleteOptions()
    ) async throws {
        try await deleteCollection(resource, namespace: namespace, selection: ListOptions(labelSelector: labelSelector), options: options)
    }

    /// Opens one watch request.
    public func watch(_ resource: ResourceType, namespace: String? = nil, options: WatchOptions = WatchOptions()) async throws
        -> WatchStream<JSONValue>
    {
        try await watchObjects(.unstructured(resource), namespace: namespace, options: options)
    }

    /// Lists, then watches with resume and relist-on-410.
    public func listWatch(_ resource: ResourceType, namespace: String? = nil, options: ListWatchOptions = ListWatchOptions())
        -> ListWatch<JSONValue>
    {
        ListWatch(client: self, coding: .unstructured(resource), namespace: namespace, options: options)
    }

    private func resolve(_ resource: ResourceType?, for object: JSONValue) throws -> ResourceType {
        if let resource { return resource }
        let apiVersion = object["apiVersion"]?.stringValue ?? ""
        let kind = object["kind"]?.stringValue ?? ""
        guard let found = ResourceType.registered(apiVersion: apiVersion, kind: kind) else {
            throw KubeError.invalid("no known resource for apiVersion \"\(apiVersion)\" kind \"\(kind)\"; pass the ResourceType")
        }
        return found
    }

    private func filled(_ object: JSONValue, _ resource: ResourceType) throws -> JSONValue {
        guard object.objectValue != nil else { throw KubeError.invalid("a \(resource.kind) must be a JSON object") }
        var document = object
        KubeCodec.fillTypeMeta(&document, resource: resource)
        return document
    }
}
