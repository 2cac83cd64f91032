@testable import SSHClient
import Testing

@Suite struct ReadPipelineTests {
    @Test func issuesUpToTheLimitAndNeverPastTheEnd() {
        var pipeline = ReadPipeline(offset: 100, end: 100 + 10 * 64 + 5, chunkSize: 64, maxInFlight: 4)
        var id: UInt32 = 0
        while let next = pipeline.nextRead {
            id += 1
            pipeline.issued(id: id, offset: next.offset, length: next.length)
        }
        #expect(pipeline.inFlight.count == 4)
        #expect(pipeline.inFlightBytes == 256)
        var lengths: [Int] = []
        while let head = pipeline.head {
            #expect(pipeline.complete(received: head.length) == .deliver(count: head.length, followUp: nil))
            lengths.append(head.length)
            while let next = pipeline.nextRead {
                id += 1
                pipeline.issued(id: id, offset: next.offset, length: next.length)
            }
        }
        #expect(lengths.reduce(0, +) == 645)
        #expect(lengths.last == 5)
        #expect(pipeline.isComplete)
    }

    @Test func shortReadIsCompletedBeforeLaterReplies() {
        var pipeline = ReadPipeline(offset: 0, end: 256, chunkSize: 128, maxInFlight: 2)
        pipeline.issued(id: 1, offset: 0, length: 128)
        pipeline.issued(id: 2, offset: 128, length: 128)
        #expect(pipeline.complete(received: 100) == .deliver(count: 100, followUp: (100, 28)))
        pipeline.issuedFollowUp(id: 3, offset: 100, length: 28)
        #expect(pipeline.head?.id == 3)
        #expect(pipeline.complete(received: 28) == .deliver(count: 28, followUp: nil))
        #expect(pipeline.head?.id == 2)
    }

    @Test func emptyReplyMeansTheFileShrank() {
        var pipeline = ReadPipeline(offset: 0, end: 1000, chunkSize: 500, maxInFlight: 2)
        pipeline.issued(id: 1, offset: 0, length: 500)
        pipeline.issued(id: 2, offset: 500, length: 500)
        _ = pipeline.complete(received: 500)
        #expect(pipeline.complete(received: 0) == .truncated(at: 500))
    }

    @Test func emptyRangeIsCompleteAtOnce() {
        let pipeline = ReadPipeline(offset: 42, end: 42, chunkSize: 64, maxInFlight: 8)
        #expect(pipeline.nextRead == nil)
        #expect(pipeline.isComplete)
    }
}
