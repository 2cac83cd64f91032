import Foundation

/// The Kubernetes remote-command WebSocket subprotocols `/interactive` speaks. Both use binary
/// frames whose first byte is the channel; v5 adds the close channel (255) that half-closes stdin.
enum ExecSubprotocol: String, Sendable, CaseIterable {
    /// `v5.channel.k8s.io` (what client-go asks for).
    case v5 = "v5.channel.k8s.io"
    /// `v4.channel.k8s.io`.
    case v4 = "v4.channel.k8s.io"

    /// The prefix of the subprotocol browsers use to carry the bearer token.
    static let tokenPrefix = "base64url.bearer.authorization.k8s.io."

    /// Whether the client may half-close stdin with channel 255.
    var supportsStreamClose: Bool { self == .v5 }

    /// What a client offered in `Sec-WebSocket-Protocol`: the protocols and a token, if any.
    struct Offer: Equatable, Sendable {
        /// Offered protocol names other than the token carrier, in the client's order.
        var protocols: [String] = []
        /// The decoded bearer token of a `base64url.bearer…` entry.
        var token: String?
    }

    /// Parses every `Sec-WebSocket-Protocol` value (comma-separated lists).
    static func offer(from values: [String]) -> Offer {
        var offer = Offer()
        for value in values {
            for item in value.split(separator: ",") {
                let name = item.trimmingCharacters(in: .whitespaces)
                guard !name.isEmpty else { continue }
                if name.hasPrefix(tokenPrefix) {
                    offer.token = decodeToken(String(name.dropFirst(tokenPrefix.count)))
                } else {
                    offer.protocols.append(name)
                }
            }
        }
        return offer
    }

    /// The protocol to answer with: v5 over v4 whatever the client's order; nil when the client
    /// offered none (then the v4 framing is used and no protocol is echoed); an error when it
    /// offered only protocols Cubicle does not speak (e.g. the base64 variants).
    static func negotiate(_ offer: Offer) throws(APIError) -> ExecSubprotocol? {
        guard !offer.protocols.isEmpty else { return nil }
        for candidate in allCases where offer.protocols.contains(candidate.rawValue) { return candidate }
        let named = offer.protocols.prefix(4).map { String($0.prefix(40)) }.joined(separator: ", ")
        throw APIError.invalid("unsupported WebSocket subprotocol (\(named)); use v5.channel.k8s.io or v4.channel.k8s.io")
    }

    /// The token inside a `base64url.bearer.authorization.k8s.io.<token>` entry (unpadded base64url).
    static func decodeToken(_ encoded: String) -> String? {
        guard !encoded.isEmpty, encoded.utf8.count <= 1024 else { return nil }
        var base64 = encoded.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        while base64.utf8.count % 4 != 0 { base64 += "=" }
        guard let data = Data(base64Encoded: base64), let token = String(data: data, encoding: .utf8), !token.isEmpty else { return nil }
        return token
    }
}
