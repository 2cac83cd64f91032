import Crypto
import Hummingbird
import SSHClient

/// Copies a request body into an SFTP file chunk by chunk, hashing as it goes. Each chunk is
/// queued on the writer, which suspends while its queue is full, so a fast client is slowed
/// to the workspace's speed and memory stays bounded.
struct BodyCopy {
    /// What arrived.
    struct Result: Sendable {
        let size: Int64
        let sha256: String
    }

    /// The most bytes accepted; more is `413` (or `400` for a part longer than its span).
    let limit: Int64
    /// The length the client announced (or the part must have); a different count is `400`.
    let expected: Int64?
    /// Whether exceeding `limit` is `413` (whole files) rather than `400` (parts).
    let limitIsSizeCap: Bool

    /// Streams `body` into `writer`, from `offset` when given, else appending.
    func run(_ body: RequestBody, into writer: SFTPWriter, at offset: UInt64? = nil) async throws -> Result {
        var hasher = SHA256()
        var received: Int64 = 0
        for try await buffer in body {
            let count = Int64(buffer.readableBytes)
            guard count > 0 else { continue }
            guard received + count <= limit else {
                if limitIsSizeCap {
                    throw APIError(.contentTooLarge, .payloadTooLarge, "the upload is larger than the limit of \(limit) bytes")
                }
                throw APIError.invalid("the part is longer than its \(limit) bytes")
            }
            let bytes = Array(buffer.readableBytesView)
            hasher.update(data: bytes)
            if let offset {
                try await writer.write(bytes, at: offset + UInt64(received))
            } else {
                try await writer.write(bytes)
            }
            received += count
        }
        if let expected, received != expected {
            throw APIError.invalid("the body ended after \(received) of \(expected) bytes")
        }
        return Result(size: received, sha256: Self.hex(hasher.finalize()))
    }

    /// Lower-case hex of a digest.
    static func hex(_ digest: some Sequence<UInt8>) -> String {
        let symbols = Array("0123456789abcdef".utf8)
        var text: [UInt8] = []
        for byte in digest {
            text.append(symbols[Int(byte >> 4)])
            text.append(symbols[Int(byte & 0x0F)])
        }
        return String(decoding: text, as: UTF8.self)
    }
}
