/// One page (or, from the `listAll` helpers, the whole) of a list response.
public struct ObjectList<Item: Sendable>: Sendable {
    /// The list metadata: resourceVersion to watch from, continue token of the next page.
    public var metadata: ListMeta
    /// The items.
    public var items: [Item]

    /// Creates a list.
    public init(metadata: ListMeta = ListMeta(), items: [Item] = []) {
        self.metadata = metadata
        self.items = items
    }

    /// The collection's resourceVersion, the starting point for a watch.
    public var resourceVersion: String? { metadata.resourceVersion }
    /// The token for the next page, nil or empty on the last page.
    public var continueToken: String? { metadata.continueToken }
}

extension ObjectList: Equatable where Item: Equatable {}
