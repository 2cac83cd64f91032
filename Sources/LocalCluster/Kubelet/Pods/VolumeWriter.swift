#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import Foundation

/// Puts a `VolumePlan` on disk (on the runtime's worker thread, never the cooperative pool):
/// ConfigMap and Secret volumes are rewritten from scratch with their modes, emptyDir and claim
/// directories are created once and kept.
enum VolumeWriter {
    /// Writes every volume; the error names the volume and the failing path.
    static func write(_ plan: VolumePlan) async throws(VolumePlan.MountFailure) {
        let failure: VolumePlan.MountFailure? = await RuntimeWorker.shared.run {
            for volume in plan.volumes {
                if let problem = write(volume) { return VolumePlan.MountFailure(volume: volume.name, message: problem) }
            }
            return nil
        }
        if let failure { throw failure }
    }

    private static func write(_ volume: VolumePlan.Volume) -> String? {
        switch volume.source {
        case .emptyDir, .claim:
            if let code = FileIO.makeDirectories(volume.hostPath, mode: 0o777) {
                return "cannot create \(volume.hostPath): \(LinuxCalls.describe(code))"
            }
            chmod(volume.hostPath, 0o777)
            return nil
        case .files(let files):
            // Only plain files live here (mounts are made elsewhere), so removing it is safe.
            try? FileManager.default.removeItem(atPath: volume.hostPath)
            if let code = FileIO.makeDirectories(volume.hostPath, mode: 0o755) {
                return "cannot create \(volume.hostPath): \(LinuxCalls.describe(code))"
            }
            for file in files {
                let path = volume.hostPath + "/" + file.path
                if let slash = path.lastIndex(of: "/"), let code = FileIO.makeDirectories(String(path[..<slash]), mode: 0o755) {
                    return "cannot create the directory of \(path): \(LinuxCalls.describe(code))"
                }
                if let problem = writeFile(path, file.bytes, mode: mode_t(file.mode)) { return problem }
            }
            return nil
        }
    }

    private static func writeFile(_ path: String, _ bytes: [UInt8], mode: mode_t) -> String? {
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0o600)
        guard fd >= 0 else { return "cannot write \(path): \(LinuxCalls.describe(errno))" }
        defer { close(fd) }
        var written = 0
        while written < bytes.count {
            let count = bytes[written...].withUnsafeBytes { Glibc.write(fd, $0.baseAddress, $0.count) }
            if count < 0 {
                if errno == EINTR { continue }
                return "cannot write \(path): \(LinuxCalls.describe(errno))"
            }
            written += count
        }
        guard fchmod(fd, mode) == 0 else { return "cannot set the mode of \(path): \(LinuxCalls.describe(errno))" }
        return nil
    }
}
