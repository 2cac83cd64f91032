import CubicleModel
import Foundation
import LocalCluster
import Testing

/// Watches over HTTP: initial state, replay from a resourceVersion, selector transitions,
/// bookmarks, timeouts, 410 after compaction, and the cut-watches fault.
@Suite("Watch")
struct WatchTests {
    /// The decoded events a watch process has printed so far.
    static func events(_ watch: Subprocess) -> [JSONValue] {
        watch.lines.compactMap { try? JSONValue.parse(Array($0.utf8)) }
    }

    /// Waits for an event line matching `predicate`.
    static func event(_ watch: Subprocess, within seconds: Double = 20, where predicate: @escaping @Sendable (JSONValue) -> Bool) async -> JSONValue? {
        let line = await watch.line(within: seconds) { line in
            guard let event = try? JSONValue.parse(Array(line.utf8)) else { return false }
            return predicate(event)
        }
        return line.flatMap { try? JSONValue.parse(Array($0.utf8)) }
    }

    static func isEvent(_ type: String, named name: String) -> @Sendable (JSONValue) -> Bool {
        { $0["type"]?.stringValue == type && $0[path: ["object", "metadata", "name"]]?.stringValue == name }
    }

    @Test func watchWithoutVersionStartsWithCurrentStateThenLiveChanges() async throws {
        try await TestCluster.with { test in
            _ = try await test.request("POST", "/api/v1/namespaces/default/configmaps", json: ObjectSemanticsTests.configMap("old"))
            let watch = try test.stream("/api/v1/namespaces/default/configmaps?watch=1")
            defer { watch.signal(SIGTERM) }
            #expect(await Self.event(watch, where: Self.isEvent("ADDED", named: "old")) != nil)
            _ = try await test.request("POST", "/api/v1/namespaces/default/configmaps", json: ObjectSemanticsTests.configMap("new"))
            #expect(await Self.event(watch, where: Self.isEvent("ADDED", named: "new")) != nil)
            _ = try await test.request(
                "PATCH", "/api/v1/namespaces/default/configmaps/new", json: ["data": ["k": "2"]],
                contentType: "application/merge-patch+json"
            )
            #expect(await Self.event(watch, where: Self.isEvent("MODIFIED", named: "new")) != nil)
            _ = try await test.request("DELETE", "/api/v1/namespaces/default/configmaps/new")
            #expect(await Self.event(watch, where: Self.isEvent("DELETED", named: "new")) != nil)
        }
    }

    @Test func watchReplaysEveryChangeAfterTheGivenResourceVersion() async throws {
        try await TestCluster.with { test in
            let created = try await test.request("POST", "/api/v1/namespaces/default/configmaps", json: ObjectSemanticsTests.configMap("a"))
            let start = try #require(created.json.resourceVersionNumber)
            _ = try await test.request("POST", "/api/v1/namespaces/default/configmaps", json: ObjectSemanticsTests.configMap("b"))
            _ = try await test.request("DELETE", "/api/v1/namespaces/default/configmaps/a")
            let watch = try test.stream("/api/v1/namespaces/default/configmaps?watch=true&resourceVersion=\(start)")
            defer { watch.signal(SIGTERM) }
            let deleted = await Self.event(watch, where: Self.isEvent("DELETED", named: "a"))
            #expect(deleted != nil)
            let replayed = Self.events(watch).map { "\($0["type"]?.stringValue ?? "") \($0[path: ["object", "metadata", "name"]]?.stringValue ?? "")" }
            #expect(replayed == ["ADDED b", "DELETED a"])
            #expect((deleted?[path: ["object"]]?.resourceVersionNumber ?? 0) > start + 1)
        }
    }

    @Test func modificationsLeavingTheSelectorArriveAsDeletions() async throws {
        try await TestCluster.with { test in
            _ = try await test.request("POST", "/api/v1/namespaces/default/configmaps", json: ObjectSemanticsTests.configMap("m", labels: ["app": "web"]))
            let watch = try test.stream("/api/v1/namespaces/default/configmaps?watch=1&labelSelector=app%3Dweb")
            defer { watch.signal(SIGTERM) }
            #expect(await Self.event(watch, where: Self.isEvent("ADDED", named: "m")) != nil)
            _ = try await test.request(
                "PATCH", "/api/v1/namespaces/default/configmaps/m", json: ["metadata": ["labels": ["app": "db"]]],
                contentType: "application/merge-patch+json"
            )
            #expect(await Self.event(watch, where: Self.isEvent("DELETED", named: "m")) != nil)
            let restored = try await test.request(
                "PATCH", "/api/v1/namespaces/default/configmaps/m", json: ["metadata": ["labels": ["app": "web"]]],
                contentType: "application/merge-patch+json"
            )
            let version = restored.json.resourceVersionNumber
            let back = await Self.event(watch) { $0["type"]?.stringValue == "ADDED" && $0[path: ["object"]]?.resourceVersionNumber == version }
            #expect(back != nil)
        }
    }

