import CubicleModel
import Foundation

/// Converts between wire bytes, `JSONValue` documents and typed objects, in one place so the
/// typed and unstructured operations share a single request path.
///
/// Unknown fields: a typed object remembers the document it was decoded from (`original`), and
/// `create`/`update` write that document with the caller's edits replayed onto it
/// (`JSONCarryOver`), so fields Cubicle does not model survive a read-modify-write. Server-side
/// apply sends only the typed encoding, because an apply body must name just the fields the
/// manager owns.
enum KubeCodec {
    /// Decodes any `Decodable` from JSON bytes, reporting failures as `KubeError`.
    static func decode<T: Decodable>(_ type: T.Type, from bytes: [UInt8], context: String) throws -> T {
        do {
            return try JSONDecoder().decode(T.self, from: Data(bytes))
        } catch {
            throw KubeError.decoding(context: context, error)
        }
    }

    /// Parses JSON bytes into a document, reporting failures as `KubeError`.
    static func parse(_ bytes: [UInt8], context: String) throws -> JSONValue {
        do {
            return try JSONValue.parse(bytes)
        } catch {
            throw KubeError.decoding(context: context, error)
        }
    }

    /// Decodes a typed object from a document and remembers the document as its `original`.
    static func object<T: KubeObject>(_ type: T.Type, from document: JSONValue, context: String) throws -> T {
        var object = try decode(T.self, from: document.serialized(), context: context)
        object.original = DecodedDocument(document)
        return object
    }

    /// The document to send when creating or replacing `object`: its original with the edits
    /// replayed, and `apiVersion`/`kind` filled in.
    static func documentForWrite<T: KubeObject>(_ object: T) throws -> JSONValue {
        let edited = try typedDocument(object)
        var document: JSONValue
        if let original = object.original.json {
            let decoded = try typedDocument(try decode(T.self, from: original.serialized(), context: "\(T.self)"))
            document = JSONCarryOver.apply(original: original, decoded: decoded, edited: edited)
        } else {
            document = edited
        }
        fillTypeMeta(&document, resource: T.resourceType)
        return document
    }

    /// The document to send for a server-side apply: only the modelled fields that are set.
    static func documentForApply<T: KubeObject>(_ object: T) throws -> JSONValue {
        var document = try typedDocument(object)
        fillTypeMeta(&document, resource: T.resourceType)
        return document
    }

    /// Sets `apiVersion` and `kind` from the resource type when the document lacks them.
    static func fillTypeMeta(_ document: inout JSONValue, resource: ResourceType) {
        if document["apiVersion"]?.stringValue?.isEmpty ?? true { document["apiVersion"] = .string(resource.apiVersion) }
        if document["kind"]?.stringValue?.isEmpty ?? true { document["kind"] = .string(resource.kind) }
    }

    private static func typedDocument<T: Encodable>(_ value: T) throws -> JSONValue {
        do {
            return try JSONValue(encoding: value)
        } catch {
            throw KubeError.encoding(context: "\(T.self)", error)
        }
    }
}
