#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import Synchronization

/// Reads a pipe on the poller thread without blocking anyone: until EOF, until a condition on the
/// bytes so far holds, or until a size limit. Takes ownership of the descriptor and closes it.
enum PipeReader {
    /// Reads from `fd` until `isComplete(bytes)` or EOF, keeping at most `limit` bytes.
    static func read(fd: Int32, limit: Int = 64 * 1024, until isComplete: @escaping @Sendable ([UInt8]) -> Bool = { _ in false }) async -> [UInt8] {
        _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK)
        let buffer = Mutex<[UInt8]>([])
        return await withCheckedContinuation { (continuation: CheckedContinuation<[UInt8], Never>) in
            FDPoller.shared.watch(fd: fd, closeWhenDone: true) {
                var chunk = [UInt8](repeating: 0, count: 4096)
                while true {
                    let count = Glibc.read(fd, &chunk, chunk.count)
                    if count > 0 {
                        let (done, bytes) = buffer.withLock { bytes -> (Bool, [UInt8]) in
                            bytes += chunk[0..<min(count, max(0, limit - bytes.count))]
                            return (bytes.count >= limit || isComplete(bytes), bytes)
                        }
                        if done {
                            continuation.resume(returning: bytes)
                            return .done
                        }
                        continue
                    }
                    if count < 0 && errno == EINTR { continue }
                    if count < 0 && (errno == EAGAIN || errno == EWOULDBLOCK) { return .keep }
                    // EOF or a read error: the writer is gone.
                    continuation.resume(returning: buffer.withLock { $0 })
                    return .done
                }
            }
        }
    }
}

/// Runs a helper program to completion, capturing its combined output.
enum CommandRunner {
    /// The result of a run.
    struct Outcome: Sendable {
        /// How it ended.
        var status: WaitStatus
        /// stdout and stderr, interleaved, at most 64 KiB.
        var output: String
    }

    /// Spawns `arguments` (argv[0] is the executable path) with a minimal environment.
    static func run(_ arguments: [String], environment: [String] = ["PATH=\(SandboxTools.searchPath.joined(separator: ":"))", "LC_ALL=C"]) async throws(SpawnFailure) -> Outcome {
        let spawned: Result<(RuntimeChild, Int32), SpawnFailure> = await RuntimeWorker.shared.run {
            guard let pipe = LinuxCalls.pipeCloexec() else {
                return .failure(SpawnFailure(step: "create a pipe", code: errno))
            }
            let devNull = open("/dev/null", O_RDONLY | O_CLOEXEC)
            defer {
                close(pipe.write)
                if devNull >= 0 { close(devNull) }
            }
            do throws(SpawnFailure) {
                let child = try Spawner.spawn(SpawnRequest(
                    executable: arguments[0], arguments: arguments, environment: environment,
                    stdin: devNull, stdout: pipe.write, stderr: pipe.write))
                return .success((child, pipe.read))
            } catch {
                close(pipe.read)
                return .failure(error)
            }
        }
        let (child, readEnd) = try spawned.get()
        let output = await PipeReader.read(fd: readEnd)
        let status = await child.wait()
        return Outcome(status: status, output: String(decoding: output, as: UTF8.self))
    }
}
