/// A position in a blueprint file: the file as found under the blueprint directory, and the
/// 1-based line and column (columns count Unicode scalars, as libyaml does).
public struct BlueprintLocation: Sendable, Hashable, CustomStringConvertible {
    /// The file path, the blueprint directory joined with the file's relative path.
    public let file: String
    /// The 1-based line.
    public let line: Int
    /// The 1-based column.
    public let column: Int

    /// Creates a location.
    public init(file: String, line: Int, column: Int) {
        self.file = file
        self.line = line
        self.column = column
    }

    /// `file:line:column`.
    public var description: String { "\(file):\(line):\(column)" }
}
