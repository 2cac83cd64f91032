/// POSIX shell quoting for values Cubicle writes into files the workspace's `/bin/sh` sources.
enum ShellQuote {
    /// `value` as one single-quoted shell word (`'` becomes `'\''`), safe for any bytes but NUL.
    static func word(_ value: String) -> String {
        "'" + value.replacingOccurrences(of: "'", with: "'\\''") + "'"
    }

    /// `argv` as a line of single-quoted words, which `eval set -- <line>` turns back into argv.
    static func words(_ argv: [String]) -> String {
        argv.map(word).joined(separator: " ")
    }
}
