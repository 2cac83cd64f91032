import CubicleModel

/// Object-name rules with the messages the Kubernetes API server uses.
enum Names {
    static let subdomainMessage =
        "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')"
    static let labelMessage =
        "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')"
    static let label1035Message =
        "a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character (e.g. 'my-name',  or 'abc-123', regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')"

    /// Nil for a valid RFC 1123 subdomain, else the message.
    static func subdomainProblem(_ name: String) -> String? {
        if name.utf8.count > 253 { return "must be no more than 253 characters" }
        return DNSSubdomain.problem(with: name) == nil ? nil : subdomainMessage
    }

    /// Nil for a valid RFC 1123 label, else the message.
    static func labelProblem(_ name: String) -> String? {
        if name.utf8.count > 63 { return "must be no more than 63 characters" }
        return DNSLabel.problem(with: name) == nil ? nil : labelMessage
    }

    /// Nil for a valid RFC 1035 label (a label starting with a letter), else the message.
    static func label1035Problem(_ name: String) -> String? {
        if name.utf8.count > 63 { return "must be no more than 63 characters" }
        guard DNSLabel.problem(with: name) == nil, let first = name.utf8.first, first >= UInt8(ascii: "a"),
            first <= UInt8(ascii: "z")
        else { return label1035Message }
        return nil
    }

    /// Nil for a name usable as one path segment, else the message.
    static func pathSegmentProblem(_ name: String) -> String? {
        if name == "." { return "may not be '.'" }
        if name == ".." { return "may not be '..'" }
        if name.contains("/") { return "may not contain '/'" }
        if name.contains("%") { return "may not contain '%'" }
        return nil
    }

    /// Field errors of `metadata.name` (and `metadata.generateName`) under `rule`.
    static func validate(_ object: JSONValue, rule: ResourceType.NameRule) -> [FieldError] {
        let name = object.name
        if name.isEmpty {
            return [.required("metadata.name", "name or generateName is required")]
        }
        let problem: String?
        switch rule {
        case .subdomain: problem = subdomainProblem(name)
        case .label: problem = labelProblem(name)
        case .label1035: problem = label1035Problem(name)
        case .pathSegment: problem = pathSegmentProblem(name)
        }
        return problem.map { [.invalid("metadata.name", .string(name), $0)] } ?? []
    }

    /// Field errors of `metadata.labels` and `metadata.annotations` keys and values.
    static func validateLabels(_ object: JSONValue) -> [FieldError] {
        var errors: [FieldError] = []
        if let labels = object[path: ["metadata", "labels"]]?.objectValue {
            for (key, value) in labels.sorted(by: { $0.key < $1.key }) {
                if let problem = LabelSyntax.keyProblem(key) {
                    errors.append(.invalid("metadata.labels", .string(key), problem))
                }
                guard let text = value.stringValue else {
                    errors.append(.invalid("metadata.labels", value, "label values must be strings"))
                    continue
                }
                if let problem = LabelSyntax.valueProblem(text) {
                    errors.append(.invalid("metadata.labels", .string(text), problem))
                }
            }
        } else if let labels = object[path: ["metadata", "labels"]], !labels.isNull {
            errors.append(.invalid("metadata.labels", labels, "must be an object of strings"))
        }
        if let annotations = object[path: ["metadata", "annotations"]]?.objectValue {
            for (key, value) in annotations.sorted(by: { $0.key < $1.key }) {
                if let problem = LabelSyntax.keyProblem(key.lowercased()) {
                    errors.append(.invalid("metadata.annotations", .string(key), problem))
                }
                if value.stringValue == nil {
                    errors.append(.invalid("metadata.annotations", value, "annotation values must be strings"))
                }
            }
        } else if let annotations = object[path: ["metadata", "annotations"]], !annotations.isNull {
            errors.append(.invalid("metadata.annotations", annotations, "must be an object of strings"))
        }
        return errors
    }
}
