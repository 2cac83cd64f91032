import CubicleModel
import Foundation

/// What a pod's volumes become on the host, worked out from the pod and the objects it mounts
/// before anything is written: file sets for ConfigMaps and Secrets, directories for emptyDir
/// and claims. A missing object is a `MountFailure`, which keeps the pod in ContainerCreating.
struct VolumePlan: Sendable {
    /// One file of a ConfigMap or Secret volume.
    struct File: Sendable, Equatable {
        var path: String
        var bytes: [UInt8]
        var mode: UInt32
    }

    /// How one volume is provided.
    enum Source: Sendable {
        /// A fresh directory filled with these files (recreated on every start).
        case files([File])
        /// An empty directory that lives as long as the pod.
        case emptyDir
        /// A claim's directory, kept after the pod (`claim` is the PVC object).
        case claim(name: String, object: JSONValue)
    }

    /// One volume and where it lives.
    struct Volume: Sendable {
        var name: String
        var hostPath: String
        var source: Source
        /// ConfigMaps and Secrets are always read-only inside the pod.
        var forcesReadOnly: Bool
        /// A claim volume marked `readOnly`.
        var readOnly: Bool
    }

    /// Why a volume cannot be set up yet.
    struct MountFailure: Error, Sendable, Equatable {
        var volume: String
        var message: String

        /// The `FailedMount` event message.
        var eventMessage: String { "MountVolume.SetUp failed for volume \"\(volume)\" : \(message)" }
    }

    var volumes: [Volume]

    /// Plans the volumes of `pod`; `podDirectory` holds its own volumes, `claimsDirectory`
    /// (`<data dir>/volumes`) the claims.
    static func make(
        for pod: PodSpecView, podDirectory: String, claimsDirectory: String, api: any KubeletAPI
    ) throws(MountFailure) -> VolumePlan {
        var volumes: [Volume] = []
        for json in pod.volumes {
            guard let name = json["name"]?.stringValue, !name.isEmpty, SpecValidation.isDNSLabel(name) else { continue }
            let local = podDirectory + "/volumes/" + name
            if let source = json["configMap"] {
                let mapName = source["name"]?.stringValue ?? ""
                guard let map = api.configMap(namespace: pod.namespace, name: mapName) else {
                    if source["optional"]?.boolValue == true {
                        volumes.append(Volume(name: name, hostPath: local, source: .files([]), forcesReadOnly: true, readOnly: true))
                        continue
                    }
                    throw MountFailure(volume: name, message: "configmap \"\(mapName)\" not found")
                }
                var data: [String: [UInt8]] = [:]
                for (key, value) in map["data"]?.objectValue ?? [:] { data[key] = Array((value.stringValue ?? "").utf8) }
                for (key, value) in map["binaryData"]?.objectValue ?? [:] {
                    data[key] = value.stringValue.flatMap { Data(base64Encoded: $0) }.map { Array($0) } ?? []
                }
                let files = try projection(volume: name, kind: "configmap", object: mapName, data: data, source: source)
                volumes.append(Volume(name: name, hostPath: local, source: .files(files), forcesReadOnly: true, readOnly: true))
            } else if let source = json["secret"] {
                let secretName = source["secretName"]?.stringValue ?? ""
                guard let secret = api.secret(namespace: pod.namespace, name: secretName) else {
                    if source["optional"]?.boolValue == true {
                        volumes.append(Volume(name: name, hostPath: local, source: .files([]), forcesReadOnly: true, readOnly: true))
                        continue
                    }
                    throw MountFailure(volume: name, message: "secret \"\(secretName)\" not found")
                }
                let files = try projection(
                    volume: name, kind: "secret", object: secretName, data: secretData(secret), source: source)
                volumes.append(Volume(name: name, hostPath: local, source: .files(files), forcesReadOnly: true, readOnly: true))
            } else if json["persistentVolumeClaim"] != nil {
                let claimName = json[path: ["persistentVolumeClaim", "claimName"]]?.stringValue ?? ""
                guard let claim = api.persistentVolumeClaim(namespace: pod.namespace, name: claimName) else {
                    throw MountFailure(volume: name, message: "persistentvolumeclaim \"\(claimName)\" not found")
                }
                volumes.append(Volume(
                    name: name, hostPath: claimsDirectory + "/" + pod.namespace + "/" + claimName,
                    source: .claim(name: claimName, object: claim), forcesReadOnly: false,
                    readOnly: json[path: ["persistentVolumeClaim", "readOnly"]]?.boolValue ?? false))
            } else if json["emptyDir"] != nil {
                volumes.append(Volume(name: name, hostPath: local, source: .emptyDir, forcesReadOnly: false, readOnly: false))
            } else {
                let kind = json.objectValue?.keys.first { $0 != "name" } ?? "unknown"
                throw MountFailure(volume: name, message: "volume type \(kind) is not supported by the local kubelet")
            }
        }
        return VolumePlan(volumes: volumes)
    }

