import Foundation

/// Renders the kubeconfig of the embedded cluster: cluster and context `cubicle-local`,
/// namespace `default`, the CA and the user's client certificate inline.
enum Kubeconfig {
    /// The name of the cluster and context.
    static let contextName = "cubicle-local"

    static func render(server: String, certificateAuthorityPEM: String?, user: String, credentials: PEMCredentials?) -> String {
        var lines = [
            "apiVersion: v1",
            "kind: Config",
            "clusters:",
            "- name: \(contextName)",
            "  cluster:",
            "    server: \(quoted(server))",
        ]
        if let certificateAuthorityPEM { lines.append("    certificate-authority-data: \(base64(certificateAuthorityPEM))") }
        lines += ["users:", "- name: \(quoted(user))"]
        if let credentials {
            lines += [
                "  user:",
                "    client-certificate-data: \(base64(credentials.certificatePEM))",
                "    client-key-data: \(base64(credentials.privateKeyPEM))",
            ]
        } else {
            lines.append("  user: {}")
        }
        lines += [
            "contexts:",
            "- name: \(contextName)",
            "  context:",
            "    cluster: \(contextName)",
            "    user: \(quoted(user))",
            "    namespace: default",
            "current-context: \(contextName)",
            "preferences: {}",
        ]
        return lines.joined(separator: "\n") + "\n"
    }

    private static func base64(_ text: String) -> String { Data(text.utf8).base64EncodedString() }

    /// A YAML double-quoted scalar.
    private static func quoted(_ text: String) -> String {
        "\"" + text.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"") + "\""
    }
}
