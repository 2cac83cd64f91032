/// An incremental `text/event-stream` parser: feed it bytes as they arrive, take whole events.
public struct ServerSentEvents: Sendable {
    /// One dispatched event.
    public struct Event: Sendable, Equatable {
        /// `id:` (the last one seen, as the spec says).
        public var id: String?
        /// `event:`; `message` when absent.
        public var name: String
        /// The `data:` lines joined with newlines.
        public var data: String
    }

    private var line: [UInt8] = []
    private var data: [String] = []
    private var name: String?
    private var lastID: String?
    private var sawCR = false

    /// A parser at the start of a stream.
    public init() {}

    /// Parses `bytes`; the events completed by them, in order.
    public mutating func feed(_ bytes: some Sequence<UInt8>) -> [Event] {
        var events: [Event] = []
        for byte in bytes {
            if sawCR {
                sawCR = false
                if byte == UInt8(ascii: "\n") { continue }
            }
            if byte == UInt8(ascii: "\n") || byte == UInt8(ascii: "\r") {
                sawCR = byte == UInt8(ascii: "\r")
                if let event = endLine() { events.append(event) }
            } else {
                line.append(byte)
            }
        }
        return events
    }

    private mutating func endLine() -> Event? {
        defer { line.removeAll(keepingCapacity: true) }
        if line.isEmpty {
            defer {
                data.removeAll()
                name = nil
            }
            guard !data.isEmpty || name != nil else { return nil }
            return Event(id: lastID, name: name ?? "message", data: data.joined(separator: "\n"))
        }
        let text = String(decoding: line, as: UTF8.self)
        if text.hasPrefix(":") { return nil }
        let field: Substring
        var value: Substring
        if let colon = text.firstIndex(of: ":") {
            field = text[..<colon]
            value = text[text.index(after: colon)...]
            if value.hasPrefix(" ") { value = value.dropFirst() }
        } else {
            field = text[...]
            value = ""
        }
        switch field {
        case "data": data.append(String(value))
        case "event": name = String(value)
        case "id": lastID = String(value)
        default: break
        }
        return nil
    }
}
