import Foundation
import KubeClient

extension Provisioner {
    /// Sets the URL processes in workspaces reach the API at (`CUBICLE_API_URL`), for servers
    /// whose address is only known once they listen; an explicitly configured URL wins.
    public func useWorkspaceAPIURL(_ url: String) {
        workspaceAPIURL.withLock { $0 = url }
    }

    /// A fresh token for ServiceAccount `name` in `namespace` through the TokenRequest API; never
    /// stored. `not_found` when the ServiceAccount does not exist.
    public func serviceAccountToken(_ name: String, namespace: String, seconds: Int = 3600) async throws -> (token: String, expiresAt: Date) {
        let status = try await client.requestToken(serviceAccount: name, namespace: namespace, expirationSeconds: seconds)
        return (status.token, status.expirationTimestamp?.date ?? Date().addingTimeInterval(Double(seconds)))
    }
}
