@testable import Blueprints
import CubicleModel
import Foundation
import Logging
import Synchronization
import Testing

/// The watcher against a real directory and real inotify, with time driven by a
/// `ManualTimeSource`: the debounce only ends when a test advances the clock.
@Suite struct BlueprintWatcherTests {
    /// Every catalog a subscriber received, in order.
    private final class Recorder: Sendable {
        private let catalogs = Mutex<[BlueprintCatalog]>([])
        func append(_ catalog: BlueprintCatalog) { catalogs.withLock { $0.append(catalog) } }
        var all: [BlueprintCatalog] { catalogs.withLock { $0 } }
    }

    /// A running watcher over a fresh directory, a subscriber recording what it publishes, and
    /// the means to drive its clock.
    private struct Harness {
        let dir: TemporaryDirectory
        let clock = ManualTimeSource()
        let watcher: BlueprintWatcher
        let recorder = Recorder()
        let task: Task<Void, any Error>
        let subscriber: Task<Void, Never>

        init(setUp: (TemporaryDirectory) throws -> Void) async throws {
            dir = try TemporaryDirectory()
            try setUp(dir)
            let watcher = BlueprintWatcher(directory: dir.path, timeSource: clock, logger: quietLogger)
            self.watcher = watcher
            let stream = watcher.catalogs()
            let recorder = recorder
            subscriber = Task {
                for await catalog in stream { recorder.append(catalog) }
            }
            task = Task { try await watcher.run() }
        }

        /// The `count`-th published catalog (1-based), once it has arrived.
        func publication(_ count: Int) async throws -> BlueprintCatalog {
            try await waitUntil("catalog #\(count) is published") { recorder.all.count >= count }
            return recorder.all[count - 1]
        }

        /// Waits until the watcher has seen `events` inotify events in total and is debouncing,
        /// then moves the clock past the debounce interval, once.
        func settle(afterEvents events: Int = 1) async throws {
            try await waitUntil("\(events) change events arrive and the debounce starts") {
                watcher.changeEventCount >= events && clock.sleeperCount > 0
            }
            clock.advance(by: 0.6)
        }

        /// Moves the clock past the debounce whenever the watcher is debouncing, until
        /// `condition` holds; for changes made of several events that may arrive in batches.
        func advance(until what: String, _ condition: () -> Bool) async throws {
            try await waitUntil(what) {
                if condition() { return true }
                if clock.sleeperCount > 0 { clock.advance(by: 0.6) }
                return false
            }
        }

        func stop() async {
            task.cancel()
            _ = await task.result
            subscriber.cancel()
            dir.remove()
        }
    }

    @Test func aValidChangeIsPublishedAfterTheDebounce() async throws {
        let harness = try await Harness { try $0.write("dev.yaml", "name: dev\nimage: one\n") }
        let first = try await harness.publication(1)
        #expect(first.names == ["dev"])
        #expect(harness.watcher.status == .ok)

        try harness.dir.writeAtomically("web.yaml", "name: web\nimage: two\n")
        try await waitUntil("the change is seen") { harness.watcher.changeEventCount >= 1 }
        // Still debouncing: nothing is reloaded until the clock moves.
        #expect(harness.watcher.reloadCount == 1)
        // Keeps moving the clock while the watcher debounces: under load the sleeper seen first
        // may not be the one the reload waits on.
        try await harness.advance(until: "catalog #2 is published") { harness.recorder.all.count >= 2 }
        let second = try await harness.publication(2)
        #expect(second.names == ["dev", "web"])
        #expect(harness.watcher.catalog.names == ["dev", "web"])
        await harness.stop()
    }

    @Test func aBrokenChangeKeepsThePreviousSetAndReportsTheError() async throws {
        let harness = try await Harness { try $0.write("dev.yaml", "name: dev\nimage: one\n") }
        _ = try await harness.publication(1)

        try harness.dir.writeAtomically("dev.yaml", "name: dev\nimage: one\nimagePullPolicy: Sometimes\n")
        try await harness.advance(until: "the broken reload finishes") { harness.watcher.reloadCount >= 2 }
        #expect(harness.watcher.reloadCount == 2)
        #expect(harness.watcher.status.description == "error: \(harness.dir.path)/dev.yaml:3:18: imagePullPolicy: expected one of Always, IfNotPresent, Never, got \"Sometimes\"")
        #expect(harness.watcher.errors.count == 1)
        guard case .concrete = harness.watcher.catalog.lookup("dev") else {
            Issue.record("the previous, valid dev must stay in force")
            return
        }

        // Fixing it publishes again and clears the error.
        try harness.dir.writeAtomically("dev.yaml", "name: dev\nimage: three\n")
        try await harness.settle(afterEvents: 2)
        let fixed = try await harness.publication(2)
        #expect(harness.recorder.all.count == 2)
        #expect(try fixed.provisionable("dev").instantiate(context: testContext()).image == "three")
        #expect(harness.watcher.status == .ok)
        #expect(harness.watcher.errors.isEmpty)
        await harness.stop()
    }

