/// A pseudo-terminal to allocate for a channel: terminal type and initial size.
public struct PTYRequest: Sendable, Hashable {
    /// The `TERM` the remote side sees.
    public var term: String
    /// Columns.
    public var cols: Int
    /// Rows.
    public var rows: Int

    /// Creates a request; the defaults are what browser terminals expect.
    public init(term: String = "xterm-256color", cols: Int = 80, rows: Int = 24) {
        self.term = term
        self.cols = cols
        self.rows = rows
    }

    /// Sizes clamped to what the SSH protocol and terminals can represent.
    var clampedCols: Int32 { Int32(clamping: min(max(cols, 1), 10_000)) }
    var clampedRows: Int32 { Int32(clamping: min(max(rows, 1), 10_000)) }
}
