import CubicleModel

/// Resolves a container's environment the way the kubelet does: `env[].value` (with `$(VAR)`
/// references to earlier variables), `valueFrom.fieldRef`, `configMapKeyRef` and `secretKeyRef`,
/// and `envFrom`; then expands `$(VAR)` in the command and arguments.
struct ContainerEnvironment: Sendable {
    /// Why the environment cannot be built (`CreateContainerConfigError`).
    struct ConfigFailure: Error, Sendable, Equatable {
        var message: String
    }

    /// The variables, in definition order (later ones win).
    private(set) var variables: [(name: String, value: String)] = []

    /// The variables as a dictionary.
    var dictionary: [String: String] {
        var result: [String: String] = [:]
        for (name, value) in variables { result[name] = value }
        return result
    }

    /// Builds the environment of `container` in `pod` running at `podIP`.
    static func resolve(
        _ container: PodSpecView.Container, pod: PodSpecView, podIP: String, api: any KubeletAPI
    ) throws(ConfigFailure) -> ContainerEnvironment {
        var environment = ContainerEnvironment()
        for source in container.json["envFrom"]?.arrayValue ?? [] {
            let prefix = source["prefix"]?.stringValue ?? ""
            let optional: Bool
            let data: [String: String]
            if let reference = source["configMapRef"] {
                let name = reference["name"]?.stringValue ?? ""
                optional = reference["optional"]?.boolValue ?? false
                guard let map = api.configMap(namespace: pod.namespace, name: name) else {
                    if optional { continue }
                    throw ConfigFailure(message: "configmap \"\(name)\" not found")
                }
                data = (map["data"]?.objectValue ?? [:]).compactMapValues(\.stringValue)
            } else if let reference = source["secretRef"] {
                let name = reference["name"]?.stringValue ?? ""
                optional = reference["optional"]?.boolValue ?? false
                guard let secret = api.secret(namespace: pod.namespace, name: name) else {
                    if optional { continue }
                    throw ConfigFailure(message: "secret \"\(name)\" not found")
                }
                data = VolumePlan.secretData(secret).mapValues { String(decoding: $0, as: UTF8.self) }
            } else {
                continue
            }
            for key in data.keys.sorted() { environment.set(prefix + key, data[key] ?? "") }
        }
        for entry in container.json["env"]?.arrayValue ?? [] {
            guard let name = entry["name"]?.stringValue, !name.isEmpty else { continue }
            if let value = entry["value"]?.stringValue {
                environment.set(name, environment.expand(value))
            } else if let from = entry["valueFrom"] {
                guard let value = try resolve(from, pod: pod, podIP: podIP, api: api) else { continue }
                environment.set(name, value)
            } else {
                environment.set(name, "")
            }
        }
        return environment
    }

    /// `$(NAME)` replaced by the variable's value when defined; `$$(NAME)` escapes to `$(NAME)`.
    func expand(_ text: String) -> String {
        guard text.contains("$(") else { return text }
        let values = dictionary
        var result = ""
        var index = text.startIndex
        while index < text.endIndex {
            let character = text[index]
            let next = text.index(after: index)
            if character == "$", next < text.endIndex {
                if text[next] == "$" {
                    result.append("$")
                    index = text.index(after: next)
                    continue
                }
                if text[next] == "(", let close = text[next...].firstIndex(of: ")") {
                    let name = String(text[text.index(after: next)..<close])
                    if let value = values[name] {
                        result += value
                        index = text.index(after: close)
                        continue
                    }
                }
            }
            result.append(character)
            index = next
        }
        return result
    }

    private mutating func set(_ name: String, _ value: String) {
        variables.removeAll { $0.name == name }
        variables.append((name, value))
    }

    private static func resolve(
        _ from: JSONValue, pod: PodSpecView, podIP: String, api: any KubeletAPI
    ) throws(ConfigFailure) -> String? {
        if let field = from[path: ["fieldRef", "fieldPath"]]?.stringValue {
            switch field {
            case "metadata.name": return pod.name
            case "metadata.namespace": return pod.namespace
            case "metadata.uid": return pod.uid
            case "spec.nodeName": return pod.nodeName
            case "spec.serviceAccountName": return pod.pod[path: ["spec", "serviceAccountName"]]?.stringValue ?? "default"
            case "status.podIP": return podIP
            case "status.podIPs": return podIP
            case "status.hostIP", "status.hostIPs": return "127.0.0.1"
            default:
                if field.hasPrefix("metadata.labels['"), field.hasSuffix("']") {
                    return pod.pod.labels[String(field.dropFirst("metadata.labels['".count).dropLast(2))] ?? ""
                }
                if field.hasPrefix("metadata.annotations['"), field.hasSuffix("']") {
                    let key = String(field.dropFirst("metadata.annotations['".count).dropLast(2))
                    return pod.pod[path: ["metadata", "annotations", key]]?.stringValue ?? ""
                }
                throw ConfigFailure(message: "unsupported fieldPath \(field)")
            }
        }
        if let reference = from["configMapKeyRef"] {
            let name = reference["name"]?.stringValue ?? "", key = reference["key"]?.stringValue ?? ""
            let optional = reference["optional"]?.boolValue ?? false
            guard let map = api.configMap(namespace: pod.namespace, name: name) else {
                if optional { return nil }
                throw ConfigFailure(message: "configmap \"\(name)\" not found")
            }
            guard let value = map[path: ["data", key]]?.stringValue else {
                if optional { return nil }
                throw ConfigFailure(message: "couldn't find key \(key) in ConfigMap \(pod.namespace)/\(name)")
            }
            return value
        }
        if let reference = from["secretKeyRef"] {
            let name = reference["name"]?.stringValue ?? "", key = reference["key"]?.stringValue ?? ""
            let optional = reference["optional"]?.boolValue ?? false
            guard let secret = api.secret(namespace: pod.namespace, name: name) else {
                if optional { return nil }
                throw ConfigFailure(message: "secret \"\(name)\" not found")
            }
            guard let bytes = VolumePlan.secretData(secret)[key] else {
                if optional { return nil }
                throw ConfigFailure(message: "couldn't find key \(key) in Secret \(pod.namespace)/\(name)")
            }
            return String(decoding: bytes, as: UTF8.self)
        }
        return nil
    }
}
