import CubicleModel
import Foundation
import Testing

@testable import Store

@Suite struct CredentialStoreTests {
    private let ciphertext: [UInt8] = Array("sealed:0123456789abcdef-credential-ciphertext".utf8)

    /// Every byte array reachable from `value`, found by reflection, so a ciphertext field added
    /// to a list type later would be caught.
    private func byteArrays(in value: Any) -> [[UInt8]] {
        if let bytes = value as? [UInt8] { return [bytes] }
        return Mirror(reflecting: value).children.flatMap { byteArrays(in: $0.value) }
    }

    @Test func listingNeverCarriesTheCiphertextButGetDoes() async throws {
        try await withStore { store, _ in
            try await makeUser(store)
            let created = try await store.credentials.create(
                NewCredential(
                    username: "alice", serviceName: .registry, serviceScope: "ghcr.io/acme", credentialSource: "admin",
                    subject: "alice-bot", ciphertext: ciphertext
                )
            )
            let listed = try await store.credentials.list(username: "alice")
            #expect(listed == [created])
            #expect(!byteArrays(in: listed).contains(ciphertext))
            #expect(!String(reflecting: listed).contains("sealed:"))

            let sealed = try await store.credentials.get(id: created.id)
            #expect(sealed.credential == created)
            #expect(sealed.ciphertext == ciphertext)
            #expect(byteArrays(in: sealed).contains(ciphertext))
        }
    }

    @Test func oneCredentialPerUserServiceAndScope() async throws {
        try await withStore { store, _ in
            try await makeUser(store)
            let git = NewCredential(username: "alice", serviceName: .git, serviceScope: "github.com", credentialSource: "admin", subject: "alice", ciphertext: ciphertext)
            _ = try await store.credentials.create(git)
            await expectStoreError(.alreadyExists) { try await store.credentials.create(git) }
            var narrower = git
            narrower.serviceScope = "github.com/acme"
            _ = try await store.credentials.create(narrower)
            let kubernetes = NewCredential(username: "alice", serviceName: .kubernetes, serviceScope: "team-a", credentialSource: "admin", subject: "deployer", ciphertext: nil)
            let minted = try await store.credentials.create(kubernetes)
            #expect(try await store.credentials.get(id: minted.id).ciphertext == nil)
            #expect(try await store.credentials.list(username: "alice").count == 3)
            await expectStoreError(.notFound) {
                try await store.credentials.create(NewCredential(username: "nobody", serviceName: .git, serviceScope: "x", credentialSource: "admin", subject: "x", ciphertext: nil))
            }
        }
    }

    @Test func deletingIsScopedToTheOwner() async throws {
        try await withStore { store, _ in
            try await makeUser(store, "alice")
            try await makeUser(store, "bob")
            let created = try await store.credentials.create(
                NewCredential(username: "alice", serviceName: .git, serviceScope: "github.com", credentialSource: "admin", subject: "alice", ciphertext: ciphertext)
            )
            await expectStoreError(.notFound) { try await store.credentials.delete(id: created.id, username: "bob") }
            try await store.credentials.delete(id: created.id, username: "alice")
            await expectStoreError(.notFound) { try await store.credentials.get(id: created.id) }
        }
    }
}
