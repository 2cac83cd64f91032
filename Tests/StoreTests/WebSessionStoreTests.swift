import CubicleModel
import Foundation
import Testing

@testable import Store

@Suite struct WebSessionStoreTests {
    @Test func cookieOpensTheSessionWhichStoresOnlyItsHash() async throws {
        try await withStore { store, _ in
            try await makeUser(store)
            let issued = try await store.webSessions.create(username: "alice", provider: "oidc/corp", expiresAt: testEpoch.addingTimeInterval(3600))
            let found = try await store.webSessions.find(cookieValue: issued.cookieValue)
            #expect(found == issued.session)
            #expect(issued.session.csrfSecret.count == 43)
            #expect(issued.session.id != issued.cookieValue)
            #expect(!(try await allStoredText(store)).contains { $0.contains(issued.cookieValue) })
            #expect(try await store.webSessions.find(cookieValue: "not-a-cookie") == nil)
            await expectStoreError(.notFound) {
                try await store.webSessions.create(username: "nobody", provider: "oidc/corp", expiresAt: testEpoch)
            }
        }
    }

    @Test func touchSlidesTheExpiryAndExpiredSessionsAreGone() async throws {
        let time = ManualTimeSource(start: testEpoch)
        try await withStore(time: time) { store, _ in
            try await makeUser(store)
            let issued = try await store.webSessions.create(username: "alice", provider: "oidc/corp", expiresAt: time.now.addingTimeInterval(100))
            time.advance(by: 90)
            try await store.webSessions.touch(id: issued.session.id, at: time.now, expiresAt: time.now.addingTimeInterval(100))
            time.advance(by: 90)
            let found = try #require(try await store.webSessions.find(cookieValue: issued.cookieValue))
            #expect(found.lastSeenAt == testEpoch.addingTimeInterval(90))
            #expect(found.expiresAt == testEpoch.addingTimeInterval(190))
            time.advance(by: 10)
            #expect(try await store.webSessions.find(cookieValue: issued.cookieValue) == nil)
            await expectStoreError(.notFound) { try await store.webSessions.touch(id: issued.session.id, at: time.now, expiresAt: nil) }
        }
    }

    @Test func logoutEndsOneSessionAndDeleteAllEndsEvery() async throws {
        try await withStore { store, _ in
            try await makeUser(store, "alice")
            try await makeUser(store, "bob")
            let expiry = testEpoch.addingTimeInterval(3600)
            let one = try await store.webSessions.create(username: "alice", provider: "oidc/corp", expiresAt: expiry)
            let two = try await store.webSessions.create(username: "alice", provider: "oidc/corp", expiresAt: expiry)
            let three = try await store.webSessions.create(username: "alice", provider: "oidc/corp", expiresAt: expiry)
            let bobs = try await store.webSessions.create(username: "bob", provider: "oidc/corp", expiresAt: expiry)
            try await store.webSessions.delete(id: one.session.id)
            #expect(try await store.webSessions.find(cookieValue: one.cookieValue) == nil)
            #expect(try await store.webSessions.find(cookieValue: two.cookieValue) != nil)
            #expect(try await store.webSessions.deleteAll(username: "alice") == 2)
            #expect(try await store.webSessions.find(cookieValue: three.cookieValue) == nil)
            #expect(try await store.webSessions.find(cookieValue: bobs.cookieValue) != nil)
        }
    }
}
