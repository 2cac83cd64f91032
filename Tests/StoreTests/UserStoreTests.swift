import CubicleModel
import Foundation
import Testing

@testable import Store

@Suite struct UserStoreTests {
    @Test func createdUserReadsBackWithDefaultsAndAllocatedIDs() async throws {
        try await withStore { store, _ in
            let created = try await store.users.create(
                NewUser(
                    username: "alice", fullname: "Alice", email: "alice@example.com", organization: "Eng",
                    roles: ["admin"], blueprints: ["*"], source: .oidc("corp")
                )
            )
            #expect(created.uid == 1000)
            #expect(created.gid == 1000)
            #expect(created.shell == "/bin/bash")
            #expect(created.createdAt == testEpoch && created.updatedAt == testEpoch)
            #expect(created.source.rawValue == "oidc/corp")
            #expect(try await store.users.get("alice") == created)
            #expect(try await store.users.list() == [created])
        }
    }

    @Test func allocatedUIDsClimbPastChosenOnesAndAreNeverReused() async throws {
        try await withStore { store, _ in
            let first = try await store.users.create(NewUser(username: "alice"))
            let chosen = try await store.users.create(NewUser(username: "bob", uid: 5000, gid: 100))
            let next = try await store.users.create(NewUser(username: "carol"))
            let system = try await store.users.create(NewUser(username: "daemon", uid: 2))
            #expect(first.uid == 1000)
            #expect(chosen.uid == 5000 && chosen.gid == 100)
            #expect(next.uid == 5001)
            #expect(system.uid == 2)
            try await store.users.delete("carol")
            #expect(try await store.users.create(NewUser(username: "dave")).uid == 5002)
            await expectStoreError(.alreadyExists) { try await store.users.create(NewUser(username: "erin", uid: 5000)) }
        }
    }

    @Test func duplicateNamesAndBadInputAreRefused() async throws {
        try await withStore { store, _ in
            try await makeUser(store)
            await expectStoreError(.alreadyExists) { try await store.users.create(NewUser(username: "alice")) }
            await expectStoreError(.invalidRequest) { try await store.users.create(NewUser(username: "Not A Name")) }
            await expectStoreError(.invalidRequest) { try await store.users.create(NewUser(username: "bob", uid: -1)) }
            await expectStoreError(.notFound) { try await store.users.get("nobody") }
            await expectStoreError(.notFound) { try await store.users.update("nobody", with: UserPatch(fullname: "x")) }
            await expectStoreError(.notFound) { try await store.users.delete("nobody") }
        }
    }

    @Test func patchChangesOnlyTheGivenFields() async throws {
        let time = ManualTimeSource(start: testEpoch)
        try await withStore(time: time) { store, _ in
            let original = try await makeUser(store)
            time.advance(by: 30)
            let updated = try await store.users.update(
                "alice", with: UserPatch(shell: "/bin/zsh", roles: ["admin"], blueprints: ["dev", "gpu"], locked: true)
            )
            var expected = original
            expected.shell = "/bin/zsh"
            expected.roles = ["admin"]
            expected.blueprints = ["dev", "gpu"]
            expected.locked = true
            expected.updatedAt = testEpoch.addingTimeInterval(30)
            #expect(updated == expected)
            #expect(try await store.users.get("alice") == expected)
        }
    }

    @Test func patchingToATakenUIDIsRefusedAndChangesNothing() async throws {
        try await withStore { store, _ in
            let alice = try await makeUser(store, "alice")
            let bob = try await makeUser(store, "bob")
            await expectStoreError(.alreadyExists) { try await store.users.update("bob", with: UserPatch(fullname: "B", uid: alice.uid)) }
            #expect(try await store.users.get("bob") == bob)
        }
    }

    @Test func deletingAUserDeletesTheirTokensSessionsAndCredentials() async throws {
        try await withStore { store, _ in
            try await makeUser(store, "alice")
            try await makeUser(store, "bob")
            let token = try await store.accessTokens.create(NewAccessToken(username: "alice", name: "laptop"))
            let bobToken = try await store.accessTokens.create(NewAccessToken(username: "bob", name: "ci"))
            let session = try await store.webSessions.create(username: "alice", provider: "oidc/corp", expiresAt: testEpoch.addingTimeInterval(3600))
            _ = try await store.credentials.create(
                NewCredential(username: "alice", serviceName: .git, serviceScope: "github.com", credentialSource: "admin", subject: "alice", ciphertext: [1, 2, 3])
            )
            try await store.users.delete("alice")
            #expect(try await store.accessTokens.find(presented: token.plaintext) == nil)
            #expect(try await store.accessTokens.list(username: "alice").isEmpty)
            #expect(try await store.webSessions.find(cookieValue: session.cookieValue) == nil)
            #expect(try await store.credentials.list(username: "alice").isEmpty)
            #expect(try await store.accessTokens.find(presented: bobToken.plaintext) != nil)
            await expectStoreError(.notFound) { try await store.users.get("alice") }
        }
    }
}
