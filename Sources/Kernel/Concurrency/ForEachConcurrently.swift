/// Runs `body` for every element of `elements`, at most `limit` at once, and returns
/// the first error any of them reported (every element is still run).
///
/// For work whose waits should overlap but must not all start together, such as
/// closing thousands of partitions so that their fsyncs share rounds.
/// - Parameter limit: how many run at once; at least 1.
/// - Returns: the first non-nil error a `body` returned, or nil.
public func forEachConcurrently<Element: Sendable>(_ elements: some Sequence<Element>, atMost limit: Int,
                                       _ body: @escaping @Sendable (Element) async -> (any Error)?) async -> (any Error)? {
    var firstError: (any Error)?
    await withTaskGroup(of: (any Error)?.self) { group in
        var running = 0
        for element in elements {
            if running >= max(1, limit), let failure = await group.next() {
                firstError = firstError ?? failure
                running -= 1
            }
            running += 1
            group.addTask { await body(element) }
        }
        for await failure in group { firstError = firstError ?? failure }
    }
    return firstError
}
