/// One measured operation: how long it took, and why it failed if it did.
struct Sample: Sendable {
    /// From the first request to completion (or failure).
    let latency: Duration
    /// Why it failed; nil for a success.
    let failure: String?
}
