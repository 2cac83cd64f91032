import Foundation

/// The debounce logic of the watcher as a plain value: it is told about changes and reloads and
/// answers what to do next, so tests can drive it without a directory or a clock.
struct ReloadScheduler: Sendable, Hashable {
    enum Action: Sendable, Hashable {
        /// Nothing pending: wait for the next change.
        case waitForChange
        /// A change is pending but too recent: sleep until the quiet period ends, then ask again.
        case sleep(until: Date)
        /// The directory has been quiet long enough: reload now.
        case reload
    }

    /// How long the directory must stay quiet before a reload.
    let debounce: TimeInterval
    /// How often to look again while the directory itself cannot be watched.
    let pollInterval: TimeInterval

    private(set) var lastChange: Date?
    private(set) var changeGeneration = 0
    private(set) var reloadedGeneration = 0
    /// Set while the directory is missing or unwatchable, so only polling can notice its return.
    private(set) var pollingSince: Date?

    init(debounce: TimeInterval, pollInterval: TimeInterval = 5) {
        self.debounce = debounce
        self.pollInterval = pollInterval
    }

    /// Something under the directory changed at `now`.
    mutating func changed(at now: Date) {
        changeGeneration += 1
        lastChange = now
    }

    /// What to do at `now`.
    func next(now: Date) -> Action {
        if changeGeneration == reloadedGeneration {
            if let pollingSince { return .sleep(until: pollingSince.addingTimeInterval(pollInterval)) }
            return .waitForChange
        }
        let quietAt = (lastChange ?? now).addingTimeInterval(debounce)
        return quietAt > now ? .sleep(until: quietAt) : .reload
    }

    /// A reload starts now; changes before this point are covered by it.
    mutating func reloadStarted() {
        reloadedGeneration = changeGeneration
    }

    /// The reload finished; `watching` says whether the directory itself is watched.
    mutating func reloadFinished(watching: Bool, now: Date) {
        pollingSince = watching ? nil : now
    }

    /// A poll interval has passed while the directory could not be watched: treat it as a change
    /// that is already quiet.
    mutating func pollDue(now: Date) {
        guard let pollingSince, now >= pollingSince.addingTimeInterval(pollInterval) else { return }
        changeGeneration += 1
        lastChange = now.addingTimeInterval(-debounce)
    }
}
