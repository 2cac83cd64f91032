import CubicleModel
import CubicleTestSupport
import Foundation

/// Certificates made with the `openssl` CLI for one test server: a CA, a server certificate for
/// 127.0.0.1 and `kube.test`, a client certificate (CN alice) signed by the CA, and an unrelated CA.
struct TestPKI: Sendable {
    let directory: TemporaryDirectory

    var caCertificate: String { directory.file("ca.crt") }
    var serverCertificate: String { directory.file("server.crt") }
    var serverKey: String { directory.file("server.key") }
    var clientCertificate: String { directory.file("client.crt") }
    var clientKey: String { directory.file("client.key") }
    var otherCACertificate: String { directory.file("other-ca.crt") }

    func bytes(_ path: String) throws -> [UInt8] { [UInt8](try Data(contentsOf: URL(fileURLWithPath: path))) }

    /// Generates everything into `directory`.
    static func generate(in directory: TemporaryDirectory) async throws -> TestPKI {
        let script = """
            set -e
            cd '\(directory.path)'
            ec="-newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes"
            openssl req -x509 $ec -keyout ca.key -out ca.crt -subj /CN=test-ca -days 2 2>/dev/null
            openssl req -x509 $ec -keyout other-ca.key -out other-ca.crt -subj /CN=other-ca -days 2 2>/dev/null
            printf 'subjectAltName=IP:127.0.0.1,DNS:kube.test\\nextendedKeyUsage=serverAuth\\n' > server.ext
            openssl req -new $ec -keyout server.key -out server.csr -subj /CN=kube-apiserver 2>/dev/null
            openssl x509 -req -in server.csr -CA ca.crt -CAkey ca.key -set_serial 2 -days 2 -extfile server.ext -out server.crt 2>/dev/null
            printf 'extendedKeyUsage=clientAuth\\n' > client.ext
            openssl req -new $ec -keyout client.key -out client.csr -subj '/O=system:masters/CN=alice' 2>/dev/null
            openssl x509 -req -in client.csr -CA ca.crt -CAkey ca.key -set_serial 3 -days 2 -extfile client.ext -out client.crt 2>/dev/null
            """
        try await run("/bin/sh", ["-c", script])
        return TestPKI(directory: directory)
    }

    /// Runs a command to completion on its own thread; throws on a non-zero exit.
    @discardableResult
    static func run(_ executable: String, _ arguments: [String], environment: [String: String]? = nil) async throws -> String {
        try await blocking {
            let outcome = try Program.run(executable, arguments, environment: environment)
            let text = outcome.output + outcome.errors
            guard outcome.succeeded else {
                throw TestFailure("\(executable) \(arguments.joined(separator: " ")) failed: \(text)")
            }
            return text
        }
    }
}
