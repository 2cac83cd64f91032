@testable import Blueprints
import Testing

/// Each field rule of BLUEPRINTS.md, checked on a one-blueprint file whose line 3 onwards is the
/// fragment under test; the expected messages carry exact positions.
@Suite struct FieldValidationTests {
    private func problems(_ fragment: String, template: Bool = false) -> [String] {
        let result = load(("b/x.yaml", "name: x\n\(template ? "isTemplate: true\n" : "image: i\n")\(fragment)\n"))
        return rendered(result)
    }

    @Test func descriptionIsAtMost500Characters() {
        #expect(problems("description: \(String(repeating: "d", count: 500))").isEmpty)
        #expect(problems("description: \(String(repeating: "d", count: 501))").first?.hasPrefix(
            "b/x.yaml:3:14: description: must be at most 500 characters (has 501)"
        ) == true)
    }

    @Test func imagePullPolicyIsAnEnum() {
        #expect(problems("imagePullPolicy: Always").isEmpty)
        #expect(problems("imagePullPolicy: always") == [
            "b/x.yaml:3:18: imagePullPolicy: expected one of Always, IfNotPresent, Never, got \"always\"",
        ])
    }

    @Test func resourcesAreKubernetesQuantities() {
        #expect(problems("resources: { cpu: 500m, memory: 1.5Gi }").isEmpty)
        #expect(problems("resources: { cpu: 2, memory: 1e9 }").isEmpty)
        #expect(problems("resources: { cpu: 2 cores, memory: 0 }") == [
            "b/x.yaml:3:19: resources.cpu: expected a Kubernetes quantity (like 500m, 2, 1.5Gi), got \"2 cores\": unknown suffix \" cores\" (expected one of Ki, Mi, Gi, Ti, Pi, Ei, n, u, m, k, M, G, T, P, E or an exponent)",
            "b/x.yaml:3:36: resources.memory: must be greater than zero, got \"0\"",
        ])
        #expect(problems("resources: { gpu: 1 }") == ["b/x.yaml:3:14: resources.gpu: unknown key \"gpu\" (did you mean \"cpu\"?)"])
    }

    @Test func storageRules() {
        #expect(problems("""
            storages:
              scratch: { type: emptyDir, path: /scratch, sizeLimit: 1Gi }
              ram: { type: memory, path: /ram, sizeLimit: 64Mi, readonly: false }
              cache: { type: shared, path: /cache, id: team-cache, retain: true }
              home: { type: local, path: /home/x, claimSpecAnnotations: { example.com/tier: fast } }
            """).isEmpty)
        #expect(problems("""
            storages:
              home: { type: local, path: home/x, sizeLimit: 1Gi }
              shared: { type: shared, path: /s }
              tmp: { type: emptyDir, path: /t, claimSpec: {} }
              Bad_Name: { type: memory, path: /m }
              again: { type: memory, path: /home/x/../y }
            """) == [
            "b/x.yaml:4:30: storages.home.path: must be an absolute path, got \"home/x\"",
            "b/x.yaml:4:49: storages.home.sizeLimit: sizeLimit applies to emptyDir and memory storages only (size a local storage with claimSpec.resources.requests.storage)",
            "b/x.yaml:5:11: storages.shared.id: required for a shared storage: workspaces with the same id share one volume",
            "b/x.yaml:6:47: storages.tmp.claimSpec: claimSpec applies to local and shared storages only",
            "b/x.yaml:7:3: storages.Bad_Name: storage name must be a DNS label: must consist of lower case alphanumeric characters or '-', got \"Bad_Name\"",
            "b/x.yaml:8:32: storages.again.path: must not contain . or .. components, got \"/home/x/../y\"",
        ])
    }

    @Test func storageTypeAndPathAreRequiredOnlyInConcreteBlueprints() {
        #expect(problems("storages: { home: { readonly: true } }", template: true).isEmpty)
        #expect(problems("storages: { home: { readonly: true } }") == [
            "b/x.yaml:3:19: storages.home.type: required: one of local, shared, emptyDir, memory",
            "b/x.yaml:3:19: storages.home.path: required: the absolute mount path",
        ])
    }

    @Test func claimSpecAccessModesAndSizeAreChecked() {
        #expect(problems("storages: { h: { type: local, path: /h, claimSpec: { accessModes: [ReadWriteSometimes], resources: { requests: { storage: lots } } } } }") == [
            "b/x.yaml:3:68: storages.h.claimSpec.accessModes[0]: expected one of ReadOnlyMany, ReadWriteMany, ReadWriteOnce, ReadWriteOncePod, got \"ReadWriteSometimes\"",
            "b/x.yaml:3:123: storages.h.claimSpec.resources.requests.storage: expected a Kubernetes quantity (like 500m, 2, 1.5Gi), got \"lots\": expected a number",
        ])
    }

    @Test func appRules() {
        #expect(problems("""
            apps:
              web: { start: [/bin/web], listen: 8080, protocol: https, restartPolicy: always, maxRestartBackoff: 1m, autoStart: true, versionCmd: [/bin/web, --version], versionRegex: "v([0-9.]+)", binary: /bin/web, install: "apt-get install web", installAsRoot: true }
            """).isEmpty)
        #expect(problems("""
            apps:
              web:
                start: []
                listen: 70000
                protocol: gopher
                restartPolicy: sometimes
                maxRestartBackoff: soon
                binary: bin/web
                versionRegex: "v[0-9]+"
              ssh: { start: [/bin/x], listen: 22 }
              dup: { start: [/bin/y], listen: 22 }
            """) == [
            "b/x.yaml:5:12: apps.web.start: must not be empty",
            "b/x.yaml:6:13: apps.web.listen: must be between 1 and 65535, got 70000",
            "b/x.yaml:7:15: apps.web.protocol: expected one of http, https, ws, tcp, got \"gopher\"",
            "b/x.yaml:8:20: apps.web.restartPolicy: expected one of always, on-failure, never, got \"sometimes\"",
            "b/x.yaml:9:24: apps.web.maxRestartBackoff: expected a duration like 30m or 1h30m, got \"soon\": expected a number at position 1",
            "b/x.yaml:10:13: apps.web.binary: must be an absolute path, got \"bin/web\"",
            "b/x.yaml:11:19: apps.web.versionRegex: must have a capture group (group 1 is the version), got \"v[0-9]+\"",
            "b/x.yaml:13:35: apps.dup.listen: port 22 is already used by another app (at b/x.yaml:12:35)",
        ])
    }

    @Test func appStartIsRequiredInConcreteBlueprintsUnlessDisabled() {
        #expect(problems("apps: { web: { listen: 80 } }", template: true).isEmpty)
        #expect(problems("apps: { web: { listen: 80, enabled: false } }").isEmpty)
        #expect(problems("apps: { web: { listen: 80 } }") == ["b/x.yaml:3:14: apps.web.start: required: the argv that starts the app"])
    }

    @Test func networkClassAndCIDRs() {
        #expect(problems("network: { networkPolicyClass: isolated, allowEgressToCIDRs: [10.0.0.0/8, \"fd00::/8\", 192.168.1.1/32] }").isEmpty)
        #expect(problems("network: { networkPolicyClass: open, allowEgressToCIDRs: [10.0.0.0/33, 10.0.0/8, \"fd00::/129\", 1.2.3.4] }") == [
            "b/x.yaml:3:32: network.networkPolicyClass: expected one of workspace, isolated, system, got \"open\"",
            "b/x.yaml:3:59: network.allowEgressToCIDRs[0]: must be a CIDR: IPv4 prefix length must be 0-32, got \"10.0.0.0/33\"",
            "b/x.yaml:3:72: network.allowEgressToCIDRs[1]: must be a CIDR: \"10.0.0\" is not an IPv4 address, got \"10.0.0/8\"",
            "b/x.yaml:3:82: network.allowEgressToCIDRs[2]: must be a CIDR: IPv6 prefix length must be 0-128, got \"fd00::/129\"",
            "b/x.yaml:3:96: network.allowEgressToCIDRs[3]: must be a CIDR like 10.0.0.0/8 or fd00::/8, got \"1.2.3.4\"",
        ])
    }

    @Test func idleTimeoutIsADuration() {
        #expect(problems("idleTimeout: 1h30m").isEmpty)
        #expect(problems("idleTimeout: 30") == ["b/x.yaml:3:14: idleTimeout: expected a duration like 30m or 1h30m, got an integer \"30\""])
        #expect(problems("idleTimeout: 0") == ["b/x.yaml:3:14: idleTimeout: expected a duration like 30m or 1h30m, got an integer \"0\""])
        #expect(problems("idleTimeout: 0s") == ["b/x.yaml:3:14: idleTimeout: must be longer than zero, got \"0s\""])
        #expect(problems("idleTimeout: 30 minutes") == [
            "b/x.yaml:3:14: idleTimeout: expected a duration like 30m or 1h30m, got \"30 minutes\": unknown unit \" minutes\"",
        ])
    }

    @Test func securityContextMustNotForceNonRoot() {
        #expect(problems("securityContext: { runAsNonRoot: false, allowPrivilegeEscalation: false }").isEmpty)
        #expect(problems("securityContext: { runAsNonRoot: true }") == [
            "b/x.yaml:3:34: securityContext.runAsNonRoot: must not be true: the workspace bootstrap runs as root to create the user, got true",
        ])
        #expect(problems("securityContext: [runAsNonRoot]") == [
            "b/x.yaml:3:18: securityContext: expected a mapping (a Kubernetes SecurityContext), got a list",
        ])
    }

    @Test func extFilesKeysAreAbsolutePaths() {
        #expect(problems("extFiles: { /etc/motd: hello, \"/etc/cubicle/x.conf\": 1 }").isEmpty)
        #expect(problems("extFiles: { etc/motd: hello, /etc/: x }") == [
            "b/x.yaml:3:13: extFiles[\"etc/motd\"]: must be an absolute path, got \"etc/motd\"",
            "b/x.yaml:3:30: extFiles[\"/etc/\"]: must not contain empty components (// or a trailing /), got \"/etc/\"",
        ])
    }

    @Test func envNamesAndValues() {
        #expect(problems("env: { EDITOR: vim, PORT: 8080, DEBUG: true, my.var: x }").isEmpty)
        #expect(problems("env: { 1BAD: x, \"A B\": y, LIST: [a] }") == [
            "b/x.yaml:3:8: env[\"1BAD\"]: must be an environment variable name (letters, digits, _, - and ., not starting with a digit), got \"1BAD\"",
            "b/x.yaml:3:17: env[\"A B\"]: must be an environment variable name (letters, digits, _, - and ., not starting with a digit), got \"A B\"",
            "b/x.yaml:3:33: env.LIST: expected a string, got a list",
        ])
    }

    @Test func initScriptsNeedUniqueNamesAndScripts() {
        #expect(problems("""
            initScripts:
              - { name: a, script: echo a }
              - { name: a, script: echo again }
              - { script: echo nameless }
              - { name: c }
              - just-a-string
            """) == [
            "b/x.yaml:5:13: initScripts[1].name: duplicate init script name \"a\" (first at b/x.yaml:4:13)",
            "b/x.yaml:6:5: initScripts[2].name: required",
            "b/x.yaml:7:5: initScripts[3].script: required",
            "b/x.yaml:8:5: initScripts[4]: expected a mapping, got a string",
        ])
    }

    @Test func nodeSelectorAndTolerationsHaveKubernetesShapes() {
        #expect(problems("nodeSelector: { kubernetes.io/arch: amd64 }\ntolerations: [{ key: k, operator: Exists }]").isEmpty)
        #expect(problems("nodeSelector: [a]\ntolerations: [just-a-string]") == [
            "b/x.yaml:3:15: nodeSelector: expected a mapping, got a list",
            "b/x.yaml:4:15: tolerations[0]: expected a mapping (a Kubernetes Toleration), got a string",
        ])
    }

    @Test func yaml11BooleansStayStrings() {
        #expect(problems("recordSessions: yes") == [
            "b/x.yaml:3:17: recordSessions: expected a boolean (true or false), got a string \"yes\"",
        ])
    }
}
