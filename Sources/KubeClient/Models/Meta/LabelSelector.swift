/// A label query over objects (`metav1.LabelSelector`).
public struct LabelSelector: Codable, Hashable, Sendable {
    /// Labels that must all be equal.
    public var matchLabels: [String: String]?
    /// Set-based requirements that must all hold.
    public var matchExpressions: [LabelSelectorRequirement]?

    /// Creates a value; unset fields are omitted when encoded.
    public init(
        matchLabels: [String: String]? = nil,
        matchExpressions: [LabelSelectorRequirement]? = nil
    ) {
        self.matchLabels = matchLabels
        self.matchExpressions = matchExpressions
    }
}

/// One set-based selector requirement.
public struct LabelSelectorRequirement: Codable, Hashable, Sendable {
    /// The label key.
    public var key: String = ""
    /// `In`, `NotIn`, `Exists` or `DoesNotExist`.
    public var `operator`: String = ""
    /// The values for `In` and `NotIn`.
    public var values: [String]?

    /// Creates a value; unset fields are omitted when encoded.
    public init(key: String = "", operator: String = "", values: [String]? = nil) {
        self.key = key
        self.operator = `operator`
        self.values = values
    }

    enum CodingKeys: String, CodingKey {
        case key
        case `operator`
        case values
    }

    /// Decodes tolerantly: missing fields take their defaults and unknown fields are ignored.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        key = try container.decodeIfPresent(String.self, forKey: .key) ?? ""
        self.operator = try container.decodeIfPresent(String.self, forKey: .`operator`) ?? ""
        values = try container.decodeIfPresent([String].self, forKey: .values)
    }
}
