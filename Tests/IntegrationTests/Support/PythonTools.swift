import CubicleModel
import CubicleTestSupport
import Foundation
import Synchronization

/// The Python of `.build/pytools` (made by `make pytools`), where the outside clients the tests
/// drive are installed from PyPI: requests, websocket-client, oidc-provider-mock, schemathesis.
enum PythonTools {
    /// The first interpreter that imports `module` (resolved once per module; the pyenv shim is
    /// slow under load).
    static func interpreter(importing module: String) throws -> String {
        let found = cache.withLock { cache in
            if let known = cache[module] { return known }
            let candidates = ["\(ServerHarness.repository)/.build/pytools/bin/python3", "/usr/bin/python3", "/usr/local/bin/python3"] + pyenvPythons()
            let found = candidates.first { candidate in
                FileManager.default.isExecutableFile(atPath: candidate)
                    && (try? Program.run(candidate, ["-c", "import \(module)"]))?.succeeded == true
            }
            cache[module] = .some(found)
            return found
        }
        guard let found else { throw TestFailure("no python3 with \(module): run `make pytools` (the venv in .build/pytools)") }
        return found
    }

    /// Runs `script` with `arguments` under the interpreter that has `module`; its exit status
    /// and its stdout followed by its stderr.
    static func run(_ script: String, _ arguments: [String], importing module: String) async throws -> (status: Int32, output: String) {
        let python = try await blocking { try interpreter(importing: module) }
        return try await ChildProcess.run(python, arguments: ["-W", "ignore", "-c", script] + arguments)
    }

    private static let cache = Mutex<[String: String?]>([:])

    private static func pyenvPythons() -> [String] {
        let root = "/root/.pyenv/versions"
        let versions = (try? FileManager.default.contentsOfDirectory(atPath: root)) ?? []
        return versions.sorted().reversed().map { "\(root)/\($0)/bin/python3" }
    }
}
