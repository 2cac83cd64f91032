import CubicleModel
import Foundation

/// The opaque `continue` token of a paged list: the snapshot's resourceVersion and the key after
/// which the next page starts, as base64url JSON.
struct ContinueToken: Sendable, Equatable {
    let resourceVersion: Int64
    let after: ObjectKey

    /// The wire form.
    var encoded: String {
        let document: JSONValue = [
            "v": "meta.k8s.io/v1", "rv": .int(resourceVersion), "ns": .string(after.namespace), "name": .string(after.name),
        ]
        return Data(document.serialized()).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }

    /// Decodes a token; throws 400 for anything this server did not issue.
    init(encoded text: String) throws(LocalClusterError) {
        var base64 = text.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        while base64.count % 4 != 0 { base64 += "=" }
        guard let data = Data(base64Encoded: base64), let document = try? JSONValue.parse(data),
            let version = document["rv"]?.intValue, let namespace = document["ns"]?.stringValue,
            let name = document["name"]?.stringValue
        else { throw .badRequest("continue key is not valid: \(text.prefix(64))") }
        self.init(resourceVersion: version, after: ObjectKey(namespace: namespace, name: name))
    }

    /// A token from its parts.
    init(resourceVersion: Int64, after: ObjectKey) {
        self.resourceVersion = resourceVersion
        self.after = after
    }
}
