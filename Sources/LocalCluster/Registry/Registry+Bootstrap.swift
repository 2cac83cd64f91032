import CubicleModel
import Foundation

/// The embedded cluster's single node.
public enum LocalNode {
    /// The node name pods are bound to.
    public static let name = "local"
}

extension Registry {
    /// The namespaces every cluster has.
    static let systemNamespaces = ["default", "kube-system", "kube-public", "kube-node-lease"]

    /// Makes sure the objects a cluster always has exist: the system namespaces with their
    /// ServiceAccount and CA ConfigMap, and the Ready node `local`. Idempotent across restarts.
    func bootstrap() {
        let now = timestamp
        _ = try? store.write { state throws(LocalClusterError) in
            for namespace in Self.systemNamespaces {
                let key = ObjectKey(namespace: "", name: namespace)
                if state.object(ResourceCatalog.namespaces, key) == nil {
                    state.put(
                        ResourceCatalog.namespaces, key,
                        [
                            "apiVersion": "v1", "kind": "Namespace",
                            "metadata": systemMetadata(name: namespace, namespace: nil, now: now),
                            "spec": ["finalizers": ["kubernetes"]], "status": ["phase": "Active"],
                        ]
                    )
                }
                seedNamespaceContents(namespace, in: &state)
            }
            let nodeKey = ObjectKey(namespace: "", name: LocalNode.name)
            let existing = state.object(ResourceCatalog.nodes, nodeKey)
            if existing == nil || !Self.isReady(existing) {
                var node = existing ?? [
                    "apiVersion": "v1", "kind": "Node",
                    "metadata": systemMetadata(name: LocalNode.name, namespace: nil, now: now),
                    "spec": [:],
                ]
                node.setMeta("labels", [
                    "kubernetes.io/hostname": .string(LocalNode.name), "kubernetes.io/os": "linux",
                    "kubernetes.io/arch": "amd64", "node-role.kubernetes.io/control-plane": "",
                ])
                node["status"] = Self.nodeStatus(now: now)
                state.put(ResourceCatalog.nodes, nodeKey, node)
            }
        }
    }

    private static func isReady(_ node: JSONValue?) -> Bool {
        (node?[path: ["status", "conditions"]]?.arrayValue ?? []).contains {
            $0["type"]?.stringValue == "Ready" && $0["status"]?.stringValue == "True"
        }
    }

    private static func nodeStatus(now: String) -> JSONValue {
        let cores = Int64(ProcessInfo.processInfo.activeProcessorCount)
        let memoryKiB = Int64(ProcessInfo.processInfo.physicalMemory / 1024)
        let resources: JSONValue = [
            "cpu": .string(String(cores)), "memory": .string("\(memoryKiB)Ki"), "pods": "110",
            "ephemeral-storage": "100Gi",
        ]
        func condition(_ type: String, _ status: String, _ reason: String, _ message: String) -> JSONValue {
            [
                "type": .string(type), "status": .string(status), "reason": .string(reason), "message": .string(message),
                "lastHeartbeatTime": .string(now), "lastTransitionTime": .string(now),
            ]
        }
        return [
            "capacity": resources, "allocatable": resources,
            "conditions": [
                condition("MemoryPressure", "False", "KubeletHasSufficientMemory", "kubelet has sufficient memory available"),
                condition("DiskPressure", "False", "KubeletHasNoDiskPressure", "kubelet has no disk pressure"),
                condition("PIDPressure", "False", "KubeletHasSufficientPID", "kubelet has sufficient PID available"),
                condition("Ready", "True", "KubeletReady", "kubelet is posting ready status"),
            ],
            "addresses": [
                ["type": "InternalIP", "address": "127.0.0.1"], ["type": "Hostname", "address": .string(LocalNode.name)],
            ],
            "nodeInfo": [
                "kubeletVersion": .string(ClusterVersion.gitVersion), "kubeProxyVersion": .string(ClusterVersion.gitVersion),
                "osImage": "Cubicle LocalCluster", "kernelVersion": .string(ProcessInfo.processInfo.operatingSystemVersionString),
                "containerRuntimeVersion": .string("cubicle://\(CubicleVersion.current)"), "operatingSystem": "linux",
                "architecture": "amd64", "machineID": "", "systemUUID": "", "bootID": "",
            ],
        ]
    }
}
