/// A networking.k8s.io/v1 NetworkPolicy.
public struct NetworkPolicy: Codable, Hashable, Sendable {
    /// The API version; filled in from the resource type when written.
    public var apiVersion: String?
    /// The kind; filled in from the resource type when written.
    public var kind: String?
    /// Standard object metadata.
    public var metadata: ObjectMeta = ObjectMeta()
    /// The policy.
    public var spec: NetworkPolicySpec?
    /// The document this value was decoded from; writes carry the fields Cubicle does not model
    /// over from it (see `KubeCodec`).
    public var original = DecodedDocument()

    /// Creates a value; unset fields are omitted when encoded.
    public init(
        apiVersion: String? = "networking.k8s.io/v1",
        kind: String? = "NetworkPolicy",
        metadata: ObjectMeta = ObjectMeta(),
        spec: NetworkPolicySpec? = nil
    ) {
        self.apiVersion = apiVersion
        self.kind = kind
        self.metadata = metadata
        self.spec = spec
    }

    enum CodingKeys: String, CodingKey {
        case apiVersion
        case kind
        case metadata
        case spec
    }

    /// Decodes tolerantly: missing fields take their defaults and unknown fields are ignored.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        apiVersion = try container.decodeIfPresent(String.self, forKey: .apiVersion)
        kind = try container.decodeIfPresent(String.self, forKey: .kind)
        metadata = try container.decodeIfPresent(ObjectMeta.self, forKey: .metadata) ?? ObjectMeta()
        spec = try container.decodeIfPresent(NetworkPolicySpec.self, forKey: .spec)
    }
}

extension NetworkPolicy: KubeObject {
    /// `networkPolicies`.
    public static var resourceType: ResourceType { .networkPolicies }
}

/// Which traffic a policy allows for the pods it selects.
public struct NetworkPolicySpec: Codable, Hashable, Sendable {
    /// The pods the policy applies to; empty selects all.
    public var podSelector: LabelSelector = LabelSelector()
    /// `Ingress`, `Egress` or both.
    public var policyTypes: [String]?
    /// Allowed incoming traffic.
    public var ingress: [NetworkPolicyIngressRule]?
    /// Allowed outgoing traffic.
    public var egress: [NetworkPolicyEgressRule]?

    /// Creates a value; unset fields are omitted when encoded.
    public init(
        podSelector: LabelSelector = LabelSelector(),
        policyTypes: [String]? = nil,
        ingress: [NetworkPolicyIngressRule]? = nil,
        egress: [NetworkPolicyEgressRule]? = nil
    ) {
        self.podSelector = podSelector
        self.policyTypes = policyTypes
        self.ingress = ingress
        self.egress = egress
    }

    enum CodingKeys: String, CodingKey {
        case podSelector
        case policyTypes
        case ingress
        case egress
    }

    /// Decodes tolerantly: missing fields take their defaults and unknown fields are ignored.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        podSelector = try container.decodeIfPresent(LabelSelector.self, forKey: .podSelector) ?? LabelSelector()
        policyTypes = try container.decodeIfPresent([String].self, forKey: .policyTypes)
        ingress = try container.decodeIfPresent([NetworkPolicyIngressRule].self, forKey: .ingress)
        egress = try container.decodeIfPresent([NetworkPolicyEgressRule].self, forKey: .egress)
    }
}

/// Incoming traffic a policy allows.
public struct NetworkPolicyIngressRule: Codable, Hashable, Sendable {
    /// Allowed sources; all when unset.
    public var from: [NetworkPolicyPeer]?
    /// Allowed ports; all when unset.
    public var ports: [NetworkPolicyPort]?

    /// Creates a value; unset fields are omitted when encoded.
    public init(from: [NetworkPolicyPeer]? = nil, ports: [NetworkPolicyPort]? = nil) {
        self.from = from
        self.ports = ports
    }
}

/// Outgoing traffic a policy allows.
public struct NetworkPolicyEgressRule: Codable, Hashable, Sendable {
    /// Allowed destinations; all when unset.
    public var to: [NetworkPolicyPeer]?
    /// Allowed ports; all when unset.
    public var ports: [NetworkPolicyPort]?

    /// Creates a value; unset fields are omitted when encoded.
    public init(to: [NetworkPolicyPeer]? = nil, ports: [NetworkPolicyPort]? = nil) {
        self.to = to
        self.ports = ports
    }
}

/// A traffic peer; the set fields are ANDed.
public struct NetworkPolicyPeer: Codable, Hashable, Sendable {
    /// Pods, by label.
    public var podSelector: LabelSelector?
    /// Namespaces, by label.
    public var namespaceSelector: LabelSelector?
    /// An address range.
    public var ipBlock: IPBlock?

    /// Creates a value; unset fields are omitted when encoded.
    public init(
        podSelector: LabelSelector? = nil,
        namespaceSelector: LabelSelector? = nil,
        ipBlock: IPBlock? = nil
    ) {
        self.podSelector = podSelector
        self.namespaceSelector = namespaceSelector
        self.ipBlock = ipBlock
    }
}

/// A port (range) a rule allows.
public struct NetworkPolicyPort: Codable, Hashable, Sendable {
    /// `TCP`, `UDP` or `SCTP`.
    public var `protocol`: String?
    /// The port number or name.
    public var port: IntOrString?
    /// The last port of a range starting at `port`.
    public var endPort: Int?

    /// Creates a value; unset fields are omitted when encoded.
    public init(protocol: String? = nil, port: IntOrString? = nil, endPort: Int? = nil) {
        self.protocol = `protocol`
        self.port = port
        self.endPort = endPort
    }
}

/// An address range in CIDR notation.
public struct IPBlock: Codable, Hashable, Sendable {
    /// The range.
    public var cidr: String = ""
    /// Ranges excluded from it.
    public var except: [String]?

    /// Creates a value; unset fields are omitted when encoded.
    public init(cidr: String = "", except: [String]? = nil) {
        self.cidr = cidr
        self.except = except
    }

    enum CodingKeys: String, CodingKey {
        case cidr
        case except
    }

    /// Decodes tolerantly: missing fields take their defaults and unknown fields are ignored.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        cidr = try container.decodeIfPresent(String.self, forKey: .cidr) ?? ""
        except = try container.decodeIfPresent([String].self, forKey: .except)
    }
}
