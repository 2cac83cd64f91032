import CubicleTestSupport
import CubicleModel
import Foundation
import Synchronization
import Testing

@testable import KubeClient

/// Watch and list-then-watch against the Python fake apiserver: cut streams, bookmarks, clean
/// ends and 410 Gone.
@Suite struct WatchTests {
    static let fast = ListWatchOptions(watchTimeoutSeconds: nil, backoff: Backoff(initial: 0.01, maximum: 0.05), minimumWatchDuration: 0)

    static func configMap(_ name: String) -> ConfigMap { ConfigMap(metadata: ObjectMeta(name: name), data: ["k": name]) }

    /// Describes events compactly for comparisons.
    static func describe(_ event: ListWatchEvent<ConfigMap>) -> String {
        switch event {
        case .listed(let items): "listed " + items.compactMap(\.metadata.name).joined(separator: ",")
        case .resynced(let items): "resynced " + items.compactMap(\.metadata.name).joined(separator: ",")
        case .added(let object): "added \(object.metadata.name ?? "")"
        case .modified(let object): "modified \(object.metadata.name ?? "")"
        case .deleted(let object): "deleted \(object.metadata.name ?? "")"
        }
    }

    @Test func watchStreamDeliversChangesAfterResourceVersion() async throws {
        try await withKubeServer { server in
            try await withClient(try KubeClient(config: try server.certificateConfig())) { client in
                _ = try await client.create(Self.configMap("before"))
                let version = try #require(try await client.list(ConfigMap.self).resourceVersion)
                let stream = try await client.watch(ConfigMap.self, options: WatchOptions(resourceVersion: version))
                var events = stream.makeAsyncIterator()
                var created = try await client.create(Self.configMap("b"))
                created.data = ["k": "changed"]
                _ = try await client.update(created)
                try await client.delete(ConfigMap.self, name: "b")
                var seen: [String] = []
                while seen.count < 3, let event = try await events.next() {
                    seen.append("\(event.typeName) \(event.object?.metadata.name ?? "")")
                }
                #expect(seen == ["ADDED b", "MODIFIED b", "DELETED b"])
                stream.cancel()
            }
            let watch = try #require(try await server.requests().first { $0[path: ["query", "watch"]] == "1" })
            #expect(watch[path: ["query", "allowWatchBookmarks"]] == "true")
        }
    }

    @Test func unstructuredWatchDecodesDocuments() async throws {
        try await withKubeServer { server in
            try await withClient(try KubeClient(config: try server.certificateConfig())) { client in
                let stream = try await client.watch(.configMaps, options: WatchOptions(resourceVersion: "1"))
                var events = stream.makeAsyncIterator()
                _ = try await client.create(Self.configMap("u"))
                let event = try #require(try await events.next())
                #expect(event.object?[path: ["data", "k"]] == "u")
                stream.cancel()
            }
        }
    }

    @Test func listWatchResumesFromLastResourceVersionAfterCutStream() async throws {
        try await withKubeServer { server in
            try await withClient(try KubeClient(config: try server.certificateConfig())) { client in
                _ = try await client.create(Self.configMap("one"))
                var events = client.listWatch(ConfigMap.self, options: Self.fast).makeAsyncIterator()
                #expect(Self.describe(try #require(try await events.next())) == "listed one")
                let two = try await client.create(Self.configMap("two"))
                #expect(Self.describe(try #require(try await events.next())) == "added two")
                // Cut the stream in the middle of an event line; changes made meanwhile must arrive once.
                try await server.command(["cmd": "cut", "partial": true])
                _ = try await client.create(Self.configMap("three"))
                try await client.delete(ConfigMap.self, name: "one")
                #expect(Self.describe(try #require(try await events.next())) == "added three")
                #expect(Self.describe(try #require(try await events.next())) == "deleted one")
                let watches = try await server.requests().filter { $0[path: ["query", "watch"]] == "1" }
                let versions = watches.compactMap { $0[path: ["query", "resourceVersion"]]?.stringValue }
                #expect(versions.count >= 2)
                #expect(versions.last == two.metadata.resourceVersion)
            }
        }
    }

