import Crypto
import Foundation
import SwiftASN1
import X509

/// A certificate and its private key, both PEM.
public struct PEMCredentials: Sendable, Hashable {
    /// The certificate, PEM.
    public let certificatePEM: String
    /// The private key (PKCS #8), PEM.
    public let privateKeyPEM: String
}

/// The cluster's certificate authority: created on first start and kept in the data dir; it
/// signs the serving certificate and the client certificates users authenticate with.
/// Certificates use the system clock, because TLS peers check them against it.
final class CertificateAuthority: Sendable {
    let certificate: Certificate
    /// The raw private key (the Crypto key type is not `Sendable`; it is rebuilt per use).
    private let keyBytes: [UInt8]
    /// The CA certificate, PEM.
    let certificatePEM: String

    private init(certificate: Certificate, key: P256.Signing.PrivateKey) throws {
        self.certificate = certificate
        keyBytes = Array(key.rawRepresentation)
        certificatePEM = try certificate.serializeAsPEM().pemString
    }

    private var key: P256.Signing.PrivateKey {
        get throws { try P256.Signing.PrivateKey(rawRepresentation: keyBytes) }
    }

    /// Loads `directory/ca.crt` and `ca.key`, creating them on first use. Blocking file I/O.
    @available(*, noasync, message: "blocking file I/O; run on the persister's thread")
    static func loadOrCreate(directory: String) throws(LocalClusterError) -> CertificateAuthority {
        let certificatePath = directory + "/ca.crt"
        let keyPath = directory + "/ca.key"
        do {
            if let certificateBytes = try AtomicFile.read(certificatePath), let keyBytes = try AtomicFile.read(keyPath) {
                let certificate = try Certificate(pemEncoded: String(decoding: certificateBytes, as: UTF8.self))
                let key = try P256.Signing.PrivateKey(pemRepresentation: String(decoding: keyBytes, as: UTF8.self))
                return try CertificateAuthority(certificate: certificate, key: key)
            }
            let key = P256.Signing.PrivateKey()
            let signingKey = Certificate.PrivateKey(key)
            let name = try DistinguishedName {
                OrganizationName("cubicle")
                CommonName("cubicle-local-ca")
            }
            let now = Date()
            let certificate = try Certificate(
                version: .v3, serialNumber: Certificate.SerialNumber(), publicKey: signingKey.publicKey,
                notValidBefore: now.addingTimeInterval(-3600), notValidAfter: now.addingTimeInterval(10 * 365 * 86_400),
                issuer: name, subject: name, signatureAlgorithm: .ecdsaWithSHA256,
                extensions: try Certificate.Extensions {
                    Critical(BasicConstraints.isCertificateAuthority(maxPathLength: 0))
                    Critical(KeyUsage(digitalSignature: true, keyCertSign: true, cRLSign: true))
                    SubjectKeyIdentifier(hash: signingKey.publicKey)
                },
                issuerPrivateKey: signingKey
            )
            let authority = try CertificateAuthority(certificate: certificate, key: key)
            try AtomicFile.write(Array(key.pemRepresentation.utf8), to: keyPath)
            try AtomicFile.write(Array(authority.certificatePEM.utf8), to: certificatePath, mode: 0o644)
            return authority
        } catch let error as LocalClusterError {
            throw error
        } catch {
            throw .setup("cannot load or create the cluster CA in \(directory)", underlying: error)
        }
    }

    /// A serving certificate for `127.0.0.1`, `::1` and `localhost` plus `extraHosts`.
    func issueServingCertificate(extraHosts: [String] = []) throws(LocalClusterError) -> PEMCredentials {
        var names: [GeneralName] = [.dnsName("localhost"), .ipAddress(ASN1OctetString(contentBytes: [127, 0, 0, 1]))]
        names.append(.ipAddress(ASN1OctetString(contentBytes: ArraySlice([UInt8](repeating: 0, count: 15) + [1]))))
        for host in extraHosts {
            if let address = IPv4(host) {
                names.append(.ipAddress(ASN1OctetString(contentBytes: ArraySlice(address))))
            } else if !host.isEmpty {
                names.append(.dnsName(host))
            }
        }
        let subjectAlternativeNames = SubjectAlternativeNames(names)
        return try issue(commonName: "cubicle-local-apiserver", organizations: [], validity: 365 * 86_400) {
            try Certificate.Extensions {
                Critical(BasicConstraints.notCertificateAuthority)
                Critical(KeyUsage(digitalSignature: true, keyEncipherment: true))
                try ExtendedKeyUsage([.serverAuth])
                subjectAlternativeNames
            }
        }
    }

    /// A client certificate for `user` in `groups` (CN = user, one O per group).
    func issueClientCertificate(user: String, groups: [String], validity: TimeInterval) throws(LocalClusterError) -> PEMCredentials {
        try issue(commonName: user, organizations: groups, validity: validity) {
            try Certificate.Extensions {
                Critical(BasicConstraints.notCertificateAuthority)
                Critical(KeyUsage(digitalSignature: true, keyEncipherment: true))
                try ExtendedKeyUsage([.clientAuth])
            }
        }
    }

    private func issue(
        commonName: String, organizations: [String], validity: TimeInterval,
        extensions: () throws -> Certificate.Extensions
    ) throws(LocalClusterError) -> PEMCredentials {
        do {
            let leafKey = P256.Signing.PrivateKey()
            var attributes: [RelativeDistinguishedName.Attribute] = organizations.map {
                RelativeDistinguishedName.Attribute(type: ASN1ObjectIdentifier.RDNAttributeType.organizationName, utf8String: $0)
            }
            attributes.append(RelativeDistinguishedName.Attribute(type: ASN1ObjectIdentifier.RDNAttributeType.commonName, utf8String: commonName))
            let subject = DistinguishedName(attributes.map { RelativeDistinguishedName($0) })
            let now = Date()
            var extensionSet = try extensions()
            let issuerKey = Certificate.PrivateKey(try key)
            let authorityKey = SubjectKeyIdentifier(hash: issuerKey.publicKey).keyIdentifier
            try extensionSet.append(Certificate.Extension(AuthorityKeyIdentifier(keyIdentifier: authorityKey), critical: false))
            let certificate = try Certificate(
                version: .v3, serialNumber: Certificate.SerialNumber(), publicKey: Certificate.PrivateKey(leafKey).publicKey,
                notValidBefore: now.addingTimeInterval(-300), notValidAfter: now.addingTimeInterval(validity),
                issuer: self.certificate.subject, subject: subject, signatureAlgorithm: .ecdsaWithSHA256,
                extensions: extensionSet, issuerPrivateKey: issuerKey
            )
            return PEMCredentials(certificatePEM: try certificate.serializeAsPEM().pemString, privateKeyPEM: leafKey.pemRepresentation)
        } catch {
            throw .setup("cannot issue a certificate for \(commonName)", underlying: error)
        }
    }

    /// The four bytes of a dotted IPv4 address, or nil.
    private func IPv4(_ text: String) -> [UInt8]? {
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 4 else { return nil }
        let bytes = parts.compactMap { UInt8($0) }
        return bytes.count == 4 ? bytes : nil
    }
}