    /// The mounts of the pod's containers, deduplicated by mount path (the sandbox shares one
    /// mount table among its containers). Mounts naming unknown volumes are skipped.
    func mounts(for containers: [PodSpecView.Container]) -> [VolumeMount] {
        var mounts: [VolumeMount] = []
        var seen: Set<String> = []
        for container in containers {
            for mount in container.json["volumeMounts"]?.arrayValue ?? [] {
                guard let name = mount["name"]?.stringValue, let path = mount["mountPath"]?.stringValue,
                      let volume = volumes.first(where: { $0.name == name }),
                      seen.insert(SpecValidation.normalized(path)).inserted
                else { continue }
                let subPath = mount["subPath"]?.stringValue.flatMap { $0.isEmpty ? nil : $0 }
                mounts.append(VolumeMount(
                    hostPath: volume.hostPath, containerPath: path,
                    readOnly: volume.forcesReadOnly || volume.readOnly || (mount["readOnly"]?.boolValue ?? false),
                    subPath: subPath))
            }
        }
        return mounts
    }

    /// A Secret's `data` (base64) with `stringData` over it.
    static func secretData(_ secret: JSONValue) -> [String: [UInt8]] {
        var data: [String: [UInt8]] = [:]
        for (key, value) in secret["data"]?.objectValue ?? [:] {
            data[key] = value.stringValue.flatMap { Data(base64Encoded: $0) }.map { Array($0) } ?? []
        }
        for (key, value) in secret["stringData"]?.objectValue ?? [:] { data[key] = Array((value.stringValue ?? "").utf8) }
        return data
    }

    /// The files of a ConfigMap or Secret volume: every key, or only `items` (with their own
    /// paths and modes); `defaultMode` otherwise (0644).
    private static func projection(
        volume: String, kind: String, object: String, data: [String: [UInt8]], source: JSONValue
    ) throws(MountFailure) -> [File] {
        let defaultMode = source["defaultMode"]?.intValue.flatMap { UInt32(exactly: $0) }.map { $0 & 0o777 } ?? 0o644
        guard let items = source["items"]?.arrayValue else {
            return data.keys.sorted().filter(isSafeRelativePath).map { File(path: $0, bytes: data[$0] ?? [], mode: defaultMode) }
        }
        var files: [File] = []
        for item in items {
            guard let key = item["key"]?.stringValue else { continue }
            let path = item["path"]?.stringValue ?? key
            guard isSafeRelativePath(path) else {
                throw MountFailure(volume: volume, message: "invalid path \"\(path)\" for key \(key)")
            }
            guard let bytes = data[key] else {
                if source["optional"]?.boolValue == true { continue }
                throw MountFailure(volume: volume, message: "configuration key \"\(key)\" not found in \(kind) \"\(object)\"")
            }
            let mode = item["mode"]?.intValue.flatMap { UInt32(exactly: $0) }.map { $0 & 0o777 } ?? defaultMode
            files.append(File(path: path, bytes: bytes, mode: mode))
        }
        return files
    }

    /// A relative path without `..`, empty parts or NULs.
    static func isSafeRelativePath(_ path: String) -> Bool {
        let parts = path.split(separator: "/", omittingEmptySubsequences: false)
        return !path.isEmpty && !path.hasPrefix("/") && !path.contains("\0") && !parts.contains("..") && !parts.contains("")
            && path.count <= 253
    }
}