    @Test func bookmarksCarryTheCurrentResourceVersion() async throws {
        try await TestCluster.with(configure: { $0.bookmarkInterval = 0.2 }) { test in
            let watch = try test.stream("/api/v1/namespaces/default/pods?watch=1&allowWatchBookmarks=true")
            defer { watch.signal(SIGTERM) }
            _ = try await test.request("POST", "/api/v1/namespaces/default/configmaps", json: ObjectSemanticsTests.configMap("bump"))
            let current = try await test.request("GET", "/api/v1/namespaces/default/pods").json.resourceVersionNumber ?? 0
            let bookmark = await Self.event(watch) { event in
                event["type"]?.stringValue == "BOOKMARK" && (event[path: ["object"]]?.resourceVersionNumber ?? 0) >= current
            }
            #expect(bookmark?[path: ["object", "kind"]]?.stringValue == "Pod")
        }
    }

    @Test func watchFromACompactedVersionGetsAnError410Event() async throws {
        try await TestCluster.with(configure: { $0.historyLimit = 3 }) { test in
            let first = try await test.request("POST", "/api/v1/namespaces/default/configmaps", json: ObjectSemanticsTests.configMap("v0"))
            for index in 1...5 {
                _ = try await test.request("POST", "/api/v1/namespaces/default/configmaps", json: ObjectSemanticsTests.configMap("v\(index)"))
            }
            let old = try #require(first.json.resourceVersionNumber)
            let watch = try test.stream("/api/v1/namespaces/default/configmaps?watch=1&resourceVersion=\(old)")
            let error = await Self.event(watch) { $0["type"]?.stringValue == "ERROR" }
            #expect(error?[path: ["object", "code"]]?.intValue == 410)
            #expect(error?[path: ["object", "reason"]]?.stringValue == "Expired")
            let message = error?[path: ["object", "message"]]?.stringValue ?? ""
            #expect(message.hasPrefix("too old resource version: \(old)"))
            let output = await watch.wait(deadline: 20)
            #expect(output.status == 0)
        }
    }

    @Test func expireHookMakesOlderVersionsGone() async throws {
        try await TestCluster.with { test in
            let created = try await test.request("POST", "/api/v1/namespaces/default/configmaps", json: ObjectSemanticsTests.configMap("x"))
            let version = try #require(created.json.resourceVersionNumber)
            _ = try await test.request("POST", "/api/v1/namespaces/default/configmaps", json: ObjectSemanticsTests.configMap("y"))
            try test.cluster.faults.expireResourceVersions()
            let watch = try test.stream("/api/v1/namespaces/default/configmaps?watch=1&resourceVersion=\(version)")
            let error = await Self.event(watch) { $0["type"]?.stringValue == "ERROR" }
            #expect(error?[path: ["object", "code"]]?.intValue == 410)
            _ = await watch.wait(deadline: 20)
        }
    }

    @Test func cutWatchesHookEndsOpenStreamsAndResumeMissesNothing() async throws {
        try await TestCluster.with { test in
            let watch = try test.stream("/api/v1/namespaces/default/configmaps?watch=1")
            #expect(await Self.event(watch, where: Self.isEvent("ADDED", named: "kube-root-ca.crt")) != nil)
            let before = try #require(try await test.request("GET", "/api/v1/namespaces/default/configmaps").json.resourceVersionNumber)
            try test.cluster.faults.cutWatches()
            let output = await watch.wait(deadline: 20)
            #expect(output.status != 0, "a cut stream ends without its final chunk")

            _ = try await test.request("POST", "/api/v1/namespaces/default/configmaps", json: ObjectSemanticsTests.configMap("during"))
            let resumed = try test.stream("/api/v1/namespaces/default/configmaps?watch=1&resourceVersion=\(before)")
            defer { resumed.signal(SIGTERM) }
            #expect(await Self.event(resumed, where: Self.isEvent("ADDED", named: "during")) != nil)
        }
    }

    @Test func timeoutSecondsEndsTheStreamCleanly() async throws {
        try await TestCluster.with { test in
            let watch = try test.stream("/api/v1/namespaces/default/configmaps?watch=1&timeoutSeconds=1")
            let output = await watch.wait(deadline: 20)
            #expect(output.status == 0, "\(output.standardError)")
            #expect(output.standardOutput.contains("kube-root-ca.crt"))
        }
    }

