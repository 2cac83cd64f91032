import CubicleModel

/// The events of one watch request, decoded incrementally from the response body as it streams.
/// Ends (nil) when the server closes the stream cleanly and throws when it is cut; an incomplete
/// last line of a cut stream is dropped. Cancelling the consuming task aborts the request.
public struct WatchStream<Object: Sendable>: AsyncSequence, Sendable {
    /// A watch event.
    public typealias Element = WatchEvent<Object>

    let body: ResponseBody
    let coding: ObjectCoding<Object>

    /// Creates an iterator.
    public func makeAsyncIterator() -> Iterator {
        Iterator(chunks: body.makeAsyncIterator(), decode: coding.decode)
    }

    /// Decodes events from body chunks.
    public struct Iterator: AsyncIteratorProtocol {
        var chunks: ResponseBody.Iterator
        let decode: @Sendable (JSONValue) throws -> Object
        var splitter = WatchLineSplitter()

        /// The next event, nil at a clean end of the stream.
        public mutating func next() async throws -> WatchEvent<Object>? {
            while true {
                while let line = try splitter.nextLine() {
                    if line.allSatisfy({ $0 == 0x20 || $0 == 0x09 }) { continue }
                    return try WatchEvent.decode(line: line, decode: decode)
                }
                guard let chunk = try await chunks.next() else { return nil }
                splitter.append(chunk)
            }
        }

        /// Aborts the underlying request.
        func cancelWatch() { chunks.body.cancel() }
    }

    /// Stops the watch.
    public func cancel() { body.cancel() }

    /// The body's buffer accounting.
    public var statistics: BodyStatistics { body.statistics }
}
