/// Runs `body` for indices `0..<count` with at most `concurrency` in flight; results in index order.
func bounded<T: Sendable>(
    count: Int, concurrency: Int, _ body: @escaping @Sendable (Int) async -> T
) async -> [T] {
    await withTaskGroup(of: (Int, T).self) { group in
        var results = [T?](repeating: nil, count: count)
        var next = 0
        while next < min(count, concurrency) {
            let index = next
            group.addTask { (index, await body(index)) }
            next += 1
        }
        while let (index, value) = await group.next() {
            results[index] = value
            if next < count {
                let index = next
                group.addTask { (index, await body(index)) }
                next += 1
            }
        }
        return results.compactMap { $0 }
    }
}
