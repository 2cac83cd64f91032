import CubicleModel
import DequeModule
import Foundation
import Logging

/// What a list-then-watch delivers.
public enum ListWatchEvent<Object: Sendable>: Sendable {
    /// The initial list: every object that existed.
    case listed([Object])
    /// An object appeared.
    case added(Object)
    /// An object changed.
    case modified(Object)
    /// An object was deleted.
    case deleted(Object)
    /// The watch position expired (410 Gone) and the collection was listed again: the full current
    /// state. Objects the consumer knows that are missing here were deleted unseen.
    case resynced([Object])
}

extension ListWatchEvent: Equatable where Object: Equatable {}

/// Options of a list-then-watch.
public struct ListWatchOptions: Sendable, Hashable {
    /// A label selector for both the list and the watch.
    public var labelSelector: String?
    /// A field selector for both the list and the watch.
    public var fieldSelector: String?
    /// The page size of lists.
    public var pageSize: Int
    /// The server-side timeout asked for each watch request; the watch then resumes.
    public var watchTimeoutSeconds: Int?
    /// Reconnect backoff.
    public var backoff: Backoff
    /// See `ListWatchStateMachine.minimumWatchDuration`.
    public var minimumWatchDuration: Double

    /// Creates options.
    public init(
        labelSelector: String? = nil, fieldSelector: String? = nil, pageSize: Int = 500, watchTimeoutSeconds: Int? = 300,
        backoff: Backoff = .controller, minimumWatchDuration: Double = 1
    ) {
        self.labelSelector = labelSelector
        self.fieldSelector = fieldSelector
        self.pageSize = pageSize
        self.watchTimeoutSeconds = watchTimeoutSeconds
        self.backoff = backoff
        self.minimumWatchDuration = minimumWatchDuration
    }
}

/// An informer-like stream without a cache: lists (all pages), emits the items, watches from the
/// list's resourceVersion, resumes from the last seen version (objects and bookmarks) whenever the
/// stream ends or is cut, and relists on 410 Gone, emitting `resynced`. Runs in the consuming
/// task (pull-based: each request is made when the consumer asks for more, and nothing is missed
/// meanwhile because every watch starts from a known resourceVersion); it never ends on its own,
/// and cancelling the task stops it.
public struct ListWatch<Object: Sendable>: AsyncSequence, Sendable {
    /// A list-then-watch event.
    public typealias Element = ListWatchEvent<Object>

    let client: KubeClient
    let coding: ObjectCoding<Object>
    let namespace: String?
    let options: ListWatchOptions

    /// Creates an iterator.
    public func makeAsyncIterator() -> Iterator {
        Iterator(
            client: client, coding: coding, namespace: namespace, options: options,
            machine: ListWatchStateMachine(backoff: options.backoff, minimumWatchDuration: options.minimumWatchDuration))
    }

    /// Drives the state machine.
    public struct Iterator: AsyncIteratorProtocol {
        let client: KubeClient
        let coding: ObjectCoding<Object>
        let namespace: String?
        let options: ListWatchOptions
        var machine: ListWatchStateMachine
        var pending = Deque<ListWatchEvent<Object>>()
        var watch: WatchStream<Object>.Iterator?
        var watchOpenedAt = Date.distantPast
        var nextAction: ListWatchStateMachine.Action?
        var started = false

        /// The next event; throws only `CancellationError`.
        public mutating func next() async throws -> ListWatchEvent<Object>? {
            if !started {
                started = true
                nextAction = machine.start()
            }
            while true {
                if let event = pending.popFirst() { return event }
                try Task.checkCancellation()
                if let action = nextAction {
                    nextAction = nil
                    try await perform(action)
                } else {
                    try await readWatch()
                }
            }
        }

        private mutating func perform(_ action: ListWatchStateMachine.Action) async throws {
            switch action {
            case .list:
                let listOptions = ListOptions(labelSelector: options.labelSelector, fieldSelector: options.fieldSelector, limit: options.pageSize)
                do {
                    let list = try await client.listAllPages(coding, namespace: namespace, options: listOptions)
                    let (emission, next) = machine.listSucceeded(resourceVersion: list.resourceVersion ?? "")
                    pending.append(emission == .listed ? .listed(list.items) : .resynced(list.items))
                    nextAction = next
                } catch let error as KubeError {
                    client.logger.warning("list failed; backing off", metadata: ["resource": "\(coding.resource)", "error": "\(error)"])
                    nextAction = machine.listFailed(random: client.random())
                }
            case .watch(let version):
                let watchOptions = WatchOptions(
                    resourceVersion: version.isEmpty ? nil : version, labelSelector: options.labelSelector,
                    fieldSelector: options.fieldSelector, allowBookmarks: true, timeoutSeconds: options.watchTimeoutSeconds)
                watchOpenedAt = client.timeSource.now
                do {
                    watch = try await client.watchObjects(coding, namespace: namespace, options: watchOptions).makeAsyncIterator()
                } catch let error as KubeError {
                    client.logger.info("watch request failed", metadata: ["resource": "\(coding.resource)", "error": "\(error)"])
                    nextAction = machine.watchEnded(error.isGone ? .expired : .failed, elapsed: 0, random: client.random())
                }
            case .wait(let seconds):
                try await client.timeSource.sleep(seconds: seconds)
                nextAction = machine.waitElapsed()
            }
        }

        private mutating func readWatch() async throws {
            guard var stream = watch else {
                nextAction = machine.watchEnded(.failed, elapsed: 0, random: client.random())
                return
            }
            let event: WatchEvent<Object>?
            do {
                event = try await stream.next()
            } catch let error as KubeError {
                watch = nil
                client.logger.info("watch stream cut; resuming", metadata: ["resource": "\(coding.resource)", "error": "\(error)"])
                nextAction = machine.watchEnded(.failed, elapsed: elapsed(), random: client.random())
                return
            }
            guard let event else {
                watch = nil
                nextAction = machine.watchEnded(.closed, elapsed: elapsed(), random: client.random())
                return
            }
            watch = stream
            let input: ListWatchStateMachine.WatchInput
            switch event {
            case .added(let object), .modified(let object), .deleted(let object):
                input = .object(resourceVersion: coding.resourceVersion(object))
            case .bookmark(let version):
                input = .bookmark(resourceVersion: version)
            case .error(let status):
                let error = KubeError.fromStatus(httpStatus: nil, status: status, request: "watch \(coding.resource)")
                input = error.isGone ? .expired : .failed
            }
            switch machine.received(input, random: client.random()) {
            case .emit:
                switch event {
                case .added(let object): pending.append(.added(object))
                case .modified(let object): pending.append(.modified(object))
                case .deleted(let object): pending.append(.deleted(object))
                case .bookmark, .error: break
                }
            case .skip:
                break
            case .stop(let action):
                stream.cancelWatch()
                watch = nil
                nextAction = action
            }
        }

        private func elapsed() -> Double {
            client.timeSource.now.timeIntervalSince(watchOpenedAt)
        }
    }
}
