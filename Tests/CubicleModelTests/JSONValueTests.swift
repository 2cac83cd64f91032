import CubicleModel
import Testing

@Suite struct JSONValueTests {
    @Test func keepsIntegersApartFromDoubles() throws {
        let value = try JSONValue.parse(Array(#"{"a":1,"b":1.5,"c":true,"d":null,"e":["x"]}"#.utf8))
        #expect(value["a"] == .int(1))
        #expect(value["b"] == .double(1.5))
        #expect(value["c"] == .bool(true))
        #expect(value["d"] == .null)
        #expect(String(decoding: value.serialized(), as: UTF8.self) == #"{"a":1,"b":1.5,"c":true,"d":null,"e":["x"]}"#)
    }

    @Test func mergePatchFollowsRFC7386() {
        let target: JSONValue = ["a": "b", "c": ["d": "e", "f": "g"], "list": [1, 2]]
        let patch: JSONValue = ["a": "z", "c": ["f": nil], "list": [3]]
        #expect(target.applyingMergePatch(patch) == ["a": "z", "c": ["d": "e"], "list": [3]])
        #expect(target.applyingMergePatch("scalar") == "scalar")
    }

    @Test func setPathCreatesIntermediateObjects() {
        var value: JSONValue = [:]
        value.set(path: ["metadata", "labels", "app"], to: "x")
        #expect(value[path: ["metadata", "labels", "app"]] == "x")
        value.set(path: ["metadata", "labels", "app"], to: nil)
        #expect(value[path: ["metadata", "labels"]] == .object([:]))
    }
}
