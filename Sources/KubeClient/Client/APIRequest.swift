import CubicleModel

/// One logical API request as the choke point sees it: the verb and resource (for RBAC and logs),
/// where it goes, and what it carries.
struct APIRequest: Sendable {
    var verb: Verb
    var resource: ResourceType
    var namespace: String?
    var name: String?
    var query: [(String, String)] = []
    var body: [UInt8]?
    var contentType: String?

    /// `verb resource namespace/name`, for messages.
    var summary: String {
        var text = "\(verb) \(resource.rbacResource)"
        if resource.group.isEmpty == false { text += ".\(resource.group)" }
        switch (namespace, name) {
        case (let namespace?, let name?) where !namespace.isEmpty: text += " \(namespace)/\(name)"
        case (_, let name?): text += " \(name)"
        case (let namespace?, nil) where !namespace.isEmpty: text += " in \(namespace)"
        default: break
        }
        return text
    }

    /// The path and query below the server URL.
    var target: String {
        let path = resource.path(namespace: namespace.flatMap { $0.isEmpty ? nil : $0 }, name: name)
        return query.isEmpty ? path : path + "?" + PercentEncoding.query(query)
    }

    /// Attaches a JSON body.
    mutating func setJSON(_ document: JSONValue, contentType: String = "application/json") {
        body = document.serialized()
        self.contentType = contentType
    }
}
