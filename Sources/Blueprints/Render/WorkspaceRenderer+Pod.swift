import CubicleModel

extension WorkspaceRenderer {
    /// The workspace pod: one container running the bootstrap, which becomes sshd; ready when
    /// sshd accepts connections.
    func pod(
        spec: BlueprintSpec, identity: WorkspaceIdentity, names: WorkspaceObjectNames, labels: [String: String]
    ) -> JSONValue {
        let storage = storageVolumes(spec: spec, names: names)
        var env: [JSONValue] = spec.env.keys.sorted().map { ["name": .string($0), "value": .string(spec.env[$0] ?? "")] }
        env.append(["name": "CUBICLE_POD_IP", "valueFrom": ["fieldRef": ["fieldPath": "status.podIP"]]])
        env.append(["name": "CUBICLE_WORKSPACE", "value": .string(identity.name)])

        var limits: [String: JSONValue] = [:]
        if let cpu = spec.resources.cpuLimit { limits["cpu"] = .string(cpu.description) }
        if let memory = spec.resources.memoryLimit { limits["memory"] = .string(memory.description) }
        var container: JSONValue = [
            "name": .string(WorkspaceKeys.mainContainer),
            "image": .string(spec.image),
            "imagePullPolicy": .string(spec.imagePullPolicy.rawValue),
            "command": ["/bin/sh", .string(WorkspaceKeys.configMountPath + "/bootstrap")],
            "env": .array(env),
            "ports": [["name": "ssh", "containerPort": .int(Int64(options.sshPort)), "protocol": "TCP"]],
            "resources": [
                "limits": .object(limits),
                "requests": [
                    "cpu": .string(spec.resources.cpuRequest.description),
                    "memory": .string(spec.resources.memoryRequest.description),
                ],
            ],
            "readinessProbe": [
                "tcpSocket": ["port": .int(Int64(options.sshPort))],
                "periodSeconds": 2, "failureThreshold": 3, "timeoutSeconds": 1,
            ],
            "volumeMounts": .array(
                [
                    ["name": "cubicle-config", "mountPath": .string(WorkspaceKeys.configMountPath), "readOnly": true],
                    ["name": "cubicle-ssh", "mountPath": .string(WorkspaceKeys.secretMountPath), "readOnly": true],
                ] + storage.mounts),
        ]
        if let securityContext = spec.securityContext { container["securityContext"] = securityContext }

        var podSpec: JSONValue = [
            "hostname": .string(names.pod),
            "restartPolicy": "Always",
            "automountServiceAccountToken": false,
            "enableServiceLinks": false,
            "terminationGracePeriodSeconds": 10,
            "containers": [container],
            "volumes": .array(
                [
                    ["name": "cubicle-config", "configMap": ["name": .string(names.configMap), "defaultMode": 0o555]],
                    ["name": "cubicle-ssh", "secret": ["secretName": .string(names.sshSecret), "defaultMode": 0o400]],
                ] + storage.volumes),
        ]
        if let nodeSelector = spec.nodeSelector { podSpec["nodeSelector"] = nodeSelector }
        if let tolerations = spec.tolerations { podSpec["tolerations"] = tolerations }
        return [
            "apiVersion": "v1", "kind": "Pod",
            "metadata": Self.metadata(
                name: names.pod, namespace: identity.namespace, labels: labels,
                annotations: [WorkspaceKeys.sshPortAnnotation: String(options.sshPort)]),
            "spec": podSpec,
        ]
    }
}
