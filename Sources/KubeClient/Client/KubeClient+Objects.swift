import CubicleModel

/// The shared request path under the typed and unstructured operations.
extension KubeClient {
    /// The namespace a single-object request goes to: explicit, else the document's, else the
    /// client's default; nil for cluster-scoped resources.
    func objectNamespace(_ resource: ResourceType, explicit: String?, document: JSONValue? = nil) -> String? {
        guard resource.namespaced else { return nil }
        if let explicit, !explicit.isEmpty { return explicit }
        if let own = document?[path: ["metadata", "namespace"]]?.stringValue, !own.isEmpty { return own }
        return namespace
    }

    /// The namespace a collection request goes to: explicit (empty = all namespaces), else the
    /// client's default; nil for cluster-scoped resources.
    func collectionNamespace(_ resource: ResourceType, explicit: String?) -> String? {
        guard resource.namespaced else { return nil }
        return explicit ?? namespace
    }

    func getObject<O>(_ coding: ObjectCoding<O>, name: String, namespace: String?) async throws -> O {
        try requireName(name, coding.resource)
        let request = APIRequest(
            verb: .get, resource: coding.resource, namespace: objectNamespace(coding.resource, explicit: namespace), name: name)
        return try coding.decode(try await sendForDocument(request))
    }

    func listPage<O>(_ coding: ObjectCoding<O>, namespace: String?, options: ListOptions) async throws -> ObjectList<O> {
        let request = APIRequest(
            verb: .list, resource: coding.resource, namespace: collectionNamespace(coding.resource, explicit: namespace),
            query: options.queryItems)
        let document = try await sendForDocument(request)
        let metadata = try document["metadata"].map { try KubeCodec.decode(ListMeta.self, from: $0.serialized(), context: "ListMeta") }
        let items = try (document["items"]?.arrayValue ?? []).map(coding.decode)
        return ObjectList(metadata: metadata ?? ListMeta(), items: items)
    }

    /// Lists every page by following `continue`; if a continue token expires midway (410), falls
    /// back to one unpaginated list so the result is still a consistent snapshot.
    func listAllPages<O>(_ coding: ObjectCoding<O>, namespace: String?, options: ListOptions) async throws -> ObjectList<O> {
        var options = options
        if options.limit == nil { options.limit = 500 }
        var first: ListMeta?
        var items: [O] = []
        while true {
            let page: ObjectList<O>
            do {
                page = try await listPage(coding, namespace: namespace, options: options)
            } catch let error as KubeError where error.isGone && options.continueToken != nil {
                logger.info("list continue token expired; listing again without pages", metadata: ["resource": "\(coding.resource)"])
                var whole = options
                whole.limit = nil
                whole.continueToken = nil
                return try await listPage(coding, namespace: namespace, options: whole)
            }
            if first == nil { first = page.metadata }
            items += page.items
            guard let next = page.continueToken, !next.isEmpty else { break }
            options.continueToken = next
        }
        var metadata = first ?? ListMeta()
        metadata.continueToken = nil
        metadata.remainingItemCount = nil
        return ObjectList(metadata: metadata, items: items)
    }

    func createObject<O>(_ coding: ObjectCoding<O>, document: JSONValue, namespace: String?, options: WriteOptions) async throws -> O {
        var request = APIRequest(
            verb: .create, resource: coding.resource, namespace: objectNamespace(coding.resource, explicit: namespace, document: document),
            query: options.queryItems)
        request.setJSON(document)
        return try coding.decode(try await sendForDocument(request))
    }

    func updateObject<O>(_ coding: ObjectCoding<O>, document: JSONValue, namespace: String?, options: WriteOptions) async throws -> O {
        let name = try documentName(document, coding.resource)
        var request = APIRequest(
            verb: .update, resource: coding.resource, namespace: objectNamespace(coding.resource, explicit: namespace, document: document),
            name: name, query: options.queryItems)
        request.setJSON(document)
        return try coding.decode(try await sendForDocument(request))
    }

    func patchObject<O>(
        _ coding: ObjectCoding<O>, name: String, namespace: String?, patch: JSONValue, contentType: String, query: [(String, String)]
    ) async throws -> O {
        try requireName(name, coding.resource)
        var request = APIRequest(
            verb: .patch, resource: coding.resource, namespace: objectNamespace(coding.resource, explicit: namespace), name: name,
            query: query)
        request.setJSON(patch, contentType: contentType)
        return try coding.decode(try await sendForDocument(request))
    }

    func applyObject<O>(_ coding: ObjectCoding<O>, document: JSONValue, namespace: String?, options: ApplyOptions) async throws -> O {
        let name = try documentName(document, coding.resource)
        return try await patchObject(
            coding, name: name, namespace: objectNamespace(coding.resource, explicit: namespace, document: document), patch: document,
            contentType: "application/apply-patch+yaml", query: options.queryItems)
    }

    func deleteObject(_ resource: ResourceType, name: String, namespace: String?, options: DeleteOptions) async throws {
        try requireName(name, resource)
        var request = APIRequest(
            verb: .delete, resource: resource, namespace: objectNamespace(resource, explicit: namespace), name: name,
            query: options.queryItems)
        request.setJSON(options.body)
        _ = try await sendForDocument(request)
    }

    func deleteCollection(_ resource: ResourceType, namespace: String?, selection: ListOptions, options: DeleteOptions) async throws {
        guard resource.subresource == nil else { throw KubeError.invalid("cannot delete a collection of \(resource.rbacResource)") }
        var request = APIRequest(
            verb: .deletecollection, resource: resource, namespace: objectNamespace(resource, explicit: namespace),
            query: selection.queryItems + options.queryItems)
        request.setJSON(options.body)
        _ = try await sendForDocument(request)
    }

    func watchObjects<O>(_ coding: ObjectCoding<O>, namespace: String?, options: WatchOptions) async throws -> WatchStream<O> {
        let request = APIRequest(
            verb: .watch, resource: coding.resource, namespace: collectionNamespace(coding.resource, explicit: namespace),
            query: options.queryItems)
        let response = try await send(request, streaming: true)
        return WatchStream(body: response.body, coding: coding)
    }

    private func requireName(_ name: String, _ resource: ResourceType) throws {
        guard !name.isEmpty else { throw KubeError.invalid("a \(resource.kind) request needs a name") }
    }

    private func documentName(_ document: JSONValue, _ resource: ResourceType) throws -> String {
        guard let name = document[path: ["metadata", "name"]]?.stringValue, !name.isEmpty else {
            throw KubeError.invalid("the \(resource.kind) has no metadata.name")
        }
        return name
    }
}
