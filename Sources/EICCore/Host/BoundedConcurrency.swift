/// Runs async work over many items with at most `maxInFlight` running at once (e.g. SSH probes of a
/// fleet: design §5, "in parallel, default 10").
public enum BoundedConcurrency {
    /// Applies `body` to every item, `maxInFlight` at a time; results keep the input order and one
    /// failure does not stop the others. Once the calling task is cancelled, no further item starts.
    public static func map<Item: Sendable, Output: Sendable>(
        _ items: [Item], maxInFlight: Int, _ body: @escaping @Sendable (Item) async throws -> Output
    ) async -> [Result<Output, any Error>] {
        var results = [Result<Output, any Error>?](repeating: nil, count: items.count)
        await withTaskGroup(of: (Int, Result<Output, any Error>).self) { group in
            var next = 0
            func startNext() {
                // A cancelled caller (Ctrl-C) starts nothing new; the items not started fail with CancellationError.
                guard next < items.count, !Task.isCancelled else { return }
                let index = next
                let item = items[index]
                next += 1
                group.addTask {
                    do { return (index, .success(try await body(item))) } catch { return (index, .failure(error)) }
                }
            }
            for _ in 0..<max(1, maxInFlight) { startNext() }
            while let (index, result) = await group.next() {
                results[index] = result
                startNext()
            }
        }
        return results.map { $0 ?? .failure(CancellationError()) }
    }
}
