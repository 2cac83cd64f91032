import CubicleModel
import Crypto
import Foundation

/// A minimal OpenAPI v3 description, enough for kubectl: one document per group version whose
/// PATCH operations carry `x-kubernetes-group-version-kind` and the `fieldValidation` query
/// parameter. kubectl reads that to learn the server validates fields itself, so it skips
/// client-side schema validation; and because the PATCH bodies do not list
/// `application/strategic-merge-patch+json`, client-side apply falls back to its compiled-in
/// types for strategic merge patches. Schemas are open (`x-kubernetes-preserve-unknown-fields`).
struct OpenAPIDocuments: Sendable {
    let catalog: ResourceCatalog
    /// The `/openapi/v3` index: group-version paths with content hashes.
    let index: JSONValue
    private let documents: [String: JSONValue]

    init(catalog: ResourceCatalog) {
        self.catalog = catalog
        var documents: [String: JSONValue] = [:]
        var paths: [String: JSONValue] = [:]
        for (group, versions) in catalog.groups {
            for version in versions {
                let path = Self.path(group: group, version: version)
                guard let document = Self.build(catalog: catalog, path: path) else { continue }
                documents[path] = document
                paths[path] = ["serverRelativeURL": .string("/openapi/v3/\(path)?hash=\(Self.hash(document))")]
            }
        }
        self.documents = documents
        index = ["paths": .object(paths)]
    }

    /// The document of `api/v1` or `apis/<group>/<version>`, or nil.
    func document(path: String) -> JSONValue? { documents[path] }

    private static func build(catalog: ResourceCatalog, path: String) -> JSONValue? {
        let parts = path.split(separator: "/").map(String.init)
        let (group, version): (String, String)
        switch parts.count {
        case 2 where parts[0] == "api": (group, version) = ("", parts[1])
        case 3 where parts[0] == "apis": (group, version) = (parts[1], parts[2])
        default: return nil
        }
        let resources = catalog.resources(group: group, version: version)
        guard !resources.isEmpty else { return nil }
        var paths: [String: JSONValue] = [:]
        var schemas: [String: JSONValue] = [:]
        for resource in resources {
            let gvk: JSONValue = ["group": .string(resource.group), "version": .string(resource.version), "kind": .string(resource.kind)]
            let schemaName = Self.schemaName(resource)
            let reference: JSONValue = ["$ref": .string("#/components/schemas/\(schemaName)")]
            schemas[schemaName] = [
                "type": "object", "x-kubernetes-preserve-unknown-fields": true,
                "x-kubernetes-group-version-kind": [gvk],
                "description": .string("\(resource.kind) (\(resource.apiVersion)), stored as given by the embedded cluster."),
            ]
            let objectPath = resource.isNamespaced
                ? "\(resource.groupVersionPath)/namespaces/{namespace}/\(resource.plural)/{name}"
                : "\(resource.groupVersionPath)/\(resource.plural)/{name}"
            paths[objectPath] = [
                "get": operation("read", resource, gvk: gvk, parameters: [], body: nil, response: reference),
                "put": operation("replace", resource, gvk: gvk, parameters: Self.writeParameters, body: ["application/json": ["schema": reference]], response: reference),
                "patch": operation(
                    "patch", resource, gvk: gvk, parameters: Self.writeParameters + [Self.query("force", type: "boolean")],
                    body: [
                        "application/json-patch+json": ["schema": ["type": "object"]],
                        "application/merge-patch+json": ["schema": ["type": "object"]],
                        "application/apply-patch+yaml": ["schema": ["type": "object"]],
                    ],
                    response: reference
                ),
                "delete": operation("delete", resource, gvk: gvk, parameters: [Self.query("dryRun"), Self.query("gracePeriodSeconds", type: "integer"), Self.query("propagationPolicy")], body: nil, response: ["type": "object"]),
            ]
        }
        return [
            "openapi": "3.0.0",
            "info": ["title": "Kubernetes", "version": .string(ClusterVersion.gitVersion)],
            "paths": .object(paths),
            "components": ["schemas": .object(schemas)],
        ]
    }

    private static func operation(
        _ action: String, _ resource: ResourceType, gvk: JSONValue, parameters: [JSONValue], body: JSONValue?,
        response: JSONValue
    ) -> JSONValue {
        var operation: [String: JSONValue] = [
            "operationId": .string("\(action)\(resource.kind)"),
            "x-kubernetes-action": .string(action),
            "x-kubernetes-group-version-kind": gvk,
            "parameters": .array(parameters),
            "responses": ["200": ["description": "OK", "content": ["application/json": ["schema": response]]]],
        ]
        if let body { operation["requestBody"] = ["content": body, "required": true] }
        return .object(operation)
    }

    private static let writeParameters: [JSONValue] = [
        query("dryRun"), query("fieldManager"), query("fieldValidation"),
    ]

    private static func query(_ name: String, type: String = "string") -> JSONValue {
        ["name": .string(name), "in": "query", "schema": ["type": .string(type)], "uniqueItems": true]
    }

    private static func path(group: String, version: String) -> String {
        group.isEmpty ? "api/\(version)" : "apis/\(group)/\(version)"
    }

    private static func schemaName(_ resource: ResourceType) -> String {
        let group = resource.group.isEmpty ? "core" : resource.group
        return "io.cubicle.\(group).\(resource.version).\(resource.kind)"
    }

    private static func hash(_ document: JSONValue) -> String {
        SHA512.hash(data: document.serialized()).prefix(32).map { String(format: "%02X", $0) }.joined()
    }
}
