@testable import SSHClient
import Testing

@Suite struct SFTPWritePipelineTests {
    /// Sends as the I/O shell would: while there is room, the next `room` bytes of `total`.
    private func fill(_ pipeline: inout SFTPWritePipeline, next offset: inout UInt64, total: UInt64, id: inout UInt32) {
        while pipeline.room > 0, offset < total {
            let length = Int(min(UInt64(pipeline.room), total - offset))
            id += 1
            pipeline.sent(id: id, offset: offset, length: length)
            offset += UInt64(length)
        }
    }

    @Test func windowBoundsRequestsAndBytesInFlight() {
        var pipeline = SFTPWritePipeline(writeLimit: 100, maxInFlight: 4)
        var offset: UInt64 = 0
        var id: UInt32 = 0
        fill(&pipeline, next: &offset, total: 10_000, id: &id)
        #expect(pipeline.inFlight.count == 4)
        #expect(pipeline.inFlightBytes == 400)
        #expect(pipeline.room == 0)
        #expect(pipeline.received(id: 2, status: SFTPStatus.ok) == .acknowledge(bytes: 100))
        #expect(pipeline.room == 100)
        #expect(pipeline.inFlightBytes == 300)
    }

    @Test func outOfOrderRepliesAcknowledgeEachWriteOnce() {
        var pipeline = SFTPWritePipeline(writeLimit: 64, maxInFlight: 8)
        var offset: UInt64 = 0
        var id: UInt32 = 0
        fill(&pipeline, next: &offset, total: 300, id: &id)
        #expect(id == 5)
        var acknowledged = 0
        for reply in [3, 5, 1, 4, 2] as [UInt32] {
            guard case .acknowledge(let bytes) = pipeline.received(id: reply, status: SFTPStatus.ok) else {
                Issue.record("reply \(reply) was not acknowledged")
                continue
            }
            acknowledged += bytes
        }
        #expect(acknowledged == 300)
        #expect(pipeline.acknowledgedBytes == 300)
        #expect(pipeline.isIdle)
        #expect(pipeline.received(id: 3, status: SFTPStatus.ok) == .unexpected(id: 3))
    }

    @Test func lastShortWriteCarriesOnlyTheRemainder() {
        var pipeline = SFTPWritePipeline(writeLimit: 256, maxInFlight: 16)
        var offset: UInt64 = 0
        var id: UInt32 = 0
        fill(&pipeline, next: &offset, total: 1000, id: &id)
        let writes = pipeline.inFlight.values.sorted { $0.offset < $1.offset }
        #expect(writes.map(\.length) == [256, 256, 256, 232])
        #expect(writes.map(\.offset) == [0, 256, 512, 768])
        #expect(pipeline.inFlightBytes == 1000)
    }

    @Test func failedWriteMidStreamStopsSendingAndIgnoresLaterReplies() {
        var pipeline = SFTPWritePipeline(writeLimit: 10, maxInFlight: 4)
        var offset: UInt64 = 0
        var id: UInt32 = 0
        fill(&pipeline, next: &offset, total: 100, id: &id)
        #expect(pipeline.received(id: 1, status: SFTPStatus.ok) == .acknowledge(bytes: 10))
        #expect(pipeline.received(id: 3, status: SFTPStatus.failure, message: "No space left on device")
            == .fail(code: SFTPStatus.failure, message: "No space left on device", offset: 20))
        #expect(pipeline.room == 0)
        #expect(pipeline.received(id: 2, status: SFTPStatus.ok) == .ignore)
        #expect(pipeline.acknowledgedBytes == 10)
        #expect(pipeline.abandon().map(\.id) == [4])
        #expect(pipeline.isIdle)
        #expect(pipeline.room == 0)
    }

    @Test func writeHeaderFramesTheWholePacket() {
        let header = SFTPPacket.writeHeader(id: 7, handle: [1, 2], offset: 1 << 33, count: 5)
        var reader = SFTPPacket.Reader(Array(header.dropFirst(5)) + [9, 9, 9, 9, 9])
        #expect(header.prefix(4).reduce(0) { $0 << 8 | Int($1) } == header.count - 4 + 5)
        #expect(header[4] == SFTPPacket.write)
        #expect(reader.u32() == 7)
        #expect(reader.data() == [1, 2])
        #expect(reader.u64() == 1 << 33)
        #expect(reader.data() == [9, 9, 9, 9, 9])
        #expect(reader.isAtEnd)
    }
}
