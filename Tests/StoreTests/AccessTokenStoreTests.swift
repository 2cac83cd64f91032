import CubicleModel
import Foundation
import Testing

@testable import Store

@Suite struct AccessTokenStoreTests {
    @Test func issuedTokensHaveTheDocumentedShape() async throws {
        try await withStore { store, _ in
            try await makeUser(store)
            let issued = try await store.accessTokens.create(NewAccessToken(username: "alice", name: "laptop", scopes: ["workspaces"]))
            #expect(issued.plaintext.hasPrefix("cub_"))
            #expect(issued.plaintext.count == 4 + 43)
            #expect(AccessTokenFormat.isWellFormed(issued.plaintext))
            #expect(!issued.plaintext.contains("="))
            #expect(issued.token.preview == String(issued.plaintext.prefix(8)) + "…")
            #expect(issued.token.scopes == ["workspaces"])
            let again = try await store.accessTokens.create(NewAccessToken(username: "alice", name: "laptop"))
            #expect(again.plaintext != issued.plaintext)
        }
    }

    @Test func thePlaintextTokenIsNeverStored() async throws {
        try await withStore { store, _ in
            try await makeUser(store)
            let issued = try await store.accessTokens.create(NewAccessToken(username: "alice", name: "laptop"))
            let secretPart = String(issued.plaintext.dropFirst(AccessTokenFormat.previewLength))
            #expect(!(try rawDatabaseBytes(store)).contains(bytes: Array(secretPart.utf8)))
            let texts = try await allStoredText(store)
            #expect(!texts.contains { $0.contains(secretPart) })
            // The check above can see what is there: the preview is stored in the clear.
            #expect(texts.contains(issued.token.preview))
            #expect(try rawDatabaseBytes(store).contains(bytes: Array(issued.token.preview.utf8)))
        }
    }

    @Test func presentedTokenFindsItsRecordAndOthersFindNothing() async throws {
        try await withStore { store, _ in
            try await makeUser(store)
            let issued = try await store.accessTokens.create(NewAccessToken(username: "alice", name: "laptop"))
            #expect(try await store.accessTokens.find(presented: issued.plaintext) == issued.token)
            let forged = "cub_" + String(repeating: "A", count: 43)
            #expect(try await store.accessTokens.find(presented: forged) == nil)
            for malformed in ["", "cub_", "cub_short", issued.plaintext + "x", "xyz_" + issued.plaintext.dropFirst(4), issued.plaintext.replacingOccurrences(of: "cub_", with: "cub_+")] {
                #expect(try await store.accessTokens.find(presented: malformed) == nil)
            }
        }
    }

    @Test func revokingATokenTakesEffectAtOnceAndOnlyForItsOwner() async throws {
        try await withStore { store, _ in
            try await makeUser(store, "alice")
            try await makeUser(store, "bob")
            let issued = try await store.accessTokens.create(NewAccessToken(username: "alice", name: "laptop"))
            await expectStoreError(.notFound) { try await store.accessTokens.revoke(id: issued.token.id, username: "bob") }
            #expect(try await store.accessTokens.find(presented: issued.plaintext) != nil)
            try await store.accessTokens.revoke(id: issued.token.id, username: "alice")
            #expect(try await store.accessTokens.find(presented: issued.plaintext) == nil)
            await expectStoreError(.notFound) { try await store.accessTokens.revoke(id: issued.token.id, username: "alice") }
        }
    }

    @Test func anExpiredTokenIsNoLongerFound() async throws {
        let time = ManualTimeSource(start: testEpoch)
        try await withStore(time: time) { store, _ in
            try await makeUser(store)
            let issued = try await store.accessTokens.create(
                NewAccessToken(username: "alice", name: "short", expiresAt: time.now.addingTimeInterval(60))
            )
            #expect(try await store.accessTokens.find(presented: issued.plaintext) != nil)
            time.advance(by: 60)
            #expect(try await store.accessTokens.find(presented: issued.plaintext) == nil)
            // Still listed so its owner can see it expired.
            #expect(try await store.accessTokens.list(username: "alice").map(\.id) == [issued.token.id])
        }
    }

    @Test func touchRecordsLastUseCoalescingWithinAMinute() async throws {
        try await withStore { store, _ in
            try await makeUser(store)
            let issued = try await store.accessTokens.create(NewAccessToken(username: "alice", name: "laptop"))
            #expect(issued.token.lastUsedAt == nil)
            let first = testEpoch.addingTimeInterval(100)
            try await store.accessTokens.touch(id: issued.token.id, at: first)
            #expect(try await store.accessTokens.find(presented: issued.plaintext)?.lastUsedAt == first)
            try await store.accessTokens.touch(id: issued.token.id, at: first.addingTimeInterval(30))
            #expect(try await store.accessTokens.find(presented: issued.plaintext)?.lastUsedAt == first)
            let later = first.addingTimeInterval(61)
            try await store.accessTokens.touch(id: issued.token.id, at: later)
            #expect(try await store.accessTokens.find(presented: issued.plaintext)?.lastUsedAt == later)
        }
    }

    @Test func tokensAreListedPerUserNewestFirst() async throws {
        let time = ManualTimeSource(start: testEpoch)
        try await withStore(time: time) { store, _ in
            try await makeUser(store, "alice")
            try await makeUser(store, "bob")
            let older = try await store.accessTokens.create(NewAccessToken(username: "alice", name: "one"))
            time.advance(by: 1)
            let newer = try await store.accessTokens.create(NewAccessToken(username: "alice", name: "two"))
            _ = try await store.accessTokens.create(NewAccessToken(username: "bob", name: "three"))
            #expect(try await store.accessTokens.list(username: "alice").map(\.id) == [newer.token.id, older.token.id])
            await expectStoreError(.notFound) { try await store.accessTokens.create(NewAccessToken(username: "nobody", name: "x")) }
        }
    }
}
