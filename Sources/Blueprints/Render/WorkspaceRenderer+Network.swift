import CubicleModel

extension WorkspaceRenderer {
    /// The NetworkPolicy of the workspace's class: only Cubicle may reach sshd; egress is open
    /// (`workspace`, minus the cloud metadata endpoint), DNS plus listed CIDRs (`isolated`), or not
    /// restricted by Cubicle (`system`, no policy rendered).
    func networkPolicy(
        spec: BlueprintSpec, identity: WorkspaceIdentity, names: WorkspaceObjectNames, labels: [String: String]
    ) -> JSONValue? {
        if spec.network.policyClass == .system { return nil }
        var peer: JSONValue = ["podSelector": ["matchLabels": Self.stringMap(options.serverPodLabels)]]
        if let namespace = options.serverNamespace, namespace != identity.namespace {
            peer["namespaceSelector"] = ["matchLabels": ["kubernetes.io/metadata.name": .string(namespace)]]
        }
        let ingress: JSONValue = [
            "from": [peer],
            "ports": [["protocol": "TCP", "port": .int(Int64(options.sshPort))]],
        ]
        let dns: JSONValue = ["ports": [["protocol": "UDP", "port": 53], ["protocol": "TCP", "port": 53]]]
        var egress: [JSONValue] = [dns]
        let cidrs: [JSONValue] = spec.network.allowEgressToCIDRs.map { ["ipBlock": ["cidr": .string($0)]] }
        switch spec.network.policyClass {
        case .workspace:
            egress.append(["to": [["ipBlock": ["cidr": "0.0.0.0/0", "except": ["169.254.169.254/32"]]], ["ipBlock": ["cidr": "::/0"]]]])
            if !cidrs.isEmpty { egress.append(["to": .array(cidrs)]) }
        case .isolated:
            if !cidrs.isEmpty { egress.append(["to": .array(cidrs)]) }
        case .system:
            break
        }
        return [
            "apiVersion": "networking.k8s.io/v1", "kind": "NetworkPolicy",
            "metadata": Self.metadata(name: names.networkPolicy, namespace: identity.namespace, labels: labels),
            "spec": [
                "podSelector": ["matchLabels": [Labels.workspace: .string(identity.name)]],
                "policyTypes": ["Ingress", "Egress"],
                "ingress": [ingress],
                "egress": .array(egress),
            ],
        ]
    }
}
