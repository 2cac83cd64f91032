/// How interactive shells behave (`shells.*` in the server configuration).
public struct ShellSettings: Sendable {
    /// `shells.detachTTL`: seconds a TTY session outlives its WebSocket (0: it ends with it).
    public var detachTTL: Double
    /// Output kept for replay on re-attach, in bytes.
    public var replayBytes: Int
    /// Output queued for one WebSocket before the shell's output is held back, in bytes.
    public var outboxBytes: Int
    /// Where asciicast recordings go; nil disables recording.
    public var recordingDirectory: String?
    /// Record every session, whatever the blueprint says.
    public var recordAll: Bool
    /// `shells.recordInput`: also record what the user typed.
    public var recordInput: Bool

    /// Creates settings; the defaults are the documented ones.
    public init(
        detachTTL: Double = 300, replayBytes: Int = 256 * 1024, outboxBytes: Int = 256 * 1024, recordingDirectory: String? = nil,
        recordAll: Bool = false, recordInput: Bool = false
    ) {
        self.detachTTL = detachTTL
        self.replayBytes = replayBytes
        self.outboxBytes = outboxBytes
        self.recordingDirectory = recordingDirectory
        self.recordAll = recordAll
        self.recordInput = recordInput
    }
}
