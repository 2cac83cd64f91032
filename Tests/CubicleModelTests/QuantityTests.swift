import CubicleModel
import Foundation
import Testing

@Suite struct QuantityTests {
    static let grammarCases: [(String, Int128)] = [
        ("100m", 100_000_000),
        ("2", 2_000_000_000),
        ("1.5", 1_500_000_000),
        ("128Mi", 134_217_728_000_000_000),
        ("1G", 1_000_000_000_000_000_000),
        ("1e3", 1_000_000_000_000),
        ("1E3", 1_000_000_000_000),
        ("5e-3", 5_000_000),
        (".5", 500_000_000),
        ("1.", 1_000_000_000),
        ("+1k", 1_000_000_000_000),
        ("-2", -2_000_000_000),
        ("0.5Ki", 512_000_000_000),
        ("1n", 1),
        ("10u", 10_000),
        ("0", 0),
    ]

    @Test(arguments: grammarCases)
    func parsesTheKubernetesGrammarExactly(text: String, nanos: Int128) throws {
        #expect(try Quantity(text).nanos == nanos)
    }

    @Test(arguments: ["", "m", "1.2.3", "1Gb", "1 Gi", "Mi", "1e", "1e+", "--1", "1ki", "0x10", "1e400", "9Ei", "abc", String(repeating: "1", count: 70)])
    func rejectsWhatKubernetesRejects(text: String) {
        #expect(throws: Quantity.ParseError.self) { try Quantity(text) }
        #expect(Quantity.problem(with: text) != nil)
    }

    @Test func finerThanNanoRoundsUpLikeTheAPIServer() throws {
        #expect(try Quantity("0.1n").nanos == 1)
        #expect(try Quantity("1.0000000001").nanos == 1_000_000_001)
    }

    @Test func millicoresAndBytesRoundUp() throws {
        #expect(try Quantity("100m").millicores == 100)
        #expect(try Quantity("2").millicores == 2_000)
        #expect(try Quantity("0.1m").millicores == 1)
        #expect(try Quantity("1.5").millicores == 1_500)
        #expect(try Quantity("128Mi").bytes == 134_217_728)
        #expect(try Quantity("1G").bytes == 1_000_000_000)
        #expect(try Quantity("1.5").bytes == 2)
        #expect(throws: Quantity.ParseError.self) { try Quantity("8Ei") }
        #expect(Quantity(nanos: Quantity(bytes: .max).nanos + 1_000_000_000) == nil)
        #expect(try Quantity("7Ei").bytes == 7 * (1 << 60))
    }

    @Test(arguments: [
        ("100m", "100m"), ("0.1", "100m"), ("1.5", "1500m"), ("2", "2"), ("1000m", "1"), ("128Mi", "128Mi"),
        ("1.5Gi", "1536Mi"), ("2048Ki", "2Mi"), ("0.5Ki", "512"), ("1G", "1G"), ("1500M", "1500M"),
        ("2000M", "2G"), ("1e3", "1e3"), ("1500e0", "1500"), ("1e-3", "1e-3"), ("0Gi", "0"), ("-1Mi", "-1Mi"),
    ])
    func canonicalStringKeepsTheNotation(text: String, canonical: String) throws {
        #expect(try Quantity(text).canonical == canonical)
        #expect(try Quantity(canonical) == Quantity(text))
    }

    @Test func equalValuesAreEqualWhateverTheNotation() throws {
        #expect(try Quantity("1Ki") == Quantity("1024"))
        #expect(try Quantity("1k") != Quantity("1Ki"))
        #expect(try Quantity("500m") < Quantity("1"))
        #expect(Set([try Quantity("1Gi"), try Quantity("1073741824")]).count == 1)
    }

    @Test func codableUsesTheCanonicalString() throws {
        let encoded = try JSONEncoder().encode([try Quantity("1.5Gi")])
        #expect(String(decoding: encoded, as: UTF8.self) == "[\"1536Mi\"]")
        let decoded = try JSONDecoder().decode([Quantity].self, from: Data("[\"2\", 3]".utf8))
        #expect(decoded == [try Quantity("2"), try Quantity("3")])
        #expect(throws: DecodingError.self) { try JSONDecoder().decode([Quantity].self, from: Data("[\"2Gb\"]".utf8)) }
    }
}
