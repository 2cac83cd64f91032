import Glibc

/// Seconds on the monotonic clock, for poll timeouts and keepalive deadlines on reactor threads
/// (the wall clock may jump; these deadlines must not).
enum Monotonic {
    /// Now, in seconds since an arbitrary origin.
    static func now() -> Double {
        var spec = timespec()
        clock_gettime(CLOCK_MONOTONIC, &spec)
        return Double(spec.tv_sec) + Double(spec.tv_nsec) / 1_000_000_000
    }
}
