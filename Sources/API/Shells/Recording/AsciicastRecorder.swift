import CubicleModel
import Dispatch
import Foundation

/// Writes one session as an asciicast v2 file (header line, then `[seconds, "o"|"i"|"r", data]`
/// lines). Events are timestamped by the caller and written on a serial queue of the recorder's
/// own, never on an event loop or the cooperative pool. Output split inside a UTF-8 character is
/// held back until the character is complete.
final class AsciicastRecorder: Sendable {
    /// The `.cast` file.
    let path: String
    private let queue: DispatchQueue
    private let file: RecorderFile
    private let start: Date
    private let time: any TimeSource

    private init(path: String, queue: DispatchQueue, file: RecorderFile, start: Date, time: any TimeSource) {
        self.path = path
        self.queue = queue
        self.file = file
        self.start = start
        self.time = time
    }

    /// Creates the file (off the caller's thread) and writes the header.
    static func create(
        path: String, cols: Int, rows: Int, environment: [String: String], time: any TimeSource
    ) async throws -> AsciicastRecorder {
        let start = time.now
        let header: JSONValue = [
            "version": 2, "width": .int(Int64(cols)), "height": .int(Int64(rows)),
            "timestamp": .int(Int64(start.timeIntervalSince1970)),
            "env": .object(environment.mapValues { .string($0) }),
        ]
        let queue = DispatchQueue(label: "cubicle.recording")
        let file = try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<RecorderFile, any Error>) in
            queue.async { continuation.resume(with: Result { try RecorderFile(path: path, header: header.serialized()) }) }
        }
        return AsciicastRecorder(path: path, queue: queue, file: file, start: start, time: time)
    }

    /// Records output.
    func output(_ bytes: [UInt8]) { record("o", bytes) }

    /// Records input.
    func input(_ bytes: [UInt8]) { record("i", bytes) }

    /// Records a resize.
    func resize(cols: Int, rows: Int) { record("r", Array("\(cols)x\(rows)".utf8)) }

    /// Flushes and closes the file once every queued event is written.
    func finish() async {
        let file = self.file
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            queue.async {
                file.close()
                continuation.resume()
            }
        }
    }

    private func record(_ kind: String, _ bytes: [UInt8]) {
        let offset = time.now.timeIntervalSince(start)
        let file = self.file
        queue.async { file.append(offset: offset, kind: kind, bytes: bytes) }
    }
}

/// The open file and the partial UTF-8 tails; touched only on its recorder's queue.
final class RecorderFile: @unchecked Sendable {
    private var handle: FileHandle?
    private var tails: [String: [UInt8]] = [:]

    init(path: String, header: [UInt8]) throws {
        guard FileManager.default.createFile(atPath: path, contents: Data(header + [0x0A]), attributes: [.posixPermissions: 0o600]),
            let handle = FileHandle(forWritingAtPath: path)
        else { throw APIError(.internalServerError, .internalError, "cannot create the recording \(path)") }
        handle.seekToEndOfFile()
        self.handle = handle
    }

    func append(offset: Double, kind: String, bytes: [UInt8]) {
        guard let handle else { return }
        var pending = (tails[kind] ?? []) + bytes
        let keep = Self.incompleteTail(pending)
        tails[kind] = Array(pending.suffix(keep))
        pending.removeLast(keep)
        guard !pending.isEmpty else { return }
        let text = String(decoding: pending, as: UTF8.self)
        let event: JSONValue = [.double((offset * 1_000_000).rounded() / 1_000_000), .string(kind), .string(text)]
        try? handle.write(contentsOf: event.serialized() + [0x0A])
    }

    func close() {
        try? handle?.close()
        handle = nil
    }

    /// How many trailing bytes start a UTF-8 character that is not complete yet.
    private static func incompleteTail(_ bytes: [UInt8]) -> Int {
        guard !bytes.isEmpty else { return 0 }
        for back in 1...min(3, bytes.count) {
            let byte = bytes[bytes.count - back]
            if byte & 0xC0 == 0x80 { continue }
            let length = byte >= 0xF0 ? 4 : byte >= 0xE0 ? 3 : byte >= 0xC0 ? 2 : 1
            return length > back ? back : 0
        }
        return 0
    }
}
