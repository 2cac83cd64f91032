/// What representation the client's `Accept` header asks for.
enum ResponseFormat: Sendable, Equatable {
    /// Plain objects and lists.
    case object
    /// A `meta.k8s.io/v1` Table.
    case table
    /// `PartialObjectMetadata` / `PartialObjectMetadataList`.
    case partialMetadata
    /// Aggregated discovery (`apidiscovery.k8s.io/v2`).
    case aggregatedDiscovery

    /// The first acceptable representation in `accept`, or nil when none is JSON (406).
    init?(accept: String?) {
        guard let accept, !accept.trimmingSpaces.isEmpty else {
            self = .object
            return
        }
        for candidate in accept.split(separator: ",") {
            let parameters = candidate.split(separator: ";").map { String($0).trimmingSpaces }
            guard let mediaType = parameters.first?.lowercased() else { continue }
            var values: [String: String] = [:]
            for parameter in parameters.dropFirst() {
                let pair = parameter.split(separator: "=", maxSplits: 1).map { String($0).trimmingSpaces }
                if pair.count == 2 { values[pair[0].lowercased()] = pair[1] }
            }
            guard ["application/json", "*/*", "application/*"].contains(mediaType) else { continue }
            switch (values["as"], values["g"], values["v"]) {
            case (nil, _, _):
                self = .object
                return
            case ("Table", "meta.k8s.io", "v1"?), ("Table", "meta.k8s.io", "v1beta1"?):
                self = .table
                return
            case ("PartialObjectMetadata", "meta.k8s.io", _), ("PartialObjectMetadataList", "meta.k8s.io", _):
                self = .partialMetadata
                return
            case ("APIGroupDiscoveryList", "apidiscovery.k8s.io", "v2"?):
                self = .aggregatedDiscovery
                return
            default:
                continue
            }
        }
        return nil
    }

    /// The `Content-Type` of a response in this format.
    var contentType: String {
        switch self {
        case .object: "application/json"
        case .table: "application/json;as=Table;v=v1;g=meta.k8s.io"
        case .partialMetadata: "application/json;as=PartialObjectMetadataList;v=v1;g=meta.k8s.io"
        case .aggregatedDiscovery: "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList"
        }
    }
}
