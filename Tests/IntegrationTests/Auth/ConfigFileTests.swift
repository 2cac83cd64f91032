import App
import Testing

/// The config file's loader: sections parse into settings, mistakes stop the start with the key path.
@Suite struct ConfigFileTests {
    @Test func providersAndStaticUsersParseWithSecretsFromTheEnvironment() throws {
        let file = try ConfigFile.parse("""
            auth:
              sessionTTL: 30m
              providers:
                - id: corp
                  issuer: https://idp.example
                  clientId: cubicle
                  clientSecretEnv: CORP_SECRET
                  claims: { username: email, uid: uidNumber, defaultRoles: [dev], defaultBlueprints: [python] }
              staticUsers:
                - { username: ops, roles: [admin], uid: 5000 }
            """, environment: ["CORP_SECRET": "from-env"])
        #expect(file.auth.sessionTTL == 1800)
        let provider = try #require(file.auth.providers.first)
        #expect(provider.clientSecret == "from-env")
        #expect(provider.claims.username == "email" && provider.claims.uid == "uidNumber")
        #expect(provider.claims.defaultRoles == ["dev"] && provider.claims.defaultBlueprints == ["python"])
        #expect(file.staticUsers.first?.uid == 5000)
        #expect(file.auth.staticUsernames == ["ops"])
    }

    @Test(arguments: [
        ("auth:\n  sesionTTL: 1h", "auth.sesionTTL"),
        ("auth:\n  providers:\n    - id: a\n      issuer: https://x\n      clientId: c\n      clientSecret: s\n      isuer: y", "auth.providers[0].isuer"),
        ("auth:\n  providers:\n    - id: a\n      issuer: https://x\n      clientId: c\n      clientSecret: s\n      claims: { uuid: x }", "auth.providers[0].claims.uuid"),
        ("auth:\n  staticUsers:\n    - username: a\n      rolez: [admin]", "auth.staticUsers[0].rolez"),
        ("autth: {}", "autth"),
    ])
    func unknownKeysNameTheirPath(yaml: String, path: String) throws {
        let error = try #require(throws: ConfigError.self) { try ConfigFile.parse(yaml) }
        #expect(error.description.contains("unknown key \(path)"), "\(error.description)")
    }

    @Test func aProviderNeedsExactlyOneSecretSource() throws {
        let yaml = "auth:\n  providers:\n    - id: a\n      issuer: https://x\n      clientId: c\n      clientSecret: s\n      clientSecretEnv: E"
        let error = try #require(throws: ConfigError.self) { try ConfigFile.parse(yaml, environment: ["E": "v"]) }
        #expect(error.description.contains("auth.providers[0]"))
    }
}
