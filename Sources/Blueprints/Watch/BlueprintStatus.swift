/// The health of the blueprint set, as `GET /api/v1/healthcheck` shows it under `"blueprints"`.
public enum BlueprintStatus: Sendable, Hashable, CustomStringConvertible {
    /// The last load had no problem.
    case ok
    /// The last load failed; the first problem and how many more there were.
    case error(first: String, more: Int)
    /// Nothing has been loaded yet.
    case notLoaded

    /// A status summarising `diagnostics`.
    init(_ diagnostics: [BlueprintDiagnostic]) {
        guard let first = diagnostics.first else {
            self = .ok
            return
        }
        self = .error(first: first.description, more: diagnostics.count - 1)
    }

    /// True for `ok`.
    public var isOK: Bool { self == .ok }

    /// `ok`, `error: <first error> (+N more)` or `not loaded`.
    public var description: String {
        switch self {
        case .ok: return "ok"
        case .notLoaded: return "not loaded"
        case .error(let first, let more): return "error: \(first)" + (more > 0 ? " (+\(more) more)" : "")
        }
    }
}
