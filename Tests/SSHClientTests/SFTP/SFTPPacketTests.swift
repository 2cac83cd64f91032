@testable import SSHClient
import Testing

@Suite struct SFTPPacketTests {
    @Test func framesAndParsesFields() {
        var writer = SFTPPacket.Writer()
        writer.u32(7)
        writer.string("posix-rename@openssh.com")
        writer.u64(0x0102_0304_0506_0708)
        let packet = writer.packet(type: SFTPPacket.extended)
        #expect(Array(packet.prefix(5)) == [0, 0, 0, UInt8(packet.count - 4), SFTPPacket.extended])
        var reader = SFTPPacket.Reader(Array(packet.dropFirst(5)))
        #expect(reader.u32() == 7)
        #expect(reader.string() == "posix-rename@openssh.com")
        #expect(reader.u64() == 0x0102_0304_0506_0708)
        #expect(reader.isAtEnd)
    }

    @Test func truncatedInputYieldsNilNotACrash() {
        var reader = SFTPPacket.Reader([0, 0, 0, 9, 65, 66])
        #expect(reader.string() == nil)
        var short = SFTPPacket.Reader([1, 2])
        #expect(short.u32() == nil)
        #expect(short.u64() == nil)
        var status = SFTPPacket.Reader([0, 0, 0, 2])
        #expect(SFTPPacket.parseStatus(&status) == SFTPPacket.Status(code: 2, message: ""))
        var limits = SFTPPacket.Reader([0, 0, 0, 0, 0, 4, 0, 0])
        #expect(SFTPPacket.parseLimits(&limits) == nil)
    }
}
