import Foundation
import SluiceKernel

/// `ClusterCoordinator`: brokers, the controller and partition states.
extension ZooKeeperMetadataStore {
    /// Creates the ephemeral `/brokers/ids/<id>`; re-registering from this session
    /// replaces the endpoint. - Throws: `brokerIdTaken` when another session holds the id.
    public func register(_ broker: BrokerEndpoint) async throws {
        let path = ZNodeLayout.broker(broker.id)
        let data = try ZNodeJSON.encode(broker)
        try await coordination {
            for _ in 0..<Self.maxAttempts {
                do {
                    try await client.create(path, data: data, mode: .ephemeral)
                    logger.info("registered broker", metadata: ["broker.id": "\(broker.id)", "endpoint": "\(broker.host):\(broker.port)"])
                    return
                } catch ZooKeeperError.nodeExists {
                    guard let node = try await client.getIfExists(path) else { continue }
                    guard node.stat.ephemeralOwner == (await client.sessionID) else { throw CoordinationError.brokerIdTaken(broker.id) }
                    do {
                        try await client.set(path, data: data, version: node.stat.version)
                        return
                    } catch ZooKeeperError.badVersion {
                        continue
                    } catch ZooKeeperError.noNode {
                        continue
                    }
                }
            }
            throw CoordinationError.unavailable("\(path) kept changing while broker \(broker.id) registered")
        }
    }

    /// The children of `/brokers/ids` with their endpoints, sorted by id.
    public func liveBrokers() async throws -> [BrokerEndpoint] {
        try await coordination {
            var brokers: [BrokerEndpoint] = []
            for name in try await client.children(ZNodeLayout.brokerIDs) {
                let path = "\(ZNodeLayout.brokerIDs)/\(name)"
                guard let node = try await client.getIfExists(path) else { continue }
                brokers.append(try ZNodeJSON.decode(BrokerEndpoint.self, node.bytes, path: path))
            }
            return brokers.sorted { $0.id < $1.id }
        }
    }

    /// Creates the ephemeral `/controller` and bumps `/controller_epoch` in one multi, so
    /// an epoch is taken once even when claimers race or one dies half-way.
    public func claimController(brokerId: Int32) async throws -> ControllerInfo {
        try await coordination {
            for _ in 0..<Self.maxAttempts {
                if let current = try await currentController() { return current }
                let epochNode = try await client.get(ZNodeLayout.controllerEpoch)
                guard let last = Int32(String(decoding: epochNode.bytes, as: UTF8.self)) else {
                    throw CoordinationError.unavailable("\(ZNodeLayout.controllerEpoch) does not hold a number; was it written by another program?")
                }
                let claim = ControllerInfo(brokerId: brokerId, epoch: last + 1)
                do {
                    try await client.multi([
                        .create(path: ZNodeLayout.controller, data: try ZNodeJSON.encode(ControllerPayload(brokerId: brokerId, epoch: claim.epoch)),
                                mode: .ephemeral),
                        .set(path: ZNodeLayout.controllerEpoch, data: Array("\(claim.epoch)".utf8), version: epochNode.stat.version),
                    ])
                    logger.info("elected controller", metadata: ["broker.id": "\(brokerId)", "controller.epoch": "\(claim.epoch)"])
                    return claim
                } catch ZooKeeperError.nodeExists, ZooKeeperError.badVersion {
                    continue  // another broker won (or a lost reply hid our own win): read it
                }
            }
            throw CoordinationError.unavailable("the controller election kept changing under \(Self.maxAttempts) attempts")
        }
    }

    /// The controller in `/controller`, or nil.
    public func controller() async throws -> ControllerInfo? {
        try await coordination { try await currentController() }
    }

    private func currentController() async throws -> ControllerInfo? {
        guard let node = try await client.getIfExists(ZNodeLayout.controller) else { return nil }
        let payload = try ZNodeJSON.decode(ControllerPayload.self, node.bytes, path: ZNodeLayout.controller)
        return ControllerInfo(brokerId: payload.brokerId, epoch: payload.epoch)
    }

