/// A response body as an async sequence of byte chunks. Reading slowly pauses the transfer
/// (back-pressure); cancelling the reading task, or dropping every copy of the body and its
/// iterators before the end, aborts the transfer.
public struct ResponseBody: AsyncSequence, Sendable {
    /// A chunk of body bytes.
    public typealias Element = [UInt8]

    let stream: ResponseStream
    private let lifetime: ConsumerLifetime

    init(stream: ResponseStream) {
        self.stream = stream
        self.lifetime = ConsumerLifetime(stream: stream)
    }

    /// Creates an iterator over the chunks.
    public func makeAsyncIterator() -> Iterator { Iterator(body: self) }

    /// Iterates the body's chunks.
    public struct Iterator: AsyncIteratorProtocol {
        let body: ResponseBody

        /// The next chunk, or nil at the end of the body; throws the transfer's error.
        public mutating func next() async throws -> [UInt8]? {
            try await body.stream.next()
        }
    }

    /// Reads the whole body; throws `payloadTooLarge` beyond `limit` bytes.
    public func collect(limit: Int = 64 << 20) async throws -> [UInt8] {
        var bytes: [UInt8] = []
        for try await chunk in self {
            guard bytes.count + chunk.count <= limit else {
                stream.cancel()
                throw KubeError(code: .payloadTooLarge, message: "response body larger than \(limit) bytes")
            }
            bytes += chunk
        }
        return bytes
    }

    /// Aborts the transfer (no-op once it ended).
    public func cancel() { stream.cancel() }

    /// The buffer accounting of this body.
    public var statistics: BodyStatistics { stream.statistics }
}

/// Aborts the transfer when the last consumer reference goes away before the body ended.
private final class ConsumerLifetime: Sendable {
    let stream: ResponseStream

    init(stream: ResponseStream) { self.stream = stream }

    deinit { stream.cancel() }
}
