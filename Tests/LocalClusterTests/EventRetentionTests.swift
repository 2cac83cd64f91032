import CubicleModel
import Foundation
import Testing

@testable import LocalCluster

/// Events as the API server keeps them: a repeat of the same event bumps its count, and events
/// last seen more than an hour ago are pruned when new ones are written.
@Suite struct EventRetentionTests {
    static func registry(time: ManualTimeSource) -> Registry {
        let store = ObjectStore(snapshot: nil, historyLimit: 1000) { _ in }
        let registry = Registry(store: store, catalog: .builtin, time: time, rootCertificatePEM: "")
        registry.bootstrap()
        return registry
    }

    static func pod(_ name: String) -> JSONValue {
        ["apiVersion": "v1", "kind": "Pod", "metadata": ["name": .string(name), "namespace": "default", "uid": .string("uid-\(name)"), "resourceVersion": "1"]]
    }

    static func events(_ registry: Registry) throws -> [JSONValue] {
        try registry.list(ResourceCatalog.events, namespace: "default", options: ListOptions()).items
    }

    @Test func aRepeatedEventIsCountedNotDuplicated() throws {
        let time = ManualTimeSource()
        let registry = Self.registry(time: time)
        for _ in 0..<3 {
            _ = try registry.recordEvent(
                about: Self.pod("a"), resource: ResourceCatalog.pods, type: "Normal", reason: "Pulled", message: "pulled",
                fieldPath: nil, component: "kubelet", host: "local")
        }
        _ = try registry.recordEvent(
            about: Self.pod("b"), resource: ResourceCatalog.pods, type: "Normal", reason: "Pulled", message: "pulled",
            fieldPath: nil, component: "kubelet", host: "local")
        let events = try Self.events(registry)
        #expect(events.count == 2)
        let counts = events.map { ($0[path: ["involvedObject", "name"]]?.stringValue ?? "", $0["count"]?.intValue ?? 0) }
        #expect(Dictionary(uniqueKeysWithValues: counts) == ["a": 3, "b": 1])
    }

    @Test func eventsOlderThanAnHourArePrunedWhenNewOnesArrive() throws {
        let time = ManualTimeSource()
        let registry = Self.registry(time: time)
        for index in 0..<50 {
            _ = try registry.recordEvent(
                about: Self.pod("old\(index)"), resource: ResourceCatalog.pods, type: "Normal", reason: "Scheduled",
                message: "scheduled", fieldPath: nil, component: "scheduler", host: "local")
        }
        time.advance(by: 30 * 60)
        _ = try registry.recordEvent(
            about: Self.pod("middle"), resource: ResourceCatalog.pods, type: "Normal", reason: "Scheduled",
            message: "scheduled", fieldPath: nil, component: "scheduler", host: "local")
        #expect(try Self.events(registry).count == 51, "nothing is an hour old yet")

        time.advance(by: 31 * 60)
        _ = try registry.recordEvent(
            about: Self.pod("new"), resource: ResourceCatalog.pods, type: "Normal", reason: "Scheduled",
            message: "scheduled", fieldPath: nil, component: "scheduler", host: "local")
        let names = Set(try Self.events(registry).compactMap { $0[path: ["involvedObject", "name"]]?.stringValue })
        #expect(names == ["middle", "new"])
    }
}
