import Foundation

/// Unpadded base64url (RFC 4648 §5), as JOSE uses it.
enum Base64URL {
    /// Encodes bytes.
    static func encode(_ bytes: some Sequence<UInt8>) -> String {
        var text = Data(bytes).base64EncodedString()
        text = text.replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
        while text.hasSuffix("=") { text.removeLast() }
        return text
    }

    /// Decodes text; nil when it is not base64url.
    static func decode(_ text: some StringProtocol) -> [UInt8]? {
        var base = text.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        guard !base.contains("=") else { return nil }
        while base.utf8.count % 4 != 0 { base += "=" }
        return Data(base64Encoded: base).map(Array.init)
    }

    /// `count` random bytes from the system CSPRNG, encoded.
    static func random(byteCount: Int = 32) -> String {
        var generator = SystemRandomNumberGenerator()
        return encode((0..<byteCount).map { _ in UInt8.random(in: .min ... .max, using: &generator) })
    }
}

extension Base64URL {
    /// Decodes standard (padded) base64, as HTTP Basic uses it.
    static func decodeStandard(_ text: String) -> [UInt8]? { Data(base64Encoded: text).map(Array.init) }
}