    @Test func listWatchResumesFromBookmarkAfterCleanEnd() async throws {
        try await withKubeServer { server in
            try await withClient(try KubeClient(config: try server.certificateConfig())) { client in
                _ = try await client.create(Self.configMap("one"))
                let events = EventCollector(client.listWatch(ConfigMap.self, options: Self.fast))
                defer { events.stop() }
                try await events.wait(for: ["listed one"])
                // Other resources move the global version; a bookmark carries it to this watch.
                _ = try await client.create(Secret(metadata: ObjectMeta(name: "s")))
                _ = try await client.create(Secret(metadata: ObjectMeta(name: "t")))
                let bookmarkVersion = try #require(try await server.command(["cmd": "rv"])["rv"]?.intValue)
                try await eventually("the watch to be open") {
                    try await server.requests().contains { $0[path: ["query", "watch"]] == "1" }
                }
                try await server.command(["cmd": "bookmark"])
                try await server.command(["cmd": "end"])
                try await eventually("a watch from the bookmark") {
                    try await server.requests().contains {
                        $0[path: ["query", "watch"]] == "1" && $0[path: ["query", "resourceVersion"]] == .string(String(bookmarkVersion))
                    }
                }
                _ = try await client.create(Self.configMap("two"))
                try await events.wait(for: ["listed one", "added two"])
            }
        }
    }

    @Test func listWatchRelistsOnGoneAndEmitsResyncWithoutMissedDeletion() async throws {
        try await withKubeServer { server in
            try await withClient(try KubeClient(config: try server.certificateConfig())) { client in
                _ = try await client.create(Self.configMap("keep"))
                _ = try await client.create(Self.configMap("vanish"))
                let events = EventCollector(client.listWatch(ConfigMap.self, options: Self.fast))
                defer { events.stop() }
                try await events.wait(for: ["listed keep,vanish"])
                try await eventually("the watch to be open") {
                    try await server.requests().contains { $0[path: ["query", "watch"]] == "1" }
                }
                // Deleted while nobody watched, and the history compacted: the resume point is gone.
                try await server.command(["cmd": "remove", "path": "/api/v1/namespaces/default/configmaps/vanish"])
                try await server.command(["cmd": "compact"])
                try await server.command(["cmd": "cut"])
                try await events.wait(for: ["listed keep,vanish", "resynced keep"])
                _ = try await client.create(Self.configMap("after"))
                try await events.wait(for: ["listed keep,vanish", "resynced keep", "added after"])
                let lists = try await server.requests().filter { $0["method"] == "GET" && $0[path: ["query", "watch"]] == nil }
                #expect(lists.count == 2)
            }
        }
    }

    @Test func cancellingListWatchConsumerAbortsTheWatchRequest() async throws {
        try await withKubeServer { server in
            try await withClient(try KubeClient(config: try server.certificateConfig())) { client in
                let gate = AsyncGate()
                await gate.enter()
                let consumer = Task {
                    for try await event in client.listWatch(ConfigMap.self, options: Self.fast) {
                        if case .listed = event { gate.leave() }
                    }
                }
                await gate.enter()
                try await eventually("the watch to be open") { client.reactor.activeTransferCount == 1 }
                consumer.cancel()
                await #expect(throws: CancellationError.self) { try await consumer.value }
                try await eventually("the watch to be aborted") { client.reactor.activeTransferCount == 0 }
            }
        }
    }
}

/// Consumes a list-then-watch in its own task and records what arrives, so tests can change the
/// server while the consumer keeps pulling.
final class EventCollector: Sendable {
    private let box: RecordBox
    private let task: Task<Void, any Error>

    init(_ sequence: ListWatch<ConfigMap>) {
        let box = RecordBox()
        self.box = box
        task = Task {
            for try await event in sequence { box.append(WatchTests.describe(event)) }
        }
    }

    /// Waits until exactly `expected` has arrived; fails early on anything else.
    func wait(for expected: [String]) async throws {
        try await eventually("events \(expected)") {
            let current = box.events
            if current.count >= expected.count && current != expected {
                throw TestFailure("expected \(expected), got \(current)")
            }
            return current == expected
        }
    }

    /// Cancels the consumer.
    func stop() { task.cancel() }
}

/// The recorded event descriptions.
final class RecordBox: Sendable {
    private let state = Mutex<[String]>([])
    var events: [String] { state.withLock { $0 } }
    func append(_ event: String) { state.withLock { $0.append(event) } }
}
