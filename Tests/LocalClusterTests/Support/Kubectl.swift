import Foundation

/// The real `kubectl`, pointed at one cluster through a kubeconfig, with its own HOME and
/// discovery cache so parallel tests never share state.
struct Kubectl: Sendable {
    let kubeconfig: String
    let home: String

    /// The kubectl binary: on PATH or in /usr/bin; the error names what is missing.
    static func binary() throws -> String {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        for directory in path.split(separator: ":") + ["/usr/bin", "/usr/local/bin"] {
            let candidate = "\(directory)/kubectl"
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        }
        throw TestFailure("kubectl is not installed (not on PATH nor in /usr/bin): the kubectl integration tests need kubectl v1.32")
    }

    /// A kubectl for `cluster`, with a kubeconfig written by the cluster itself.
    static func forCluster(_ test: TestCluster) async throws -> Kubectl {
        let home = test.directory + "/kubectl-home"
        try FileManager.default.createDirectory(atPath: home, withIntermediateDirectories: true)
        let kubeconfig = test.directory + "/kubeconfig"
        try await test.cluster.writeKubeconfig(to: kubeconfig)
        return Kubectl(kubeconfig: kubeconfig, home: home)
    }

    var environment: [String: String] {
        [
            "HOME": home, "PATH": ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin",
            "KUBECONFIG": kubeconfig,
        ]
    }

    /// Runs `kubectl <arguments>` to completion (`input` on stdin).
    func run(_ arguments: [String], input: String = "") async throws -> ProcessOutput {
        try await Subprocess.run(
            try Self.binary(), ["--kubeconfig", kubeconfig, "--cache-dir", home + "/cache"] + arguments,
            environment: environment, input: Array(input.utf8)
        )
    }

    /// Starts a long-running kubectl (e.g. `get -w`).
    func start(_ arguments: [String]) throws -> Subprocess {
        try Subprocess(
            try Self.binary(), ["--kubeconfig", kubeconfig, "--cache-dir", home + "/cache"] + arguments,
            environment: environment
        )
    }
}
