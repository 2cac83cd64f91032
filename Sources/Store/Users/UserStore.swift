/// Cubicle's users. Deleting a user deletes their tokens, web sessions and credentials with them.
public protocol UserStore: Sendable {
    /// Creates a user, allocating a never-used uid ≥ 1000 when none is given; `already_exists` if the
    /// name or the uid is taken.
    func create(_ user: NewUser) async throws -> User

    /// The user called `username`.
    func get(_ username: String) async throws -> User

    /// Every user, by name.
    func list() async throws -> [User]

    /// Applies `patch` atomically and returns the result; `already_exists` if a new uid is taken.
    func update(_ username: String, with patch: UserPatch) async throws -> User

    /// Deletes the user and everything that belongs to them in the store.
    func delete(_ username: String) async throws
}
