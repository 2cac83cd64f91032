import CubicleModel
import Testing

@testable import LocalCluster

/// The incremental snapshot encoder writes exactly the document a full re-encode would, and
/// serializes again only what changed.
@Suite struct SnapshotEncoderTests {
    static func object(_ namespace: String, _ name: String, version: Int, data: String) -> JSONValue {
        ["metadata": ["namespace": .string(namespace), "name": .string(name), "resourceVersion": .string(String(version))],
         "data": ["value": .string(data)]]
    }

    static func table(_ objects: [JSONValue]) -> [ObjectKey: JSONValue] {
        Dictionary(uniqueKeysWithValues: objects.map { (ObjectKey(namespace: $0.namespace, name: $0.name), $0) })
    }

    static func expected(_ version: Int64, _ tables: [String: [ObjectKey: JSONValue]]) -> JSONValue {
        PersistedState(resourceVersion: version, objects: tables.mapValues { $0.sorted { $0.key < $1.key }.map(\.value) }).document
    }

    @Test func incrementalEncodingEqualsAFullEncodeAcrossChanges() throws {
        var encoder = SnapshotEncoder()
        var tables: [String: [ObjectKey: JSONValue]] = [
            "v1/secrets": Self.table([Self.object("default", "a", version: 1, data: "one"), Self.object("default", "b", version: 2, data: "two")]),
            "v1/pods": Self.table([Self.object("default", "p", version: 3, data: "pod \"quoted\" \\ and\nnewline")]),
        ]
        let first = encoder.encode(resourceVersion: 3, tables: tables)
        #expect(try JSONValue.parse(first) == Self.expected(3, tables))
        #expect(encoder.lastSerializedCount == 3)

        // Change one object, delete one, add one table and one object.
        tables["v1/secrets"]?[ObjectKey(namespace: "default", name: "a")] = Self.object("default", "a", version: 4, data: "changed")
        tables["v1/secrets"]?[ObjectKey(namespace: "default", name: "b")] = nil
        tables["v1/configmaps"] = Self.table([Self.object("other", "c", version: 5, data: "new")])
        let second = encoder.encode(resourceVersion: 5, tables: tables)
        #expect(try JSONValue.parse(second) == Self.expected(5, tables))
        #expect(encoder.lastSerializedCount == 2, "only the changed and the new object are serialized again")

        // A table emptied and a state with nothing at all.
        tables["v1/pods"] = [:]
        #expect(try JSONValue.parse(encoder.encode(resourceVersion: 6, tables: tables)) == Self.expected(6, tables))
        #expect(try JSONValue.parse(encoder.encode(resourceVersion: 7, tables: [:])) == Self.expected(7, [:]))
    }

    @Test func theEncodedStateLoadsBackAsTheSameObjects() throws {
        var encoder = SnapshotEncoder()
        let tables = ["v1/secrets": Self.table((0..<50).map { Self.object("ns\($0 % 3)", "s\($0)", version: $0 + 1, data: "\($0)") })]
        let state = try PersistedState(document: JSONValue.parse(encoder.encode(resourceVersion: 50, tables: tables)))
        #expect(state.resourceVersion == 50)
        #expect(state.objects["v1/secrets"]?.count == 50)
        #expect(state.objects["v1/secrets"] == tables["v1/secrets"]?.sorted { $0.key < $1.key }.map(\.value))
    }
}
