import NIOSSL
import SwiftASN1
import X509

/// Reading users from verified client certificates, as the API server's x509 authenticator does:
/// the subject's CN is the user name, each O a group.
enum ClientCertificates {
    /// The user of `certificate`, or nil when it names nobody.
    static func user(of certificate: NIOSSLCertificate) -> UserInfo? {
        guard let der = try? certificate.toDERBytes(), let parsed = try? Certificate(derEncoded: der) else { return nil }
        var name: String?
        var groups: [String] = []
        for relativeName in parsed.subject {
            for attribute in relativeName {
                guard let value = String(attribute.value) else { continue }
                if attribute.type == ASN1ObjectIdentifier.RDNAttributeType.commonName {
                    name = value
                } else if attribute.type == ASN1ObjectIdentifier.RDNAttributeType.organizationName {
                    groups.append(value)
                }
            }
        }
        guard let name, !name.isEmpty else { return nil }
        return UserInfo(name: name, groups: groups + ["system:authenticated"])
    }
}
