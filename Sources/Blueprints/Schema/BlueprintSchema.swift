/// The keys a mapping may hold, and the k8shell keys Cubicle recognises but does not implement
/// (reported as unsupported, not unknown, so a k8shell blueprint's errors say what to remove).
struct KeySet: Sendable {
    let known: Set<String>
    let unsupported: [String: String]

    init(_ known: [String], unsupported: [String] = []) {
        self.known = Set(known)
        self.unsupported = Dictionary(uniqueKeysWithValues: unsupported.map {
            ($0, "\"\($0)\" is a k8shell key that Cubicle does not support; remove it")
        })
    }

    func unknownMessage(for key: String) -> String {
        if key == "<<" { return "YAML merge keys (<<) are not supported; use template: to inherit" }
        let suggestion = known.filter { KeySet.distance($0.lowercased(), key.lowercased()) <= 2 }.sorted().first
        return "unknown key \"\(key)\"" + (suggestion.map { " (did you mean \"\($0)\"?)" } ?? "")
    }

    /// Levenshtein distance, for "did you mean" hints on short keys.
    static func distance(_ lhs: String, _ rhs: String) -> Int {
        let a = Array(lhs.unicodeScalars)
        let b = Array(rhs.unicodeScalars)
        if a.isEmpty || b.isEmpty { return max(a.count, b.count) }
        var previous = Array(0...b.count)
        for i in 1...a.count {
            var current = [i] + Array(repeating: 0, count: b.count)
            for j in 1...b.count {
                current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1))
            }
            previous = current
        }
        return previous[b.count]
    }
}

/// The blueprint format's keys, per mapping.
enum BlueprintSchema {
    /// k8shell-only top-level keys, decided for Cubicle: VPN sidecars, GPUs, Docker-in-Docker,
    /// extra sidecars and ingress, and pod-level knobs Cubicle sets itself.
    static let k8shellOnlyKeys = [
        "vpn", "gpu", "dind", "sidecars", "ingress", "serviceAccount", "hostAliases", "priorityClassName",
        "runtimeClassName", "affinity",
    ]

    static let blueprint = KeySet([
        "name", "description", "isTemplate", "template", "image", "imagePullPolicy", "env", "resources", "storages",
        "initScripts", "enableApps", "apps", "network", "securityContext", "nodeSelector", "tolerations",
        "idleTimeout", "extFiles", "recordSessions",
    ], unsupported: k8shellOnlyKeys)

    static let resources = KeySet(["cpu", "memory"])

    static let storage = KeySet([
        "enabled", "type", "path", "readonly", "sizeLimit", "claimSpec", "claimSpecAnnotations", "retain", "id",
    ])

    static let initScript = KeySet(["name", "script"])

    static let app = KeySet([
        "enabled", "binary", "install", "installAsRoot", "start", "listen", "protocol", "restartPolicy",
        "maxRestartBackoff", "autoStart", "versionCmd", "versionRegex",
    ])

    static let network = KeySet(["networkPolicyClass", "allowEgressToCIDRs"])

    /// Longest blueprint name: short enough to leave room in the object names derived from it.
    static let maximumNameLength = 40
    static let maximumDescriptionLength = 500
}
