import CubicleModel
import Foundation

/// Which object a table row carries (`includeObject`).
enum IncludeObject: String, Sendable {
    case none = "None"
    case metadata = "Metadata"
    case object = "Object"
}

/// Builds `meta.k8s.io/v1` Tables from objects with the resource's columns, as the API server's
/// server-side printing does for `kubectl get`.
struct TableConverter: Sendable {
    let resource: ResourceType
    let include: IncludeObject
    let now: Date

    /// A table of `objects`, with column definitions unless `headers` is false.
    func table(_ objects: [JSONValue], listMetadata: JSONValue = .object([:]), headers: Bool = true) -> JSONValue {
        [
            "kind": "Table", "apiVersion": "meta.k8s.io/v1", "metadata": listMetadata,
            "columnDefinitions": headers ? .array(resource.strategy.columns.map(\.json)) : .null,
            "rows": .array(objects.map(row)),
        ]
    }

    /// One row: the cells and the object as `include` asks.
    func row(_ object: JSONValue) -> JSONValue {
        var row: [String: JSONValue] = ["cells": .array(resource.strategy.cells(object, now: now))]
        switch include {
        case .none: break
        case .metadata: row["object"] = Self.partialMetadata(object)
        case .object: row["object"] = object
        }
        return .object(row)
    }

    /// The `PartialObjectMetadata` of an object.
    static func partialMetadata(_ object: JSONValue) -> JSONValue {
        ["kind": "PartialObjectMetadata", "apiVersion": "meta.k8s.io/v1", "metadata": object["metadata"] ?? .object([:])]
    }
}
