import CubicleModel
import Foundation
import Testing

@testable import Store

@Suite struct LoginStateStoreTests {
    private func loginState(_ state: String, expiresAt: Date) -> LoginState {
        LoginState(
            state: state, nonce: "nonce-1", codeVerifier: "verifier-1", provider: "oidc/corp", redirect: "/ui",
            createPAT: true, handoffKey: "cli-key-0123456789abcdef", createdAt: testEpoch, expiresAt: expiresAt
        )
    }

    @Test func aLoginStateCanBeTakenOnlyOnce() async throws {
        try await withStore { store, _ in
            let state = loginState("state-abc", expiresAt: testEpoch.addingTimeInterval(600))
            try await store.loginStates.create(state)
            await expectStoreError(.alreadyExists) { try await store.loginStates.create(state) }
            #expect(try await store.loginStates.take(state: "state-abc") == state)
            await expectStoreError(.notFound) { try await store.loginStates.take(state: "state-abc") }
        }
    }

    @Test func anExpiredLoginStateCannotBeTaken() async throws {
        let time = ManualTimeSource(start: testEpoch)
        try await withStore(time: time) { store, _ in
            try await store.loginStates.create(loginState("state-abc", expiresAt: time.now.addingTimeInterval(600)))
            time.advance(by: 600)
            await expectStoreError(.notFound) { try await store.loginStates.take(state: "state-abc") }
        }
    }

    @Test func cliHandoffIsPendingThenReadyExactlyOnce() async throws {
        try await withStore { store, _ in
            let key = "cli-state-9f8e7d6c5b4a3210"
            try await store.loginStates.beginHandoff(key: key, expiresAt: testEpoch.addingTimeInterval(300))
            await expectStoreError(.alreadyExists) { try await store.loginStates.beginHandoff(key: key, expiresAt: testEpoch.addingTimeInterval(300)) }
            #expect(try await store.loginStates.pollHandoff(key: key) == .pending)
            #expect(try await store.loginStates.pollHandoff(key: key) == .pending)

            let token = "cub_" + String(repeating: "Z", count: 43)
            try await store.loginStates.completeHandoff(key: key, username: "alice", token: token)
            await expectStoreError(.conflict) { try await store.loginStates.completeHandoff(key: key, username: "mallory", token: token) }
            // The token waits sealed, not in the clear.
            #expect(!(try rawDatabaseBytes(store)).contains(bytes: Array(token.utf8)))
            #expect(!(try await allStoredText(store)).contains { $0.contains(token) })

            #expect(try await store.loginStates.pollHandoff(key: key) == .ready(username: "alice", token: token))
            await expectStoreError(.notFound) { try await store.loginStates.pollHandoff(key: key) }
            await expectStoreError(.notFound) { try await store.loginStates.completeHandoff(key: key, username: "alice", token: token) }
        }
    }

    @Test func handoffsExpireAndRejectUnusableKeys() async throws {
        let time = ManualTimeSource(start: testEpoch)
        try await withStore(time: time) { store, _ in
            let key = "cli-state-0000111122223333"
            try await store.loginStates.beginHandoff(key: key, expiresAt: time.now.addingTimeInterval(300))
            time.advance(by: 300)
            await expectStoreError(.notFound) { try await store.loginStates.pollHandoff(key: key) }
            await expectStoreError(.notFound) { try await store.loginStates.completeHandoff(key: key, username: "alice", token: "t") }
            // The key may start over once its old handoff has expired.
            try await store.loginStates.beginHandoff(key: key, expiresAt: time.now.addingTimeInterval(300))
            #expect(try await store.loginStates.pollHandoff(key: key) == .pending)
            await expectStoreError(.invalidRequest) { try await store.loginStates.beginHandoff(key: "short", expiresAt: time.now) }
            await expectStoreError(.notFound) { try await store.loginStates.pollHandoff(key: "another-unknown-key-123") }
        }
    }
}