    /// `/partitions/<topic>/<p>` with its znode version.
    public func partitionState(_ partition: TopicPartition) async throws -> VersionedPartitionState? {
        try await coordination { try await readState(ZNodeLayout.partitionState(partition)) }
    }

    private func readState(_ path: String) async throws -> VersionedPartitionState? {
        guard let node = try await client.getIfExists(path) else { return nil }
        return VersionedPartitionState(state: try ZNodeJSON.decode(PartitionState.self, node.bytes, path: path), version: node.stat.version)
    }

    /// Every `/partitions/<topic>/<p>`, by partition.
    public func partitionStates(topic: String) async throws -> [Int32: VersionedPartitionState] {
        try await coordination {
            let parent = ZNodeLayout.partitionStates(topic)
            let names: [String]
            do {
                names = try await client.children(parent)
            } catch ZooKeeperError.noNode {
                return [:]
            }
            var states: [Int32: VersionedPartitionState] = [:]
            for name in names {
                guard let partition = Int32(name), let state = try await readState("\(parent)/\(name)") else { continue }
                states[partition] = state
            }
            return states
        }
    }

    /// Creates the states in one multi: all, or none with `stateExists` naming one that had a state.
    public func createPartitionStates(topic: String, _ states: [Int32: PartitionState]) async throws {
        guard !states.isEmpty else { return }
        try await coordination {
            do {
                try await client.create(ZNodeLayout.partitionStates(topic))
            } catch ZooKeeperError.nodeExists {}
            let ops = try states.sorted { $0.key < $1.key }.map { partition, state in
                ZooKeeperOp.create(path: ZNodeLayout.partitionState(TopicPartition(topic, partition)),
                                   data: try ZNodeJSON.encode(state), mode: .persistent)
            }
            do {
                try await client.multi(ops)
            } catch ZooKeeperError.nodeExists(let path) {
                throw CoordinationError.stateExists(TopicPartition(topic, Int32(path.split(separator: "/").last ?? "") ?? -1))
            }
        }
    }

    /// A versioned write of `/partitions/<topic>/<p>`; returns the new version.
    public func updatePartitionState(_ partition: TopicPartition, _ state: PartitionState, expectedVersion: Int32) async throws -> Int32 {
        try await coordination {
            do {
                return try await client.set(ZNodeLayout.partitionState(partition), data: try ZNodeJSON.encode(state),
                                            version: expectedVersion).version
            } catch ZooKeeperError.noNode {
                throw CoordinationError.noState(partition)
            } catch ZooKeeperError.badVersion {
                throw CoordinationError.versionConflict(partition, expected: expectedVersion)
            }
        }
    }

    /// Removes `/partitions/<topic>` and everything under it.
    public func deletePartitionStates(topic: String) async throws {
        try await coordination { try await client.deleteRecursively(ZNodeLayout.partitionStates(topic)) }
    }

    /// A new stream of cluster events from the store's watches; finished when the store closes.
    public nonisolated func events() -> AsyncStream<ClusterEvent> {
        let (stream, continuation) = AsyncStream<ClusterEvent>.makeStream(bufferingPolicy: .unbounded)
        Task { await self.subscribe(continuation) }
        return stream
    }

    private func subscribe(_ continuation: AsyncStream<ClusterEvent>.Continuation) {
        guard !closed else { return continuation.finish() }
        let id = nextSubscriber
        nextSubscriber += 1
        subscribers[id] = continuation
        continuation.onTermination = { _ in Task { await self.unsubscribe(id) } }
    }

    private func unsubscribe(_ id: UInt64) { subscribers.removeValue(forKey: id) }

    func publish(_ event: ClusterEvent) {
        for subscriber in subscribers.values { subscriber.yield(event) }
    }
}
