import CubicleModel

/// Typed operations on `KubeObject` types. Writes keep fields the type does not model (see
/// `KubeCodec`). `namespace` defaults to the object's own, then to the client's.
extension KubeClient {
    /// Reads one object.
    public func get<T: KubeObject>(_ type: T.Type, name: String, namespace: String? = nil) async throws -> T {
        try await getObject(.typed, name: name, namespace: namespace)
    }

    /// Reads one page of a collection (`KubeClient.allNamespaces` lists across namespaces).
    public func list<T: KubeObject>(_ type: T.Type, namespace: String? = nil, options: ListOptions = ListOptions()) async throws
        -> ObjectList<T>
    {
        try await listPage(.typed, namespace: namespace, options: options)
    }

    /// Reads a whole collection, following `continue` tokens to the last page.
    public func listAll<T: KubeObject>(_ type: T.Type, namespace: String? = nil, options: ListOptions = ListOptions()) async throws
        -> ObjectList<T>
    {
        try await listAllPages(.typed, namespace: namespace, options: options)
    }

    /// Creates an object; 409 `already_exists` if the name is taken.
    public func create<T: KubeObject>(_ object: T, namespace: String? = nil, options: WriteOptions = WriteOptions()) async throws -> T {
        try await createObject(.typed, document: try KubeCodec.documentForWrite(object), namespace: namespace, options: options)
    }

    /// Replaces an object (PUT); its `metadata.resourceVersion` makes a stale write fail with 409 `conflict`.
    public func update<T: KubeObject>(_ object: T, namespace: String? = nil, options: WriteOptions = WriteOptions()) async throws -> T {
        try await updateObject(.typed, document: try KubeCodec.documentForWrite(object), namespace: namespace, options: options)
    }

    /// Applies a JSON merge patch (RFC 7386) to an object.
    public func mergePatch<T: KubeObject>(
        _ type: T.Type, name: String, namespace: String? = nil, patch: JSONValue, options: WriteOptions = WriteOptions()
    ) async throws -> T {
        try await patchObject(
            .typed, name: name, namespace: namespace, patch: patch, contentType: "application/merge-patch+json", query: options.queryItems)
    }

    /// Server-side applies the set fields of `object` as field manager `options.fieldManager`.
    public func apply<T: KubeObject>(_ object: T, namespace: String? = nil, options: ApplyOptions = ApplyOptions()) async throws -> T {
        try await applyObject(.typed, document: try KubeCodec.documentForApply(object), namespace: namespace, options: options)
    }

    /// Deletes an object.
    public func delete<T: KubeObject>(_ type: T.Type, name: String, namespace: String? = nil, options: DeleteOptions = DeleteOptions())
        async throws
    {
        try await deleteObject(T.resourceType, name: name, namespace: namespace, options: options)
    }

    /// Deletes every object of a collection matching `labelSelector`.
    public func deleteCollection<T: KubeObject>(
        _ type: T.Type, namespace: String? = nil, labelSelector: String, options: DeleteOptions = DeleteOptions()
    ) async throws {
        try await deleteCollection(
            T.resourceType, namespace: namespace, selection: ListOptions(labelSelector: labelSelector), options: options)
    }

    /// Opens one watch request; see `listWatch` for a stream that survives cuts and expiry.
    public func watch<T: KubeObject>(_ type: T.Type, namespace: String? = nil, options: WatchOptions = WatchOptions()) async throws
        -> WatchStream<T>
    {
        try await watchObjects(.typed, namespace: namespace, options: options)
    }

    /// Lists, then watches with resume and relist-on-410, for as long as the caller iterates.
    public func listWatch<T: KubeObject>(_ type: T.Type, namespace: String? = nil, options: ListWatchOptions = ListWatchOptions())
        -> ListWatch<T>
    {
        ListWatch(client: self, coding: .typed, namespace: namespace, options: options)
    }
}

/// Pod status, the one status subresource Cubicle writes.
extension KubeClient {
    /// Reads a pod through `pods/status`.
    public func getStatus(of type: Pod.Type, name: String, namespace: String? = nil) async throws -> Pod {
        try await getObject(podStatusCoding, name: name, namespace: namespace)
    }

    /// Replaces a pod's status (`pods/status`, PUT).
    public func updateStatus(_ pod: Pod, namespace: String? = nil, options: WriteOptions = WriteOptions()) async throws -> Pod {
        try await updateObject(podStatusCoding, document: try KubeCodec.documentForWrite(pod), namespace: namespace, options: options)
    }

    /// Merge-patches a pod's status (`pods/status`, PATCH).
    public func mergePatchStatus(of type: Pod.Type, name: String, namespace: String? = nil, patch: JSONValue, options: WriteOptions = WriteOptions())
        async throws -> Pod
    {
        try await patchObject(
            podStatusCoding, name: name, namespace: namespace, patch: patch, contentType: "application/merge-patch+json",
            query: options.queryItems)
    }

    private var podStatusCoding: ObjectCoding<Pod> {
        let typed = ObjectCoding<Pod>.typed
        return ObjectCoding(resource: .podStatus, decode: typed.decode, resourceVersion: typed.resourceVersion)
    }
}

/// Service account tokens.
extension KubeClient {
    /// Issues a token for a service account (`serviceaccounts/{name}/token`, the TokenRequest API).
    public func requestToken(
        serviceAccount: String, namespace: String? = nil, audiences: [String] = [], expirationSeconds: Int? = nil,
        boundObject: BoundObjectReference? = nil
    ) async throws -> TokenRequestStatus {
        let body = TokenRequest(spec: TokenRequestSpec(audiences: audiences, expirationSeconds: expirationSeconds, boundObjectRef: boundObject))
        let coding = ObjectCoding<TokenRequest>(
            resource: .serviceAccountToken,
            decode: { try KubeCodec.decode(TokenRequest.self, from: $0.serialized(), context: "TokenRequest") },
            resourceVersion: { $0.metadata.resourceVersion })
        guard !serviceAccount.isEmpty else { throw KubeError.invalid("a TokenRequest needs a service account name") }
        var request = APIRequest(
            verb: .create, resource: .serviceAccountToken, namespace: objectNamespace(.serviceAccountToken, explicit: namespace),
            name: serviceAccount)
        request.setJSON(try JSONValue(encoding: body))
        let answer = try coding.decode(try await sendForDocument(request))
        guard let status = answer.status, !status.token.isEmpty else {
            throw KubeError(code: .internalError, message: "the TokenRequest for \(serviceAccount) came back without a token")
        }
        return status
    }
}
