@testable import Blueprints
import CubicleModel
import Testing

@Suite struct InheritanceTests {
    private func spec(_ name: String, _ files: (String, String)...) throws -> BlueprintSpec {
        let result = BlueprintLoader.load(files: files.map { (name: $0.0, text: $0.1) })
        #expect(result.diagnostics.isEmpty, "\(rendered(result))")
        return try result.catalog.provisionable(name).instantiate(context: testContext())
    }

    @Test func childScalarsWinAndMappingsMergeKeyByKey() throws {
        let spec = try spec("child", ("b/all.yaml", """
            blueprints:
              - name: parent
                isTemplate: true
                image: parent:1
                description: from the parent
                resources: { cpu: "2", memory: 2Gi }
                env: { EDITOR: vim, LANG: C.UTF-8 }
              - name: child
                template: parent
                image: child:1
                resources: { memory: 8Gi }
                env: { EDITOR: nano, TZ: UTC }
            """))
        #expect(spec.image == "child:1")
        #expect(spec.description == "from the parent")
        #expect(spec.resources.cpuLimit == (try Quantity("2")))
        #expect(spec.resources.memoryLimit == (try Quantity("8Gi")))
        #expect(spec.env == ["EDITOR": "nano", "LANG": "C.UTF-8", "TZ": "UTC"])
    }

    @Test func listsAppendParentFirst() throws {
        let spec = try spec("child", ("b/all.yaml", """
            - name: parent
              isTemplate: true
              image: i
              network: { allowEgressToCIDRs: [10.0.0.0/8] }
              tolerations: [{ key: a, operator: Exists }]
            - name: child
              template: parent
              network: { allowEgressToCIDRs: [192.168.0.0/16] }
              tolerations: [{ key: b, operator: Exists }]
            """))
        #expect(spec.network.allowEgressToCIDRs == ["10.0.0.0/8", "192.168.0.0/16"])
        #expect(spec.tolerations == [["key": "a", "operator": "Exists"], ["key": "b", "operator": "Exists"]])
    }

    @Test func initScriptsMergeByNameReplacingInPlace() throws {
        let spec = try spec("child", ("b/all.yaml", """
            - name: parent
              isTemplate: true
              image: i
              initScripts:
                - { name: first, script: echo parent-first }
                - { name: second, script: echo parent-second }
            - name: child
              template: parent
              initScripts:
                - { name: third, script: echo child-third }
                - { name: first, script: echo child-first }
            """))
        #expect(spec.initScripts == [
            InitScript(name: "first", script: "echo child-first"),
            InitScript(name: "second", script: "echo parent-second"),
            InitScript(name: "third", script: "echo child-third"),
        ])
    }

    @Test func appStartAndAccessModesAreReplacedNotAppended() throws {
        let spec = try spec("child", ("b/all.yaml", """
            - name: parent
              isTemplate: true
              image: i
              apps:
                web: { start: [/usr/bin/parent, --flag], listen: 8080 }
              storages:
                home:
                  type: local
                  path: /home/u
                  claimSpec: { accessModes: [ReadWriteMany], resources: { requests: { storage: 1Gi } } }
            - name: child
              template: parent
              apps:
                web: { start: [/usr/bin/child] }
              storages:
                home:
                  claimSpec: { accessModes: [ReadWriteOnce] }
            """))
        #expect(spec.apps["web"]?.start == ["/usr/bin/child"])
        #expect(spec.apps["web"]?.listen == 8080)
        #expect(spec.storages["home"]?.claimSpec == [
            "accessModes": ["ReadWriteOnce"], "resources": ["requests": ["storage": "1Gi"]],
        ])
    }

    @Test func inheritanceWalksTheWholeChainToTheRoot() throws {
        let spec = try spec("leaf", ("b/a.yaml", """
            - { name: root, isTemplate: true, image: root:1, env: { A: root } }
            - { name: middle, isTemplate: true, template: root, env: { B: middle } }
            """), ("b/b.yaml", """
            - { name: leaf, template: middle, env: { C: leaf } }
            """))
        #expect(spec.image == "root:1")
        #expect(spec.env == ["A": "root", "B": "middle", "C": "leaf"])
    }

    @Test func isTemplateIsNotInherited() throws {
        let result = load(("b/all.yaml", """
            - { name: parent, isTemplate: true, image: i }
            - { name: child, template: parent }
            """))
        #expect(result.isValid, "\(rendered(result))")
        guard case .template = result.catalog.lookup("parent") else {
            Issue.record("parent should be a template")
            return
        }
        guard case .concrete(let child) = result.catalog.lookup("child") else {
            Issue.record("child should be concrete")
            return
        }
        #expect(!child.isTemplate)
        #expect(child.chain == ["parent", "child"])
        #expect(result.catalog.concrete.map(\.name) == ["child"])
    }

    @Test func templatesAreNotProvisionableWithADistinctError() throws {
        let result = load(("b/all.yaml", "- { name: base, isTemplate: true, image: i }\n"))
        #expect(result.isValid)
        #expect(result.catalog.summaries.isEmpty)
        do {
            _ = try result.catalog.provisionable("base")
            Issue.record("a template must not be provisionable")
        } catch {
            #expect(error.kind == .isTemplate)
            #expect(error.code == .invalidBlueprint)
        }
        #expect(throws: BlueprintError.self) { try result.catalog.blueprints["base"]?.instantiate(context: testContext()) }
        do {
            _ = try result.catalog.provisionable("nope")
            Issue.record("unknown names must not resolve")
        } catch {
            #expect(error.kind == .notFound)
            #expect(error.code == .notFound)
        }
    }

    @Test func concreteBlueprintsNeedAnImageAfterMerging() {
        let result = load(("b/all.yaml", """
            - { name: parent, isTemplate: true, description: no image here }
            - { name: child, template: parent }
            """))
        #expect(rendered(result) == [
            "b/all.yaml:2:3: [1].image: required: a concrete blueprint needs an image (here or in a parent template)",
        ])
        guard case .invalid = result.catalog.lookup("child") else {
            Issue.record("child should be invalid")
            return
        }
        #expect(result.catalog.lookup("parent").isTemplateLookup)
    }

    @Test func nullInAChildRemovesAnInheritedValue() throws {
        let spec = try spec("child", ("b/all.yaml", """
            - { name: parent, isTemplate: true, image: i, idleTimeout: 30m }
            - { name: child, template: parent, idleTimeout: null }
            """))
        #expect(spec.idleTimeoutSeconds == nil)
    }

    @Test func errorsInInheritedNodesPointAtTheParentsFileOnce() {
        let result = load(
            ("b/base.yaml", "name: base\nisTemplate: true\nimage: i\nimagePullPolicy: Sometimes\n"),
            ("b/dev.yaml", "name: dev\ntemplate: base\n"),
            ("b/web.yaml", "name: web\ntemplate: base\n")
        )
        #expect(rendered(result) == [
            "b/base.yaml:4:18: imagePullPolicy: expected one of Always, IfNotPresent, Never, got \"Sometimes\"",
        ])
        for name in ["base", "dev", "web"] {
            guard case .invalid = result.catalog.lookup(name) else {
                Issue.record("\(name) inherits the bad field and must be invalid")
                continue
            }
        }
    }
}

extension BlueprintLookup {
    var isTemplateLookup: Bool {
        if case .template = self { return true }
        return false
    }
}
