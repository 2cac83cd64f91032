import CubicleModel
import Foundation

/// The create-only subresources: `serviceaccounts/token` (TokenRequest) and `pods/binding`.
extension APIServer {
    /// The shortest and longest token lifetimes a TokenRequest may ask for.
    static let tokenLifetime: ClosedRange<Int64> = 600...(365 * 86_400)

    /// Mints a service account token: the account must exist; the token authenticates as it
    /// until `expirationTimestamp`.
    func tokenRequest(namespace: String, name: String, body: JSONValue, dryRun: Bool) throws(LocalClusterError) -> APIResponse {
        let account = try registry.get(ResourceCatalog.serviceAccounts, namespace: namespace, name: name)
        guard body.objectValue != nil else { throw .badRequest("the TokenRequest body must be a JSON object") }
        if let kind = body["kind"]?.stringValue, kind != "TokenRequest" {
            throw .badRequest("the kind in the request body (\(kind)) must be TokenRequest")
        }
        let spec = body["spec"] ?? .object([:])
        let seconds = spec["expirationSeconds"]?.intValue ?? 3600
        let tokenRequestResource = ResourceType("authentication.k8s.io", "v1", "tokenrequests", kind: "TokenRequest")
        guard Self.tokenLifetime.contains(seconds) else {
            let detail = seconds < Self.tokenLifetime.lowerBound
                ? "may not specify a duration less than 10 minutes" : "may not specify a duration longer than one year"
            throw .invalid(tokenRequestResource, name, [.invalid("spec.expirationSeconds", .int(seconds), detail)])
        }
        let audiences = spec["audiences"]?.arrayValue?.compactMap(\.stringValue).filter { !$0.isEmpty } ?? []
        let effectiveAudiences = audiences.isEmpty ? [ServiceAccountTokens.issuer] : audiences
        let now = registry.time.now
        let expires = now.addingTimeInterval(Double(seconds))
        let token = dryRun
            ? ""
            : tokens.issue(
                namespace: namespace, name: name, uid: account.uid, audiences: effectiveAudiences, issuedAt: now,
                expires: expires
            )
        let response: JSONValue = [
            "kind": "TokenRequest", "apiVersion": "authentication.k8s.io/v1",
            "metadata": ["name": .string(name), "namespace": .string(namespace), "creationTimestamp": .string(RFC3339.string(from: now))],
            "spec": [
                "audiences": .array(effectiveAudiences.map(JSONValue.string)), "expirationSeconds": .int(seconds),
                "boundObjectRef": spec["boundObjectRef"] ?? .null,
            ],
            "status": ["token": .string(token), "expirationTimestamp": .string(RFC3339.string(from: expires))],
        ]
        return .json(.created, response)
    }

    /// `POST pods/{name}/binding`: assigns the pod to the Binding's target node.
    func binding(namespace: String, name: String, body: JSONValue, context: WriteContext) throws(LocalClusterError) -> APIResponse {
        guard let node = body[path: ["target", "name"]]?.stringValue, !node.isEmpty else {
            throw .invalid(
                ResourceType("", "v1", "bindings", kind: "Binding"), name, [.required("target.name")]
            )
        }
        if let kind = body[path: ["target", "kind"]]?.stringValue, !kind.isEmpty, kind != "Node" {
            throw .badRequest("a binding's target must be a Node")
        }
        try registry.bind(namespace: namespace, name: name, node: node, context: context)
        return .json(.created, ["kind": "Status", "apiVersion": "v1", "metadata": [:], "status": "Success", "code": 201])
    }
}
