/// Encoding and decoding of SFTP (draft version 3) packet bodies, for the requests libssh 0.10
/// has no API for. Plain values, no I/O.
enum SFTPPacket {
    static let initRequest: UInt8 = 1
    static let version: UInt8 = 2
    static let open: UInt8 = 3
    static let close: UInt8 = 4
    static let write: UInt8 = 6
    static let status: UInt8 = 101
    static let handle: UInt8 = 102
    static let extended: UInt8 = 200
    static let extendedReply: UInt8 = 201

    /// Builds one packet: `uint32 length, byte type, body`.
    struct Writer {
        private(set) var body: [UInt8] = []

        mutating func u8(_ value: UInt8) { body.append(value) }

        mutating func u32(_ value: UInt32) {
            body.append(contentsOf: [UInt8(value >> 24), UInt8(truncatingIfNeeded: value >> 16),
                                     UInt8(truncatingIfNeeded: value >> 8), UInt8(truncatingIfNeeded: value)])
        }

        mutating func u64(_ value: UInt64) {
            u32(UInt32(value >> 32))
            u32(UInt32(truncatingIfNeeded: value))
        }

        mutating func string(_ value: String) { bytes(Array(value.utf8)) }

        mutating func append(_ other: Writer) { body.append(contentsOf: other.body) }

        mutating func bytes(_ value: [UInt8]) {
            u32(UInt32(value.count))
            body.append(contentsOf: value)
        }

        /// The framed packet.
        func packet(type: UInt8) -> [UInt8] {
            var framed = Writer()
            framed.u32(UInt32(body.count + 1))
            framed.u8(type)
            return framed.body + body
        }
    }

    /// Reads a packet body with bounds checks; every read returns nil past the end.
    struct Reader {
        private let bytes: [UInt8]
        private var index = 0

        init(_ bytes: [UInt8]) { self.bytes = bytes }

        var isAtEnd: Bool { index >= bytes.count }

        mutating func u8() -> UInt8? {
            guard index < bytes.count else { return nil }
            defer { index += 1 }
            return bytes[index]
        }

        mutating func u32() -> UInt32? {
            guard bytes.count - index >= 4 else { return nil }
            defer { index += 4 }
            return bytes[index..<(index + 4)].reduce(0) { $0 << 8 | UInt32($1) }
        }

        mutating func u64() -> UInt64? {
            guard let high = u32(), let low = u32() else { return nil }
            return UInt64(high) << 32 | UInt64(low)
        }

        mutating func data() -> [UInt8]? {
            guard let length = u32(), bytes.count - index >= Int(length) else { return nil }
            defer { index += Int(length) }
            return Array(bytes[index..<(index + Int(length))])
        }

        mutating func string() -> String? {
            data().map { String(decoding: $0, as: UTF8.self) }
        }
    }

    /// A decoded `SSH_FXP_STATUS`.
    struct Status: Equatable {
        let code: UInt32
        let message: String
    }

    /// Parses a STATUS body after its request id.
    static func parseStatus(_ reader: inout Reader) -> Status? {
        guard let code = reader.u32() else { return nil }
        let message = reader.string() ?? ""
        return Status(code: code, message: message)
    }

    /// `SSH_FXF_*` open flags (draft 3).
    enum OpenFlags {
        static let write: UInt32 = 0x02
        static let create: UInt32 = 0x08
        static let truncate: UInt32 = 0x10
        static let exclusive: UInt32 = 0x20
    }

    /// `SSH_FILEXFER_ATTR_PERMISSIONS`.
    static let attributePermissions: UInt32 = 0x04

    /// The frame of a WRITE up to its data: length, type, id, handle, offset, data length. The
    /// data follows separately, so large payloads are not copied into the frame.
    static func writeHeader(id: UInt32, handle: [UInt8], offset: UInt64, count: Int) -> [UInt8] {
        var body = Writer()
        body.u32(id)
        body.bytes(handle)
        body.u64(offset)
        body.u32(UInt32(count))
        var framed = Writer()
        framed.u32(UInt32(1 + body.body.count + count))
        framed.u8(write)
        framed.append(body)
        return framed.body
    }

    /// The server's `limits@openssh.com` answer.
    struct Limits: Equatable {
        let maxPacketLength: UInt64
        let maxReadLength: UInt64
        let maxWriteLength: UInt64
        let maxOpenHandles: UInt64
    }

    /// Parses a `limits@openssh.com` EXTENDED_REPLY body after its request id.
    static func parseLimits(_ reader: inout Reader) -> Limits? {
        guard let packet = reader.u64(), let read = reader.u64(), let write = reader.u64(), let handles = reader.u64() else {
            return nil
        }
        return Limits(maxPacketLength: packet, maxReadLength: read, maxWriteLength: write, maxOpenHandles: handles)
    }
}
