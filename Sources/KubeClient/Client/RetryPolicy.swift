import Foundation
import CubicleModel

/// Which failed responses are retried and after how long: 429 and 5xx, for requests that are
/// safe to repeat (GET, PUT, PATCH, DELETE; POST only on 429, which the server never acted on),
/// with capped jittered backoff or the server's `Retry-After`, for a bounded number of attempts.
/// A pure function, so it is tested without a network.
public struct RetryPolicy: Sendable, Hashable {
    /// What to do after a failed attempt.
    public enum Decision: Sendable, Hashable {
        /// Retry after this many seconds.
        case retry(after: Double)
        /// Give up and report the failure.
        case fail
    }

    /// The most attempts per request, the first included.
    public var maxAttempts: Int
    /// The delay policy when the server gives no `Retry-After`.
    public var backoff: Backoff
    /// The longest `Retry-After` honoured; longer values are capped to this.
    public var maxRetryAfter: Double

    /// Creates a policy.
    public init(maxAttempts: Int = 5, backoff: Backoff = Backoff(initial: 0.2, maximum: 5), maxRetryAfter: Double = 30) {
        self.maxAttempts = maxAttempts
        self.backoff = backoff
        self.maxRetryAfter = maxRetryAfter
    }

    /// Five attempts, 0.2 s doubling to 5 s, `Retry-After` up to 30 s.
    public static let standard = RetryPolicy()
    /// Never retry.
    public static let none = RetryPolicy(maxAttempts: 1)

    /// The decision after attempt number `attempt` (0-based) of a `method` request failed with
    /// HTTP `status`; `retryAfter` is the response's header, `random` (0..<1) picks the jitter.
    public func decide(method: String, status: Int, retryAfter: String?, attempt: Int, random: Double) -> Decision {
        guard attempt + 1 < maxAttempts, Self.isRetryable(method: method, status: status) else { return .fail }
        if let seconds = retryAfter.flatMap(Self.retryAfterSeconds) {
            return .retry(after: min(seconds, maxRetryAfter))
        }
        return .retry(after: backoff.delay(attempt: attempt, random: random))
    }

    /// Whether a response status makes a request of this method worth repeating.
    public static func isRetryable(method: String, status: Int) -> Bool {
        let transient = status == 429 || status == 500 || status == 502 || status == 503 || status == 504
        guard transient else { return false }
        switch method.uppercased() {
        case "GET", "HEAD", "PUT", "PATCH", "DELETE": return true
        case "POST": return status == 429
        default: return false
        }
    }

    /// `Retry-After` in delta-seconds form; HTTP dates and garbage give nil.
    public static func retryAfterSeconds(_ header: String) -> Double? {
        let trimmed = header.trimmingCharacters(in: .whitespaces)
        guard !trimmed.isEmpty, trimmed.allSatisfy(\.isNumber), let seconds = Int(trimmed) else { return nil }
        return Double(seconds)
    }
}
