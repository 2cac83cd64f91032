@testable import Blueprints
import Testing

@Suite struct LoadErrorTests {
    @Test func cycleNamesTheChainOnceAtTheFirstLoadedMember() {
        let result = load(("b/cycle.yaml", """
            blueprints:
              - name: a
                template: c
                image: i
              - name: b
                template: a
              - name: c
                template: b
              - name: d
                template: a
            """))
        #expect(rendered(result) == ["b/cycle.yaml:3:15: blueprints[0].template: template cycle: a -> c -> b -> a"])
        for name in ["a", "b", "c", "d"] {
            guard case .invalid(let diagnostics) = result.catalog.lookup(name) else {
                Issue.record("\(name) must be invalid")
                continue
            }
            #expect(diagnostics.map(\.message) == ["template cycle: a -> c -> b -> a"])
        }
    }

    @Test func selfTemplateIsACycle() {
        let result = load(("b/self.yaml", "name: me\ntemplate: me\nimage: i\n"))
        #expect(rendered(result) == ["b/self.yaml:2:11: template: template cycle: me -> me"])
    }

    @Test func missingParentIsReportedAtTheTemplateKeyWithASuggestion() {
        let result = load(("b/dev.yaml", "blueprint:\n  name: dev\n  template: bsae\n"), ("b/base.yaml", "name: base\nimage: i\n"))
        #expect(rendered(result) == [
            "b/dev.yaml:3:13: blueprint.template: template \"bsae\" not found (did you mean \"base\"?)",
        ])
    }

    @Test func duplicateNamesAcrossFilesNameBothLocations() {
        let result = load(
            ("blueprints/a.yaml", "blueprints:\n  - name: dev\n    image: i\n"),
            ("blueprints/b.yaml", "# another one\nname: dev\nimage: j\n")
        )
        #expect(rendered(result) == [
            "blueprints/b.yaml:2:7: name: duplicate blueprint name \"dev\" (also defined at blueprints/a.yaml:2:11)",
        ])
        guard case .invalid = result.catalog.lookup("dev") else {
            Issue.record("a duplicated name must not resolve to either definition")
            return
        }
    }

    @Test func unknownKeysAreReportedAtTheKeyWithASuggestion() {
        let result = load(("blueprints/dev.yaml", """
            blueprints:
              - name: base
                image: i
              - name: dev
                template: base
                storages:
                  home:
                    type: local
                    path: /home/x
                    sizeLimitt: 1Gi
                imagee: j
            """))
        #expect(rendered(result) == [
            "blueprints/dev.yaml:10:9: blueprints[1].storages.home.sizeLimitt: unknown key \"sizeLimitt\" (did you mean \"sizeLimit\"?)",
            "blueprints/dev.yaml:11:5: blueprints[1].imagee: unknown key \"imagee\" (did you mean \"image\"?)",
        ])
    }

    @Test func k8shellOnlyKeysAreUnsupportedNotUnknown() {
        let result = load(("b/k.yaml", "name: k\nimage: i\nvpn: { enabled: true }\ngpu: 1\n"))
        #expect(rendered(result) == [
            "b/k.yaml:3:1: vpn: \"vpn\" is a k8shell key that Cubicle does not support; remove it",
            "b/k.yaml:4:1: gpu: \"gpu\" is a k8shell key that Cubicle does not support; remove it",
        ])
    }

    @Test func wrongTypesNameTheExpectedAndActualKinds() {
        let result = load(("b/t.yaml", """
            name: t
            image: [not, a, string]
            env: just-a-string
            enableApps: "yes"
            resources: 4
            """))
        #expect(rendered(result) == [
            "b/t.yaml:2:8: image: expected an image reference, got a list",
            "b/t.yaml:3:6: env: expected a mapping, got a string",
            "b/t.yaml:4:13: enableApps: expected a boolean (true or false), got a string \"yes\"",
            "b/t.yaml:5:12: resources: expected a mapping, got an integer",
        ])
    }

    @Test func theExampleStorageTypeErrorReadsAsDocumented() {
        let result = load(("blueprints/dev.yaml", """
            blueprints:
              - name: base
                image: i
              - name: dev
                template: base
                storages:
                  home:
                    path: /home/x
                    type: nfs
            """))
        #expect(rendered(result) == [
            "blueprints/dev.yaml:9:15: blueprints[1].storages.home.type: expected one of local, shared, emptyDir, memory, got \"nfs\"",
        ])
    }

    @Test func everyErrorOfALoadIsCollected() {
        let result = load(
            ("b/1.yaml", "name: one\nimage: i\nbogus: 1\nimagePullPolicy: sometimes\n"),
            ("b/2.yaml", "name: Two\n"),
            ("b/3.yaml", "blueprints: [{ name: three, template: missing }]\n"),
            ("b/4.yaml", "name: four\n  image: broken indentation\n")
        )
        #expect(result.diagnostics.count == 5, "\(rendered(result))")
        #expect(result.diagnostics.map(\.location.file) == ["b/1.yaml", "b/1.yaml", "b/2.yaml", "b/3.yaml", "b/4.yaml"])
        #expect(result.catalog.blueprints.isEmpty)
    }

    @Test func yamlSyntaxErrorsCarryTheirPosition() {
        let result = load(("b/bad.yaml", "name: x\nimage: [unclosed\n"))
        #expect(result.diagnostics.count == 1)
        let diagnostic = result.diagnostics.first
        #expect(diagnostic?.location.file == "b/bad.yaml")
        #expect(diagnostic?.location.line == 3)
        #expect(diagnostic?.message.hasPrefix("YAML syntax error:") == true)
    }

    @Test func duplicateKeysInAMappingAreSyntaxErrors() {
        let result = load(("b/dup.yaml", "name: x\nimage: i\nimage: j\n"))
        #expect(rendered(result).count == 1)
        #expect(result.diagnostics.first?.message == "duplicate key \"image\" in a mapping")
        #expect(result.diagnostics.first?.location.line == 2)
    }

    @Test func missingAndInvalidNamesAreReported() {
        let result = load(("b/n.yaml", """
            - image: i
            - name: \(String(repeating: "a", count: 41))
            - name: !cel "'x'"
            """))
        #expect(rendered(result) == [
            "b/n.yaml:1:3: [0].name: required: every blueprint needs a name",
            "b/n.yaml:2:9: [1].name: must be a DNS label: must be no more than 40 characters, got \"\(String(repeating: "a", count: 41))\"",
            "b/n.yaml:3:9: [2].name: must be written literally: expressions (!cel) are not allowed here",
        ])
    }

    @Test func unknownTagsAndAliasesBehave() {
        let result = load(("b/tags.yaml", """
            defaults: &defaults
              name: shared
            name: tagged
            image: !custom i
            """))
        #expect(rendered(result).contains("b/tags.yaml:4:8: image: unsupported tag !custom (only !cel is understood)"))
        #expect(rendered(result).contains("b/tags.yaml:1:1: defaults: unknown key \"defaults\""))
    }

    @Test func aliasBombsAreBounded() {
        var yaml = "a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n"
        for level in 1...8 {
            let refs = Array(repeating: "*a\(level - 1)", count: 10).joined(separator: ", ")
            yaml += "a\(level): &a\(level) [\(refs)]\n"
        }
        let result = load(("b/bomb.yaml", yaml))
        #expect(result.diagnostics.contains { $0.message.contains("expands to more than") })
    }

    @Test func absurdNestingIsRejectedBeforeParsing() {
        let deep = String(repeating: "[", count: 5_000) + String(repeating: "]", count: 5_000)
        let result = load(("b/deep.yaml", "name: x\nimage: \(deep)\n"))
        #expect(result.diagnostics.map(\.message) == ["flow collections nested deeper than 64 levels"])
    }
}
