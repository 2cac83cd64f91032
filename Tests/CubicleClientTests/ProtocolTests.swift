import CubicleClient
import CubicleModel
import Testing

/// The wire formats the client reads: server-sent events and the remote command's status.
struct ProtocolTests {
    @Test func eventsParseAcrossAnySplitOfTheStream() {
        let stream = "id: 1\ndata: {\"a\":1}\n\n: keep-alive\n\nid: 2\r\ndata: x\r\ndata: y\r\n\r\nevent: end\ndata: {\"result\":\"succeeded\"}\n\n"
        let bytes = Array(stream.utf8)
        for split in 0...bytes.count {
            var parser = ServerSentEvents()
            let events = parser.feed(bytes[..<split]) + parser.feed(bytes[split...])
            #expect(events.map(\.data) == ["{\"a\":1}", "x\ny", "{\"result\":\"succeeded\"}"], "split at \(split)")
            #expect(events.map(\.id) == ["1", "2", "2"])
            #expect(events.last?.name == "end")
        }
    }

    @Test func statusMapsToTheRemoteExitCode() throws {
        #expect(RemoteCommand.exitCode(of: try JSONValue.parse(Array(#"{"status":"Success"}"#.utf8))) == 0)
        let failure = #"{"status":"Failure","reason":"NonZeroExitCode","details":{"causes":[{"reason":"ExitCode","message":"42"}]}}"#
        #expect(RemoteCommand.exitCode(of: try JSONValue.parse(Array(failure.utf8))) == 42)
        #expect(RemoteCommand.exitCode(of: try JSONValue.parse(Array(#"{"status":"Failure","reason":"InternalError"}"#.utf8))) == 1)
    }
}