    @Test func statusCountsFurtherErrors() async throws {
        let harness = try await Harness { try $0.write("dev.yaml", "name: dev\nimage: one\n") }
        _ = try await harness.publication(1)
        try harness.dir.writeAtomically("bad.yaml", "- name: Bad\n- name: worse_\n- { image: i }\n")
        try await harness.settle()
        try await waitUntil("the broken reload finishes") { harness.watcher.reloadCount == 2 }
        #expect(harness.watcher.status.description.hasPrefix("error: \(harness.dir.path)/bad.yaml:1:9: [0].name: must be a DNS label"))
        #expect(harness.watcher.status.description.hasSuffix(" (+2 more)"))
        await harness.stop()
    }

    @Test func aConfigMapStyleDataSwapIsPickedUp() async throws {
        let harness = try await Harness { dir in
            try dir.write("..2026_01_01_00_00_00.1/dev.yaml", "name: dev\nimage: old\n")
            try dir.symlink("..data", to: "..2026_01_01_00_00_00.1")
            try dir.symlink("dev.yaml", to: "..data/dev.yaml")
        }
        let first = try await harness.publication(1)
        #expect(try first.provisionable("dev").instantiate(context: testContext()).image == "old")

        // What the kubelet does: write a new timestamped directory, point a temporary symlink at
        // it, rename that over ..data, then remove the old directory.
        try harness.dir.write("..2026_01_02_00_00_00.2/dev.yaml", "name: dev\nimage: new\n")
        try harness.dir.symlink("..data_tmp", to: "..2026_01_02_00_00_00.2")
        #expect(rename(harness.dir.path + "/..data_tmp", harness.dir.path + "/..data") == 0)
        try FileManager.default.removeItem(atPath: harness.dir.path + "/..2026_01_01_00_00_00.1")

        try await harness.advance(until: "the new ..data is published") { harness.recorder.all.count >= 2 }
        let second = try await harness.publication(2)
        #expect(try second.provisionable("dev").instantiate(context: testContext()).image == "new")
        await harness.stop()
    }

    @Test func anInPlaceEditBehindASymlinkIsPickedUp() async throws {
        let harness = try await Harness { dir in
            try dir.write("..data/dev.yaml", "name: dev\nimage: old\n")
            try dir.symlink("dev.yaml", to: "..data/dev.yaml")
        }
        _ = try await harness.publication(1)
        try harness.dir.write("..data/dev.yaml", "name: dev\nimage: edited\n")
        try await harness.advance(until: "the edit is published") { harness.recorder.all.count >= 2 }
        let second = try await harness.publication(2)
        #expect(try second.provisionable("dev").instantiate(context: testContext()).image == "edited")
        await harness.stop()
    }

    @Test func aBurstOfChangesReloadsOnce() async throws {
        let harness = try await Harness { try $0.write("dev.yaml", "name: dev\nimage: one\n") }
        _ = try await harness.publication(1)
        #expect(harness.watcher.reloadCount == 1)

        for name in ["a", "b", "c"] {
            try harness.dir.writeAtomically("\(name).yaml", "name: \(name)\nimage: i\n")
        }
        try await harness.settle(afterEvents: 3)
        let catalog = try await harness.publication(2)
        #expect(catalog.names == ["a", "b", "c", "dev"])
        #expect(harness.watcher.reloadCount == 2)
        // The burst's three events are covered by that one reload; only an event that arrived
        // after it (none is expected, but the directory is a real one) may leave a change pending.
        let events = harness.watcher.changeEventCount
        #expect(!harness.watcher.hasPendingChange || events > 3, "a change is pending after \(events) events")
        await harness.stop()
    }

    @Test func newSubdirectoriesAreWatchedToo() async throws {
        let harness = try await Harness { try $0.write("dev.yaml", "name: dev\nimage: one\n") }
        _ = try await harness.publication(1)
        try FileManager.default.createDirectory(atPath: harness.dir.path + "/team", withIntermediateDirectories: false)
        try await harness.settle()
        try await waitUntil("the subdirectory is watched") { harness.watcher.reloadCount == 2 }

        let before = harness.watcher.changeEventCount
        try harness.dir.writeAtomically("team/web.yaml", "name: web\nimage: i\n")
        try await harness.settle(afterEvents: before + 1)
        let catalog = try await harness.publication(2)
        #expect(catalog.names == ["dev", "web"])
        await harness.stop()
    }

    @Test func runEndsWhenCancelled() async throws {
        let harness = try await Harness { try $0.write("dev.yaml", "name: dev\nimage: one\n") }
        try await waitUntil("the first load") { harness.watcher.reloadCount == 1 }
        harness.task.cancel()
        try await harness.task.value
        harness.dir.remove()
    }

    @Test func aFirstLoadWithErrorsStillServesTheValidBlueprints() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        try dir.write("good.yaml", "name: good\nimage: i\n")
        try dir.write("bad.yaml", "name: bad\n")
        let watcher = BlueprintWatcher(directory: dir.path, logger: quietLogger)
        #expect(watcher.status == .notLoaded)
        let status = await watcher.reload()
        #expect(!status.isOK)
        #expect(watcher.catalog.concrete.map(\.name) == ["good"])
        guard case .invalid = watcher.catalog.lookup("bad") else {
            Issue.record("bad must answer as invalid")
            return
        }
    }
}
