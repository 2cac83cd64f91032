import CubicleModel
import CubicleTestSupport
import Foundation
import KubeClient
import Testing

/// Watches and list-then-watch against the embedded API server: ordering, bookmarks, resuming
/// after a cut stream, and relisting after 410 Gone. Reconnect backoff runs on a manual clock, so
/// the tests decide exactly what happens while the client is disconnected.
@Suite struct ClusterWatchTests {
    /// The test's objects only; about one second of reconnect backoff; no minimum watch duration.
    static let resumable = ListWatchOptions(
        labelSelector: "watched=yes", watchTimeoutSeconds: nil, backoff: Backoff(initial: 1, maximum: 1), minimumWatchDuration: 0)

    static func map(_ name: String, _ value: String = "0") -> ConfigMap {
        ConfigMap(metadata: ObjectMeta(name: name, labels: ["watched": "yes"]), data: ["v": value])
    }

    static func version(_ object: ConfigMap?) -> Int { object?.metadata.resourceVersion.flatMap { Int($0) } ?? -1 }

    @Test func watchDeliversEveryChangeInOrderAfterTheGivenVersion() async throws {
        try await withLocalCluster { cluster in
            try await cluster.withAdmin { client in
                _ = try await client.create(Self.map("before"))
                let start = try #require(try await client.list(ConfigMap.self).resourceVersion)
                let stream = try await client.watch(ConfigMap.self, options: WatchOptions(resourceVersion: start, allowBookmarks: false))
                var events = stream.makeAsyncIterator()
                var created = try await client.create(Self.map("b"))
                created.data = ["v": "1"]
                _ = try await client.update(created)
                _ = try await client.create(Self.map("c"))
                try await client.delete(ConfigMap.self, name: "b")
                var seen: [WatchEvent<ConfigMap>] = []
                while seen.count < 4, let event = try await events.next() { seen.append(event) }
                stream.cancel()
                #expect(seen.map { "\($0.typeName) \($0.object?.metadata.name ?? "")" } == ["ADDED b", "MODIFIED b", "ADDED c", "DELETED b"])
                let versions = seen.map { Self.version($0.object) }
                #expect(versions == versions.sorted() && Set(versions).count == versions.count)
                #expect(versions.first ?? 0 > Int(start) ?? .max)
                #expect(seen[1].object?.data == ["v": "1"])
            }
        }
    }

    @Test func watchFromAnExpiredVersionEndsWithGone() async throws {
        try await withLocalCluster { cluster in
            try await cluster.withAdmin { client in
                let old = try await client.create(Self.map("a"))
                _ = try await client.create(Self.map("b"))
                try cluster.faults.expireResourceVersions()
                let stream = try await client.watch(ConfigMap.self, options: WatchOptions(resourceVersion: old.metadata.resourceVersion))
                var events = stream.makeAsyncIterator()
                guard case .error(let status)? = try await events.next() else {
                    Issue.record("expected an ERROR event")
                    return
                }
                #expect(status.code == 410)
                #expect(try await events.next() == nil)
            }
        }
    }

    @Test func bookmarksArriveOnlyWhenAllowedAndCarryTheLatestVersion() async throws {
        let clusterClock = ManualTimeSource(start: Date())
        try await withLocalCluster(timeSource: clusterClock, bookmarkInterval: 10) { cluster in
            try await cluster.withAdmin { client in
                let start = try #require(try await client.list(ConfigMap.self).resourceVersion)
                let withBookmarks = try await client.watch(ConfigMap.self, options: WatchOptions(resourceVersion: start, allowBookmarks: true))
                let without = try await client.watch(ConfigMap.self, options: WatchOptions(resourceVersion: start, allowBookmarks: false))
                var marked = withBookmarks.makeAsyncIterator()
                var plain = without.makeAsyncIterator()
                // Both watches arm their timeout; only the first also arms a bookmark timer.
                try await eventually("both watches to be serving") { clusterClock.sleeperCount == 3 }
                let x = try await client.create(Self.map("x"))
                #expect(try await marked.next()?.object?.metadata.name == "x")
                #expect(try await plain.next()?.object?.metadata.name == "x")

                clusterClock.advance(by: 10)
                let bookmark = try await marked.next()
                #expect(bookmark == .bookmark(resourceVersion: x.metadata.resourceVersion ?? ""))
                try await eventually("the bookmark timer to re-arm") { clusterClock.sleeperCount == 3 }
                _ = try await client.create(Self.map("y"))
                #expect(try await plain.next()?.object?.metadata.name == "y")
                #expect(try await marked.next()?.object?.metadata.name == "y")
                withBookmarks.cancel()
                without.cancel()
            }
        }
    }

