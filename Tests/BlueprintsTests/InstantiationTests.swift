@testable import Blueprints
import CubicleModel
import Foundation
import Testing

@Suite struct InstantiationTests {
    /// The example of BLUEPRINTS.md, verbatim.
    static let example = """
        blueprints:
          - name: base
            isTemplate: true
            image: cubicle/workspace:debian-12
            resources: { cpu: "2", memory: 2Gi }
            env: { EDITOR: vim }
          - name: dev
            template: base
            description: Debian workspace with a persistent home
            resources: { cpu: "4", memory: 8Gi }
            storages:
              home:
                enabled: true
                type: local
                path: !cel "'/home/' + user.username"
                claimSpec: { accessModes: [ReadWriteOnce], resources: { requests: { storage: 10Gi } } }
            initScripts:
              - name: motd
                script: echo "Welcome to $(hostname)" > "$HOME/.motd"
            enableApps: true
            apps:
              http:
                enabled: true
                binary: /usr/bin/python3
                start: ["/usr/bin/python3", "-m", "http.server", "8080", "--bind", "127.0.0.1"]
                listen: 8080
                protocol: http
                restartPolicy: on-failure
        """

    @Test func theDocumentedExampleInstantiatesToAFullyTypedSpec() throws {
        let result = load(("blueprints/example.yaml", InstantiationTests.example))
        #expect(result.isValid, "\(rendered(result))")
        let spec = try result.catalog.provisionable("dev").instantiate(context: testContext(username: "bob"))
        let expected = BlueprintSpec(
            name: "dev", description: "Debian workspace with a persistent home", image: "cubicle/workspace:debian-12",
            imagePullPolicy: .ifNotPresent, env: ["EDITOR": "vim"],
            resources: ResourceSpec(cpuLimit: try Quantity("4"), memoryLimit: try Quantity("8Gi")),
            storages: ["home": StorageSpec(
                type: .local, path: "/home/bob",
                claimSpec: ["accessModes": ["ReadWriteOnce"], "resources": ["requests": ["storage": "10Gi"]]]
            )],
            initScripts: [InitScript(name: "motd", script: "echo \"Welcome to $(hostname)\" > \"$HOME/.motd\"")],
            enableApps: true,
            apps: ["http": AppSpec(
                binary: "/usr/bin/python3", start: ["/usr/bin/python3", "-m", "http.server", "8080", "--bind", "127.0.0.1"],
                listen: 8080, protocol: .http, restartPolicy: .onFailure
            )]
        )
        #expect(spec == expected)
        #expect(spec.resources.cpuRequest == (try Quantity("100m")))
        #expect(spec.resources.memoryRequest == (try Quantity("128Mi")))
        #expect(result.catalog.summaries == [
            BlueprintSummary(name: "dev", description: "Debian workspace with a persistent home", template: "base"),
        ])
    }

    @Test func specRoundTripsThroughJSON() throws {
        let result = load(("blueprints/example.yaml", InstantiationTests.example))
        let spec = try result.catalog.provisionable("dev").instantiate(context: testContext())
        let data = try JSONEncoder().encode(spec)
        #expect(try JSONDecoder().decode(BlueprintSpec.self, from: data) == spec)
        let json = try JSONValue.parse(Array(data))
        #expect(json["resources"]?["memoryLimit"] == "8Gi")
        #expect(json["apps"]?["http"]?["restartPolicy"] == "on-failure")
    }

    @Test func defaultsAreFilledIn() throws {
        let result = load(("b/m.yaml", "name: m\nimage: i\napps: { a: { start: [/bin/a] } }\nstorages: { s: { type: emptyDir, path: /s } }\n"))
        let spec = try result.catalog.provisionable("m").instantiate(context: testContext())
        #expect(spec.imagePullPolicy == .ifNotPresent)
        #expect(spec.network == NetworkSpec(policyClass: .workspace, allowEgressToCIDRs: []))
        #expect(spec.enableApps == false)
        #expect(spec.recordSessions == false)
        #expect(spec.idleTimeoutSeconds == nil)
        #expect(spec.apps["a"] == AppSpec(enabled: true, start: ["/bin/a"], protocol: .http, restartPolicy: .never, maxRestartBackoffSeconds: 300, autoStart: false))
        #expect(spec.storages["s"] == StorageSpec(enabled: true, type: .emptyDir, path: "/s", readOnly: false))
        #expect(spec.resources == ResourceSpec())
    }

    @Test func everyFieldMayBeAnExpression() throws {
        let result = load(("b/e.yaml", """
            name: e
            image: !cel "env('REGISTRY') + '/workspace:' + blueprint"
            imagePullPolicy: !cel "'admin' in user.roles ? 'Always' : 'IfNotPresent'"
            env: { OWNER: !cel "user.fullname", UID: !cel "user.uid" }
            resources: { cpu: !cel "'admin' in user.roles ? '4' : '1'", memory: !cel "string(user.uid) + 'Mi'" }
            idleTimeout: !cel "'admin' in user.roles ? '8h' : '30m'"
            recordSessions: !cel "!('admin' in user.roles)"
            extFiles: { /etc/motd: !cel "'Hello ' + user.fullname" }
            securityContext: { runAsUser: !cel "0 + 0", runAsNonRoot: !cel "false" }
            nodeSelector: { tier: !cel "normalizeDNS(user.organization)" }
            network: { allowEgressToCIDRs: [!cel "env('EGRESS')"] }
            """))
        #expect(result.isValid, "\(rendered(result))")
        let blueprint = try result.catalog.provisionable("e")
        let env = ["REGISTRY": "reg.example", "EGRESS": "10.1.0.0/16"]
        let admin = try blueprint.instantiate(context: testContext(roles: ["admin"], environment: env))
        #expect(admin.image == "reg.example/workspace:e")
        #expect(admin.imagePullPolicy == .always)
        #expect(admin.env == ["OWNER": "Alice Liddell", "UID": "1000"])
        #expect(admin.resources.cpuLimit == (try Quantity("4")))
        #expect(admin.resources.memoryLimit == (try Quantity("1000Mi")))
        #expect(admin.idleTimeoutSeconds == 28_800)
        #expect(admin.recordSessions == false)
        #expect(admin.extFiles == ["/etc/motd": "Hello Alice Liddell"])
        #expect(admin.securityContext == ["runAsUser": 0, "runAsNonRoot": false])
        #expect(admin.nodeSelector == ["tier": "wonderland"])
        #expect(admin.network.allowEgressToCIDRs == ["10.1.0.0/16"])
        let user = try blueprint.instantiate(context: testContext(roles: [], environment: env))
        #expect(user.imagePullPolicy == .ifNotPresent)
        #expect(user.idleTimeoutSeconds == 1_800)
        #expect(user.recordSessions == true)
    }

    @Test func evaluationErrorsAreTypedAndNameTheBlueprintAndField() throws {
        let result = load(("b/f.yaml", """
            name: f
            image: i
            storages:
              home: { type: local, path: !cel "user.username == 'root' ? 'relative' : '/home/' + user.username" }
            securityContext: { runAsNonRoot: !cel "'admin' in user.roles" }
            env: { TOKEN: !cel "env('TOKEN')" }
            """))
        #expect(result.isValid, "\(rendered(result))")
        let blueprint = try result.catalog.provisionable("f")
        let environment = ["TOKEN": "t"]
        #expect(throws: Never.self) { try blueprint.instantiate(context: testContext(environment: environment)) }

        func error(_ context: BlueprintContext) -> BlueprintError? {
            do {
                _ = try blueprint.instantiate(context: context)
                return nil
            } catch {
                return error
            }
        }
        let badPath = error(testContext(username: "root", environment: environment))
        #expect(badPath?.code == .invalidBlueprint)
        #expect(badPath?.kind == .evaluation)
        #expect(badPath?.blueprint == "f")
        #expect(badPath?.field == "storages.home.path")
        #expect(badPath?.message == "blueprint \"f\": storages.home.path: expression \"user.username == 'root' ? 'relative' : '/home/' + user.username\" produced \"relative\": must be an absolute path")

        let nonRoot = error(testContext(roles: ["admin"], environment: environment))
        #expect(nonRoot?.field == "securityContext.runAsNonRoot")
        #expect(nonRoot?.message.hasSuffix("produced true: must not be true: the workspace bootstrap runs as root to create the user") == true)

        let unset = error(testContext())
        #expect(unset?.field == "env.TOKEN")
        #expect(unset?.message == "blueprint \"f\": env.TOKEN: expression \"env('TOKEN')\" failed at column 1: environment variable \"TOKEN\" is not set")
    }

    @Test func invalidBlueprintsAnswerWithTheirDiagnostics() {
        let result = load(("b/x.yaml", "name: x\nimage: i\nimagePullPolicy: Sometimes\n"), ("b/y.yaml", "name: y\nimage: i\n"))
        do {
            _ = try result.catalog.provisionable("x")
            Issue.record("an invalid blueprint must not be provisionable")
        } catch {
            #expect(error.kind == .invalid)
            #expect(error.code == .invalidBlueprint)
            #expect(error.diagnostics.count == 1)
            #expect(error.message.hasPrefix("blueprint \"x\" is invalid: b/x.yaml:3:18: imagePullPolicy:"))
        }
        #expect(throws: Never.self) { try result.catalog.provisionable("y") }
        #expect(result.catalog.summaries.map(\.name) == ["y"])
    }
}
