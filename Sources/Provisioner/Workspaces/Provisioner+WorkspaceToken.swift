import Blueprints
import CubicleModel
import Foundation
import KubeClient

extension Provisioner {
    /// The workspace of `owner` whose own token (in its SSH Secret) is `presented`, or nil. Used to
    /// let processes inside a workspace trade that token for a short-lived user token.
    public func workspace(presentingToken presented: String, ownedBy owner: String) async throws -> String? {
        guard presented.hasPrefix("cws_"), presented.utf8.count <= 128 else { return nil }
        for name in observer.workspaceNames().sorted() where self.owner(of: name) == owner {
            let names = WorkspaceObjectNames(workspace: name)
            let secret: Secret
            do {
                secret = try await client.get(Secret.self, name: names.sshSecret, namespace: settings.namespace)
            } catch let error as KubeError where error.isNotFound {
                continue
            }
            guard let stored = secret.data?[WorkspaceKeys.workspaceToken] else { continue }
            if Self.constantTimeEqual(Array(stored), Array(presented.utf8)) { return name }
        }
        return nil
    }

    private static func constantTimeEqual(_ a: [UInt8], _ b: [UInt8]) -> Bool {
        guard a.count == b.count else { return false }
        var difference: UInt8 = 0
        for index in a.indices { difference |= a[index] ^ b[index] }
        return difference == 0
    }
}
