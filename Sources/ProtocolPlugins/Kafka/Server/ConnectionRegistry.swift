import KafkaWire
import Logging
import Metrics
import NIOConcurrencyHelpers
import NIOCore
import SluiceKernel

/// The open connections of one server (to enforce `maxConnections` and to stop them at
/// shutdown) and the bound address (for `listeningAddress()`).
final class ConnectionRegistry: Sendable {
    private struct State {
        var nextId: UInt64 = 1
        var channels: [UInt64: any Channel] = [:]
        var bound: Result<HostPort, any Error>?
        var bindWaiters: [CheckedContinuation<HostPort, any Error>] = []
    }

    private let state = NIOLockedValueBox(State())
    private let limit: Int
    private let open = Meter(label: "sluice_open_connections", dimensions: [("protocol", "kafka")])
    private let accepted = Counter(label: "sluice_kafka_connections_total")

    init(limit: Int) { self.limit = limit }

    var boundAddress: HostPort? { state.withLockedValue { try? $0.bound?.get() } }

    /// Registers a new connection and returns its id, or nil when `limit` are open.
    func admit(_ channel: any Channel) -> UInt64? {
        let id: UInt64? = state.withLockedValue { state in
            guard state.channels.count < limit else { return nil }
            let id = state.nextId
            state.nextId += 1
            state.channels[id] = channel
            return id
        }
        if id != nil {
            accepted.increment()
            open.increment()
        }
        return id
    }

    func forget(_ id: UInt64) {
        if state.withLockedValue({ $0.channels.removeValue(forKey: id) }) != nil { open.decrement() }
    }

    /// Stops reading from every connection: each finishes the request it is answering,
    /// sends the response and closes.
    func closeInputs() {
        for channel in state.withLockedValue({ Array($0.channels.values) }) {
            channel.close(mode: .input, promise: nil)
        }
    }

    func didBind(_ address: HostPort) { resolveBind(.success(address)) }

    func failBind(_ error: any Error) { resolveBind(.failure(error)) }

    private func resolveBind(_ result: Result<HostPort, any Error>) {
        let waiters = state.withLockedValue { state in
            state.bound = result
            defer { state.bindWaiters.removeAll() }
            return state.bindWaiters
        }
        for waiter in waiters { waiter.resume(with: result) }
    }

    func waitForBind() async throws -> HostPort {
        try await withCheckedThrowingContinuation { continuation in
            let known: Result<HostPort, any Error>? = state.withLockedValue { state in
                if let bound = state.bound { return bound }
                state.bindWaiters.append(continuation)
                return nil
            }
            if let known { continuation.resume(with: known) }
        }
    }
}

/// One client connection as logs and handlers see it.
struct ConnectionInfo {
    let id: UInt64
    var clientId: String?
    var logger: Logger
    /// The peer's IP address ("" when unknown).
    let peerHost: String
    /// Who the connection authenticated as; `User:ANONYMOUS` until then (and for good on a
    /// listener without SASL). Every request's `RequestContext` carries it.
    var principal: Principal = .anonymous
    /// How long, in ms, the last request's client quotas mute the connection (0: not).
    var throttleMs: Int32 = 0

    init(id: UInt64, remote: SocketAddress?, logger: Logger) {
        self.id = id
        peerHost = remote?.ipAddress ?? ""
        var logger = logger
        logger[metadataKey: "connection"] = "\(id)"
        if let remote { logger[metadataKey: "peer"] = "\(remote.ipAddress ?? "?"):\(remote.port ?? 0)" }
        self.logger = logger
    }

    /// Adds the client's id to the log metadata the first time it is seen (or when it changes).
    mutating func noteClient(_ clientId: String?) {
        guard clientId != self.clientId else { return }
        self.clientId = clientId
        logger[metadataKey: "client"] = "\(clientId ?? "-")"
    }
}