    @Test func listWatchResumesAfterACutWithoutLosingOrDuplicatingEvents() async throws {
        let clientClock = ManualTimeSource()
        try await withLocalCluster { cluster in
            let log = RequestLog()
            try await cluster.withAdmin(timeSource: clientClock, requestObserver: log.observer) { client in
                _ = try await client.create(Self.map("one"))
                let events = EventCollector(client.listWatch(ConfigMap.self, options: Self.resumable))
                defer { events.stop() }
                try await events.wait(for: ["listed one"])
                try await eventually("the watch to open") { try cluster.cluster.openWatchCount == 1 }
                var two = try await client.create(Self.map("two"))
                try await events.wait(for: ["listed one", "added two"])

                try cluster.faults.cutWatches()
                try await eventually("the client to back off after the cut") { clientClock.sleeperCount == 1 }
                // Changes while nobody watches must be replayed from the last seen version.
                _ = try await client.create(Self.map("three"))
                two.data = ["v": "2"]
                _ = try await client.update(two)
                try await client.delete(ConfigMap.self, name: "one")
                clientClock.advance(by: 2)
                let replayed = ["listed one", "added two", "added three", "modified two", "deleted one"]
                try await events.wait(for: replayed)
                _ = try await client.create(Self.map("four"))
                try await events.wait(for: replayed + ["added four"])
                #expect(log.count(.list) == 1)
                #expect(log.count(.watch) == 2)
            }
        }
    }

    @Test func listWatchRelistsAfterGoneAndContinuesWatching() async throws {
        let clientClock = ManualTimeSource()
        try await withLocalCluster { cluster in
            let log = RequestLog()
            try await cluster.withAdmin(timeSource: clientClock, requestObserver: log.observer) { client in
                _ = try await client.create(Self.map("keep"))
                _ = try await client.create(Self.map("vanish"))
                let events = EventCollector(client.listWatch(ConfigMap.self, options: Self.resumable))
                defer { events.stop() }
                try await events.wait(for: ["listed keep,vanish"])
                try await eventually("the watch to open") { try cluster.cluster.openWatchCount == 1 }

                try cluster.faults.cutWatches()
                try await eventually("the client to back off after the cut") { clientClock.sleeperCount == 1 }
                // Deleted while nobody watched, then the history is compacted: the resume point is gone.
                try await client.delete(ConfigMap.self, name: "vanish")
                try cluster.faults.expireResourceVersions()
                clientClock.advance(by: 2)
                try await events.wait(for: ["listed keep,vanish", "resynced keep"])
                try await eventually("the new watch to open") { try cluster.cluster.openWatchCount == 1 }
                _ = try await client.create(Self.map("after"))
                try await events.wait(for: ["listed keep,vanish", "resynced keep", "added after"])
                #expect(log.count(.list) == 2)
            }
        }
    }

    @Test func watchOfOneObjectByFieldSelectorSeesOnlyThatObject() async throws {
        try await withLocalCluster { cluster in
            try await cluster.withAdmin { client in
                let start = try #require(try await client.list(ConfigMap.self).resourceVersion)
                let stream = try await client.watch(
                    ConfigMap.self, options: WatchOptions(resourceVersion: start, fieldSelector: "metadata.name=target", allowBookmarks: false))
                var events = stream.makeAsyncIterator()
                _ = try await client.create(Self.map("other"))
                _ = try await client.create(Self.map("target"))
                _ = try await client.mergePatch(ConfigMap.self, name: "other", patch: ["data": ["v": "1"]])
                _ = try await client.mergePatch(ConfigMap.self, name: "target", patch: ["data": ["v": "1"]])
                let first = try await events.next()
                let second = try await events.next()
                stream.cancel()
                #expect(first.map { "\($0.typeName) \($0.object?.metadata.name ?? "")" } == "ADDED target")
                #expect(second.map { "\($0.typeName) \($0.object?.data?["v"] ?? "")" } == "MODIFIED 1")
            }
        }
    }

    @Test func listWatchRidesOutAFailedWatchRequestWithoutLosingEvents() async throws {
        let clientClock = ManualTimeSource()
        try await withLocalCluster { cluster in
            let faults = try cluster.faults
            try await cluster.withAdmin(retryPolicy: .none, timeSource: clientClock) { client in
                _ = try await client.create(Self.map("one"))
                faults.failNext(1, status: 500, verb: "watch", resource: "configmaps")
                let events = EventCollector(client.listWatch(ConfigMap.self, options: Self.resumable))
                defer { events.stop() }
                try await events.wait(for: ["listed one"])
                try await eventually("the client to back off after the failed watch") {
                    faults.failedRequestCount == 1 && clientClock.sleeperCount == 1
                }
                _ = try await client.create(Self.map("two"))
                clientClock.advance(by: 2)
                try await events.wait(for: ["listed one", "added two"])
            }
        }
    }

    @Test func listWatchReopensAfterTheServerSideTimeoutWithoutRelisting() async throws {
        let clusterClock = ManualTimeSource(start: Date())
        try await withLocalCluster(timeSource: clusterClock) { cluster in
            let log = RequestLog()
            try await cluster.withAdmin(requestObserver: log.observer) { client in
                _ = try await client.create(Self.map("one"))
                var options = Self.resumable
                options.watchTimeoutSeconds = 30
                let events = EventCollector(client.listWatch(ConfigMap.self, options: options))
                defer { events.stop() }
                try await events.wait(for: ["listed one"])
                // The watch arms its timeout and its bookmark timer on the cluster's clock.
                try await eventually("the watch to be serving") { clusterClock.sleeperCount == 2 }
                clusterClock.advance(by: 31)
                try await eventually("the watch to be reopened") { log.count(.watch) == 2 && clusterClock.sleeperCount == 2 }
                _ = try await client.create(Self.map("two"))
                try await events.wait(for: ["listed one", "added two"])
                #expect(log.count(.list) == 1)
            }
        }
    }
}
