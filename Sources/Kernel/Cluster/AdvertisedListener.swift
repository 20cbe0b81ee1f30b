/// The address this broker's Kafka listener advertises, known only once the protocol
/// plugin has bound its socket (port 0 picks a free one); cluster registration waits for it.
public actor AdvertisedListener {
    private var endpoint: (host: String, port: Int32)?
    private var waiters: [CheckedContinuation<(host: String, port: Int32), Never>] = []

    public init() {}

    /// Called by the protocol plugin that clients and other brokers connect to.
    public func set(host: String, port: Int32) {
        endpoint = (host, port)
        for waiter in waiters { waiter.resume(returning: (host, port)) }
        waiters.removeAll()
    }

    /// The address, waiting until it is set.
    public func wait() async -> (host: String, port: Int32) {
        if let endpoint { return endpoint }
        return await withCheckedContinuation { waiters.append($0) }
    }

    public var current: (host: String, port: Int32)? { endpoint }
}
