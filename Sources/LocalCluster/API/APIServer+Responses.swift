import CubicleModel
import NIOHTTP1

/// Rendering objects, lists and watches in the format the client asked for.
extension APIServer {
    func includeObject(_ target: RequestTarget) -> IncludeObject {
        target.parameter("includeObject").flatMap(IncludeObject.init(rawValue:)) ?? .metadata
    }

    func objectResponse(_ object: JSONValue, _ resource: ResourceType, format: ResponseFormat, target: RequestTarget) -> APIResponse {
        switch format {
        case .table:
            let converter = TableConverter(resource: resource, include: includeObject(target), now: registry.time.now)
            return .json(.ok, converter.table([object], listMetadata: ["resourceVersion": .string(object.resourceVersion)]), contentType: format.contentType)
        case .partialMetadata:
            return .json(.ok, TableConverter.partialMetadata(object), contentType: format.contentType)
        case .object, .aggregatedDiscovery:
            return .json(.ok, object)
        }
    }

    func listResponse(_ page: ListPage, _ resource: ResourceType, format: ResponseFormat, target: RequestTarget) -> APIResponse {
        var metadata: [String: JSONValue] = ["resourceVersion": .string(String(page.resourceVersion))]
        if let token = page.continueToken { metadata["continue"] = .string(token) }
        if let remaining = page.remainingItemCount { metadata["remainingItemCount"] = .int(Int64(remaining)) }
        switch format {
        case .table:
            let converter = TableConverter(resource: resource, include: includeObject(target), now: registry.time.now)
            return .json(.ok, converter.table(page.items, listMetadata: .object(metadata)), contentType: format.contentType)
        case .partialMetadata:
            return .json(
                .ok,
                [
                    "kind": "PartialObjectMetadataList", "apiVersion": "meta.k8s.io/v1", "metadata": .object(metadata),
                    "items": .array(page.items.map(TableConverter.partialMetadata)),
                ],
                contentType: format.contentType
            )
        case .object, .aggregatedDiscovery:
            return .json(.ok, listDocument(page.items, resource, metadata: .object(metadata)))
        }
    }

    func listDocument(_ items: [JSONValue], _ resource: ResourceType, metadata: JSONValue) -> JSONValue {
        [
            "kind": .string("\(resource.kind)List"), "apiVersion": .string(resource.apiVersion), "metadata": metadata,
            "items": .array(items),
        ]
    }

    func watchResponse(
        _ route: ResourceRoute, options: ListOptions, format: ResponseFormat, target: RequestTarget
    ) throws(LocalClusterError) -> APIResponse {
        let resource = route.resource
        let sendInitial = target.parameter("sendInitialEvents") == "true"
        let subscription = try registry.watch(resource, namespace: route.namespace, options: options, sendInitialEvents: sendInitial)
        let bookmarks = target.flag("allowWatchBookmarks")
        var timeout = settings.watchTimeout
        if let requested = try target.integer("timeoutSeconds"), requested > 0 { timeout = Double(min(requested, 86_400)) }
        let include = includeObject(target)
        let time = registry.time
        let headersSent = LockedFlag()
        let encode: @Sendable (WatchItem) -> [UInt8]? = { item in
            let event: JSONValue
            switch item {
            case .event(let type, let object):
                let payload: JSONValue
                switch format {
                case .table:
                    let headers = !headersSent.testAndSet()
                    payload = TableConverter(resource: resource, include: include, now: time.now)
                        .table([object], listMetadata: ["resourceVersion": .string(object.resourceVersion)], headers: headers)
                case .partialMetadata: payload = TableConverter.partialMetadata(object)
                case .object, .aggregatedDiscovery: payload = object
                }
                event = ["type": .string(type.rawValue), "object": payload]
            case .bookmark(let version):
                guard bookmarks else { return nil }
                event = Self.bookmark(resource, version: version, initialEventsEnd: false)
            case .initialEventsEnd(let version):
                event = Self.bookmark(resource, version: version, initialEventsEnd: true)
            case .error(let error):
                event = ["type": "ERROR", "object": error.status]
            }
            var line = event.serialized()
            line.append(0x0A)
            return line
        }
        return .watch(
            WatchStream(
                subscription: subscription, store: registry.store, time: time, contentType: "application/json",
                timeoutSeconds: timeout, bookmarkInterval: bookmarks ? settings.bookmarkInterval : nil, encode: encode
            )
        )
    }

    private static func bookmark(_ resource: ResourceType, version: Int64, initialEventsEnd: Bool) -> JSONValue {
        var metadata: [String: JSONValue] = ["resourceVersion": .string(String(version))]
        if initialEventsEnd { metadata["annotations"] = ["k8s.io/initial-events-end": "true"] }
        return [
            "type": "BOOKMARK",
            "object": ["kind": .string(resource.kind), "apiVersion": .string(resource.apiVersion), "metadata": .object(metadata)],
        ]
    }
}
