import Foundation
import CLibSSH

/// Owns one libssh key object; the key is used only by the thread that created the wrapper.
final class LibSSHKey {
    let raw: ssh_key

    private init(raw: ssh_key) { self.raw = raw }

    deinit { ssh_key_free(raw) }

    /// A new Ed25519 private key.
    static func generateEd25519() throws(SSHError) -> LibSSHKey {
        LibSSH.ensureInitialized()
        var key: ssh_key?
        guard ssh_pki_generate(SSH_KEYTYPE_ED25519, 0, &key) == SSH_OK, let key else {
            throw .invalidKey("could not generate an Ed25519 key")
        }
        return LibSSHKey(raw: key)
    }

    /// Imports a private key in OpenSSH (or PEM) form without a passphrase.
    static func importPrivate(_ text: String) throws(SSHError) -> LibSSHKey {
        LibSSH.ensureInitialized()
        var key: ssh_key?
        let rc = ssh_pki_import_privkey_base64(text, nil, nil, nil, &key)
        guard rc == SSH_OK, let key else {
            throw .invalidKey("the private key is not an unencrypted OpenSSH or PEM private key")
        }
        return LibSSHKey(raw: key)
    }

    /// Imports a public key from its algorithm name and base64 blob.
    static func importPublic(algorithm: String, base64: String) throws(SSHError) -> LibSSHKey {
        LibSSH.ensureInitialized()
        let type = ssh_key_type_from_name(algorithm)
        guard type != SSH_KEYTYPE_UNKNOWN else {
            throw .invalidKey("unsupported public key algorithm '\(algorithm)'")
        }
        var key: ssh_key?
        guard ssh_pki_import_pubkey_base64(base64, type, &key) == SSH_OK, let key else {
            throw .invalidKey("the public key data is not a valid \(algorithm) key")
        }
        let imported = LibSSHKey(raw: key)
        guard imported.algorithm == algorithm else {
            throw .invalidKey("the public key says '\(algorithm)' but holds a '\(imported.algorithm)' key")
        }
        return imported
    }

    /// Wraps a key libssh handed over (e.g. the server's host key); takes ownership.
    static func adopting(_ raw: ssh_key) -> LibSSHKey { LibSSHKey(raw: raw) }

    /// The key's algorithm name as used in `authorized_keys` (e.g. `ssh-ed25519`).
    var algorithm: String {
        guard let name = ssh_key_type_to_char(ssh_key_type(raw)) else { return "unknown" }
        return String(cString: name)
    }

    /// The public half as base64 of the SSH wire blob.
    func publicBase64() throws(SSHError) -> String {
        var blob: UnsafeMutablePointer<CChar>?
        guard ssh_pki_export_pubkey_base64(raw, &blob) == SSH_OK, let blob else {
            throw .invalidKey("could not export the public key")
        }
        defer { ssh_string_free_char(blob) }
        return String(cString: blob)
    }

    /// The private key in OpenSSH format, wrapped at 70 columns like `ssh-keygen` writes it.
    func privateOpenSSH() throws(SSHError) -> String {
        var text: UnsafeMutablePointer<CChar>?
        guard ssh_pki_export_privkey_base64(raw, nil, nil, nil, &text) == SSH_OK, let text else {
            throw .invalidKey("could not export the private key")
        }
        defer {
            let count = strlen(text)
            memset(text, 0, count)
            ssh_string_free_char(text)
        }
        return Self.rewrapPEM(String(cString: text))
    }

    /// `SHA256:<base64 without padding>`, exactly as OpenSSH prints fingerprints.
    func fingerprintSHA256() -> String {
        var hash: UnsafeMutablePointer<UInt8>?
        var length = 0
        guard ssh_get_publickey_hash(raw, SSH_PUBLICKEY_HASH_SHA256, &hash, &length) == SSH_OK, let digest = hash else {
            return "SHA256:?"
        }
        defer { ssh_clean_pubkey_hash(&hash) }
        guard let text = ssh_get_fingerprint_hash(SSH_PUBLICKEY_HASH_SHA256, digest, length) else { return "SHA256:?" }
        defer { ssh_string_free_char(text) }
        return String(cString: text)
    }

    /// True when both keys have the same public half.
    func samePublicKey(as other: LibSSHKey) -> Bool {
        ssh_key_cmp(raw, other.raw, SSH_KEY_CMP_PUBLIC) == 0
    }

    private static func rewrapPEM(_ text: String) -> String {
        var lines: [Substring] = []
        var body = ""
        for line in text.split(whereSeparator: \.isNewline) {
            if line.hasPrefix("-----") {
                if !body.isEmpty {
                    var rest = Substring(body)
                    while !rest.isEmpty {
                        lines.append(rest.prefix(70))
                        rest = rest.dropFirst(70)
                    }
                    body = ""
                }
                lines.append(line)
            } else {
                body += line.trimmingCharacters(in: .whitespaces)
            }
        }
        return lines.joined(separator: "\n") + "\n"
    }
}

@available(*, unavailable)
extension LibSSHKey: Sendable {}

extension LibSSHKey {
    /// True when the key holds a private part.
    var isPrivate: Bool { ssh_key_is_private(raw) == 1 }
}
