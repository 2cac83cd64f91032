import CubicleModel
import Foundation
import NIOCore
import Testing

@testable import API

/// The kubectl exec framing: what clients may send, what the server refuses, how it frames output.
@Suite struct ExecFrameCodecTests {
    @Test func stdinFramesCarryTheirPayloadAndEmptyFramesAreIgnored() throws {
        #expect(try ExecFrameCodec.decode([0, 0x6C, 0x73, 0x0A], protocol: .v5) == .stdin(Array("ls\n".utf8)))
        #expect(try ExecFrameCodec.decode([], protocol: .v5) == .ignored)
        #expect(try ExecFrameCodec.decode([0], protocol: .v4) == .ignored)
    }

    @Test func resizeAcceptsPascalCaseLowercaseAndSeveralObjectsPerMessage() throws {
        let go = Array(#"{"Width":120,"Height":40}"#.utf8) + [0x0A] + Array(#"{"width":100,"height":30}"#.utf8) + [0x0A]
        #expect(try ExecFrameCodec.decode([4] + go, protocol: .v5) == .resize([TerminalSize(cols: 120, rows: 40), TerminalSize(cols: 100, rows: 30)]))
        let glued = Array(#"{"Width":1,"Height":2}{"Height":4,"Width":3}"#.utf8)
        #expect(try TerminalSize.parse(glued) == [TerminalSize(cols: 1, rows: 2), TerminalSize(cols: 3, rows: 4)])
    }

    @Test(arguments: [
        "not json", "{\"Width\":120}", "{\"Width\":-1,\"Height\":40}", "{\"Width\":0,\"Height\":40}",
        "{\"Width\":120.5,\"Height\":40}", "{\"Width\":\"120\",\"Height\":40}", "{\"Width\":120,\"Height\":40,\"Depth\":1}",
        "{\"Width\":99999,\"Height\":40}", "[120,40]", "{\"Width\":120,\"Height\":40", "", "}{",
    ])
    func resizeRejectsAnythingButSizes(_ text: String) {
        #expect(throws: ExecProtocolViolation.self) { try ExecFrameCodec.decode([4] + Array(text.utf8), protocol: .v5) }
        do {
            _ = try ExecFrameCodec.decode([4] + Array(text.utf8), protocol: .v5)
        } catch {
            #expect(error.kind == .invalidPayload)
            #expect(!error.reason.isEmpty && error.reason.utf8.count <= 120)
        }
    }

    @Test func closeChannelEndsStdinOnlyInV5() throws {
        #expect(try ExecFrameCodec.decode([255, 0], protocol: .v5) == .closeStdin)
        #expect(throws: ExecProtocolViolation.self) { try ExecFrameCodec.decode([255, 0], protocol: .v4) }
        #expect(throws: ExecProtocolViolation.self) { try ExecFrameCodec.decode([255, 1], protocol: .v5) }
        #expect(throws: ExecProtocolViolation.self) { try ExecFrameCodec.decode([255], protocol: .v5) }
    }

    @Test(arguments: [UInt8(1), 2, 3, 5, 9, 200])
    func serverAndUnknownChannelsFromTheClientArePolicyViolations(_ channel: UInt8) {
        do {
            _ = try ExecFrameCodec.decode([channel, 0x41], protocol: .v5)
            Issue.record("channel \(channel) was accepted")
        } catch {
            #expect(error.kind == .policyViolation)
            #expect(error.reason.contains("\(channel)"))
        }
    }

    @Test func outputIsSplitIntoFramesThatStartWithTheChannel() {
        let bytes = [UInt8](repeating: 0x61, count: ExecFrameCodec.maximumPayload * 2 + 5)
        let frames = ExecFrameCodec.frames(.stderr, bytes)
        #expect(frames.map(\.readableBytes) == [ExecFrameCodec.maximumPayload + 1, ExecFrameCodec.maximumPayload + 1, 6])
        #expect(frames.allSatisfy { $0.getInteger(at: $0.readerIndex, as: UInt8.self) == 2 })
        #expect(ExecFrameCodec.frames(.stdout, []).map { Array($0.readableBytesView) } == [[1]])
    }

    @Test func statusDocumentsMatchTheKubelet() throws {
        #expect(ExecStatus.success.json == #"{"metadata":{},"status":"Success"}"#)
        let failure = try JSONValue.parse(Array(ExecStatus.exitCode(3).json.utf8))
        #expect(failure["status"] == "Failure")
        #expect(failure["reason"] == "NonZeroExitCode")
        #expect(failure[path: ["details", "causes"]] == [["reason": "ExitCode", "message": "3"]])
        #expect(failure["metadata"] == .object([:]))
        let failed = try JSONValue.parse(Array(ExecStatus.internalError("ssh \"died\"").json.utf8))
        #expect(failed["reason"] == "InternalError")
        #expect(failed["code"] == 500)
        #expect(failed[path: ["details", "causes"]] == [["message": "ssh \"died\""]])
        #expect(failed["message"] == "Internal error occurred: ssh \"died\"")
    }

    @Test func exitRecordsMapToStatuses() {
        #expect(ExecStatus(.init(code: 0)) == .success)
        #expect(ExecStatus(.init(code: 7)) == .exitCode(7))
        #expect(ExecStatus(.init(signal: "KILL")) == .exitCode(137))
        if case .internalError = ExecStatus(.unknown) {} else { Issue.record("an exit without status must be an internal error") }
    }

    @Test func subprotocolNegotiationPrefersV5AndNeverPicksTheToken() throws {
        let token = "cub_secret"
        let encoded = Data(token.utf8).base64EncodedString().replacingOccurrences(of: "=", with: "")
            .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
        let offer = ExecSubprotocol.offer(from: ["v4.channel.k8s.io, base64url.bearer.authorization.k8s.io.\(encoded)", "v5.channel.k8s.io"])
        #expect(offer.token == token)
        #expect(offer.protocols == ["v4.channel.k8s.io", "v5.channel.k8s.io"])
        #expect(try ExecSubprotocol.negotiate(offer) == .v5)
        #expect(try ExecSubprotocol.negotiate(.init()) == nil)
        #expect(throws: APIError.self) { try ExecSubprotocol.negotiate(.init(protocols: ["v4.base64.channel.k8s.io"])) }
        #expect(ExecSubprotocol.decodeToken("%%%") == nil)
    }
}
