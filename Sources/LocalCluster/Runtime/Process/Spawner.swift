#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import CubicleModel

/// Everything `posix_spawn` needs for one child, plus the per-thread state the spawning thread
/// takes on for the duration of the call so the child is born inside the pod.
struct SpawnRequest {
    /// Absolute path of the program.
    var executable: String
    /// argv, including argv[0].
    var arguments: [String]
    /// The complete environment as `NAME=value` strings (nothing is inherited).
    var environment: [String]
    /// Descriptor that becomes the child's stdin.
    var stdin: Int32
    /// Descriptor that becomes the child's stdout.
    var stdout: Int32
    /// Descriptor that becomes the child's stderr.
    var stderr: Int32
    /// Descriptor that becomes the child's fd 3, when set.
    var fd3: Int32? = nil
    /// Whether the child starts a new session (so its process group can be found and killed).
    var newSession = false
    /// A PID namespace fd the child is born into (`setns` on the spawning thread, then back).
    var pidNamespace: Int32? = nil
    /// cgroup v1 `tasks` files the spawning thread joins before the spawn and the files it returns
    /// to after, so the child starts inside its cgroups without a race.
    var threadCgroups: [(enter: String, restore: String)] = []
}

/// Why a spawn failed.
struct SpawnFailure: Error {
    /// What was being done.
    var step: String
    /// The errno.
    var code: Int32

    /// `step: strerror`.
    var description: String { "\(step): \(LinuxCalls.describe(code))" }
}

/// `posix_spawn` with the runtime's conventions; call only on the `RuntimeWorker` thread, since it
/// changes that thread's PID namespace and cgroups while it runs.
enum Spawner {
    private static let ownPIDNamespace: Int32 = open("/proc/self/ns/pid", O_RDONLY | O_CLOEXEC)

    /// Spawns the child and starts watching it for exit.
    static func spawn(_ request: SpawnRequest) throws(SpawnFailure) -> RuntimeChild {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_adddup2(&actions, request.stdin, 0)
        posix_spawn_file_actions_adddup2(&actions, request.stdout, 1)
        posix_spawn_file_actions_adddup2(&actions, request.stderr, 2)
        if let fd3 = request.fd3 { posix_spawn_file_actions_adddup2(&actions, fd3, 3) }
        // Descriptors opened elsewhere in the process without O_CLOEXEC must not leak into pods.
        _ = LinuxCalls.addCloseFrom(&actions, request.fd3 == nil ? 3 : 4)

        let argv = request.arguments.map { strdup($0) } + [nil]
        let envp = request.environment.map { strdup($0) } + [nil]
        defer {
            for pointer in argv { free(pointer) }
            for pointer in envp { free(pointer) }
        }

        let restoreCgroups = try joinThreadCgroups(request.threadCgroups)
        defer { restoreThreadCgroups(restoreCgroups) }
        if let namespace = request.pidNamespace {
            if let code = LinuxCalls.setns(namespace, LinuxCalls.cloneNewPID) {
                throw SpawnFailure(step: "enter the pod's PID namespace", code: code)
            }
        }
        var pid: pid_t = 0
        let result = Program.withCleanSignals(extraFlags: request.newSession ? LinuxCalls.spawnSetSID : 0) {
            posix_spawn(&pid, request.executable, &actions, $0, argv, envp)
        }
        if request.pidNamespace != nil {
            // Restoring cannot fail for our own namespace; if it somehow did, this thread's
            // later children would land in a pod, so fail loudly rather than carry on.
            if let code = LinuxCalls.setns(ownPIDNamespace, LinuxCalls.cloneNewPID) {
                preconditionFailure("cannot return the runtime worker to its PID namespace: \(LinuxCalls.describe(code))")
            }
        }
        guard result == 0 else {
            throw SpawnFailure(step: "spawn \(request.executable)", code: result)
        }
        return RuntimeChild.adopt(pid: pid)
    }

    private static func joinThreadCgroups(_ moves: [(enter: String, restore: String)]) throws(SpawnFailure) -> [String] {
        guard !moves.isEmpty else { return [] }
        guard let tid = LinuxCalls.currentThreadID() else {
            throw SpawnFailure(step: "find the worker's thread id", code: ENOSYS)
        }
        var joined: [String] = []
        for move in moves {
            if let code = FileIO.write("\(tid)\n", to: move.enter, flags: O_WRONLY) {
                restoreThreadCgroups(joined)
                throw SpawnFailure(step: "join cgroup \(move.enter)", code: code)
            }
            joined.append(move.restore)
        }
        return joined
    }

    private static func restoreThreadCgroups(_ files: [String]) {
        guard !files.isEmpty, let tid = LinuxCalls.currentThreadID() else { return }
        for file in files {
            _ = FileIO.write("\(tid)\n", to: file, flags: O_WRONLY)
        }
    }
}