    @Test func singleObjectWatchByFieldSelector() async throws {
        try await TestCluster.with { test in
            _ = try await test.request("POST", "/api/v1/namespaces/default/configmaps", json: ObjectSemanticsTests.configMap("one"))
            _ = try await test.request("POST", "/api/v1/namespaces/default/configmaps", json: ObjectSemanticsTests.configMap("two"))
            let watch = try test.stream("/api/v1/namespaces/default/configmaps?watch=1&fieldSelector=metadata.name%3Dtwo")
            defer { watch.signal(SIGTERM) }
            // The watch is registered once its initial state (only "two") has arrived.
            #expect(await Self.event(watch, where: Self.isEvent("ADDED", named: "two")) != nil)
            _ = try await test.request("DELETE", "/api/v1/namespaces/default/configmaps/one")
            _ = try await test.request("DELETE", "/api/v1/namespaces/default/configmaps/two")
            #expect(await Self.event(watch, where: Self.isEvent("DELETED", named: "two")) != nil)
            let names = Set(Self.events(watch).compactMap { $0[path: ["object", "metadata", "name"]]?.stringValue })
            #expect(names == ["two"])
        }
    }

    @Test func tableWatchEventsCarryOneRowTables() async throws {
        try await TestCluster.with { test in
            _ = try await test.request("POST", "/api/v1/namespaces/default/pods", json: ObjectSemanticsTests.pod("p"))
            let watch = try Subprocess(
                "/usr/bin/curl",
                ["-s", "-N", "-H", "Accept: application/json;as=Table;v=v1;g=meta.k8s.io"] + test.authArguments(.admin)
                    + [test.address.url + "/api/v1/namespaces/default/pods?watch=1"]
            )
            defer { watch.signal(SIGTERM) }
            let first = await Self.event(watch) { $0["type"]?.stringValue == "ADDED" }
            #expect(first?[path: ["object", "kind"]]?.stringValue == "Table")
            #expect(first?[path: ["object", "rows"]]?.arrayValue?.count == 1)
            #expect(first?[path: ["object", "columnDefinitions"]]?.arrayValue?.isEmpty == false)
        }
    }
}

/// Watch clean-up and the periodic cut fault.
@Suite("Watch lifecycle")
struct WatchLifecycleTests {
    /// Waits until the cluster has `count` open watches.
    static func openWatches(_ test: TestCluster, become count: Int) async throws -> Bool {
        let cluster = test.cluster
        return try await withDeadline(20) {
            while try cluster.openWatchCount != count { try await Task.sleep(for: .milliseconds(10)) }
            return true
        }
    }

    @Test func clientsThatDisconnectReleaseTheirWatches() async throws {
        try await TestCluster.with { test in
            let watches = try (0..<3).map { _ in try test.stream("/api/v1/namespaces/default/configmaps?watch=1") }
            for watch in watches {
                #expect(await WatchTests.event(watch, where: WatchTests.isEvent("ADDED", named: "kube-root-ca.crt")) != nil)
            }
            #expect(try test.cluster.openWatchCount == 3)
            for watch in watches { watch.signal(SIGKILL) }
            for watch in watches { _ = await watch.wait(deadline: 10) }
            #expect(try await Self.openWatches(test, become: 0))
            #expect(try await test.request("GET", "/api/v1/namespaces/default/configmaps").status == 200)
        }
    }

    @Test func periodicCutsEndEveryWatchAgain() async throws {
        try await TestCluster.with { test in
            try test.cluster.faults.cutWatches(every: 0.2)
            for _ in 0..<2 {
                let watch = try test.stream("/api/v1/namespaces/default/configmaps?watch=1")
                let output = await watch.wait(deadline: 20)
                #expect(output.status != 0)
                #expect(output.standardOutput.contains("kube-root-ca.crt"))
            }
            try test.cluster.faults.cutWatches(every: nil)
        }
    }

    @Test func sendInitialEventsEndsWithAnAnnotatedBookmark() async throws {
        try await TestCluster.with { test in
            let watch = try test.stream(
                "/api/v1/namespaces/default/configmaps?watch=1&sendInitialEvents=true&allowWatchBookmarks=true&resourceVersionMatch=NotOlderThan"
            )
            defer { watch.signal(SIGTERM) }
            let bookmark = await WatchTests.event(watch) { $0["type"]?.stringValue == "BOOKMARK" }
            #expect(bookmark?[path: ["object", "metadata", "annotations", "k8s.io/initial-events-end"]]?.stringValue == "true")
            #expect(WatchTests.events(watch).first?["type"]?.stringValue == "ADDED")
        }
    }

    @Test func randomFailuresFollowTheProbability() async throws {
        try await TestCluster.with { test in
            try test.cluster.faults.failRandomly(probability: 1, status: 503)
            #expect(try await test.request("GET", "/api/v1/namespaces").status == 503)
            try test.cluster.faults.failRandomly(probability: 0)
            #expect(try await test.request("GET", "/api/v1/namespaces").status == 200)
        }
    }
}
