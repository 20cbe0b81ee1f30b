import Foundation
import SluiceKernel

/// Coordination for brokers that run in one process: the in-memory implementation of
/// `ClusterCoordinator`, used by tests that start several brokers side by side, and the
/// example to copy when writing a coordination plugin.
///
/// Each broker gets its own session through `session(broker:)`; `expire(broker:)` ends it as
/// a crashed process's session would end (its registration and controller role vanish).
public actor InMemoryCluster {
    private var live: [Int32: (endpoint: BrokerEndpoint, session: UInt64)] = [:]
    private var controllerInfo: (info: ControllerInfo, session: UInt64)?
    private var lastControllerEpoch: Int32 = 0
    private var states: [String: [Int32: VersionedPartitionState]] = [:]
    private var subscribers: [UInt64: (session: UInt64, continuation: AsyncStream<ClusterEvent>.Continuation)] = [:]
    private var nextID: UInt64 = 1
    private var expired: Set<UInt64> = []
    private var reassigning: [TopicPartition: PartitionReassignment] = [:]

    public init() {}

    /// Ends every stream still open, so tasks waiting on them finish with the cluster.
    deinit {
        for subscriber in subscribers.values { subscriber.continuation.finish() }
    }

    /// A new session (a broker process connecting).
    public nonisolated func session() -> InMemoryClusterSession {
        InMemoryClusterSession(cluster: self, id: UInt64.random(in: 1...UInt64.max))
    }

    /// Ends the session that registered `broker`, as if its process died; every other
    /// session sees `brokersChanged` (and `controllerChanged` if it was the controller).
    public func expire(broker: Int32) {
        guard let entry = live[broker] else { return }
        end(session: entry.session)
    }

    func end(session: UInt64) {
        expired.insert(session)
        let brokers = live.filter { $0.value.session == session }.map(\.key)
        for id in brokers { live.removeValue(forKey: id) }
        var events: [ClusterEvent] = brokers.isEmpty ? [] : [.brokersChanged]
        if controllerInfo?.session == session {
            controllerInfo = nil
            events.append(.controllerChanged)
        }
        for (id, subscriber) in subscribers where subscriber.session == session {
            subscriber.continuation.yield(.sessionExpired)
            subscriber.continuation.finish()
            subscribers.removeValue(forKey: id)
        }
        for event in events { publish(event) }
    }

    private func check(_ session: UInt64) throws {
        if expired.contains(session) { throw CoordinationError.closed }
    }

    private func publish(_ event: ClusterEvent) {
        for subscriber in subscribers.values { subscriber.continuation.yield(event) }
    }

    /// Tells every session's event streams that the topic registry changed (the in-memory
    /// metadata store the brokers share does not publish on its own).
    public func topicsChanged() { publish(.topicsChanged) }

    // MARK: Called by sessions

    func register(_ broker: BrokerEndpoint, session: UInt64) throws {
        try check(session)
        if let existing = live[broker.id], existing.session != session { throw CoordinationError.brokerIdTaken(broker.id) }
        live[broker.id] = (broker, session)
        publish(.brokersChanged)
    }

    func liveBrokers(session: UInt64) throws -> [BrokerEndpoint] {
        try check(session)
        return live.values.map(\.endpoint).sorted { $0.id < $1.id }
    }

    func claimController(brokerId: Int32, session: UInt64) throws -> ControllerInfo {
        try check(session)
        if let current = controllerInfo { return current.info }
        lastControllerEpoch += 1
        let info = ControllerInfo(brokerId: brokerId, epoch: lastControllerEpoch)
        controllerInfo = (info, session)
        publish(.controllerChanged)
        return info
    }

    func controller(session: UInt64) throws -> ControllerInfo? {
        try check(session)
        return controllerInfo?.info
    }

    func partitionState(_ tp: TopicPartition, session: UInt64) throws -> VersionedPartitionState? {
        try check(session)
        return states[tp.topic]?[tp.partition]
    }

    func partitionStates(topic: String, session: UInt64) throws -> [Int32: VersionedPartitionState] {
        try check(session)
        return states[topic] ?? [:]
    }

    func createPartitionStates(topic: String, _ new: [Int32: PartitionState], session: UInt64) throws {
        try check(session)
        for partition in new.keys where states[topic]?[partition] != nil {
            throw CoordinationError.stateExists(TopicPartition(topic, partition))
        }
        for (partition, state) in new {
            states[topic, default: [:]][partition] = VersionedPartitionState(state: state, version: 0)
        }
        for partition in new.keys.sorted() { publish(.partitionStateChanged(TopicPartition(topic, partition))) }
    }

    func updatePartitionState(_ tp: TopicPartition, _ state: PartitionState, expectedVersion: Int32, session: UInt64) throws -> Int32 {
        try check(session)
        guard let current = states[tp.topic]?[tp.partition] else { throw CoordinationError.noState(tp) }
        guard current.version == expectedVersion else { throw CoordinationError.versionConflict(tp, expected: expectedVersion) }
        let version = current.version + 1
        states[tp.topic]![tp.partition] = VersionedPartitionState(state: state, version: version)
        publish(.partitionStateChanged(tp))
        return version
    }

    func deletePartitionStates(topic: String, session: UInt64) throws {
        try check(session)
        guard let removed = states.removeValue(forKey: topic) else { return }
        for partition in removed.keys.sorted() { publish(.partitionStateChanged(TopicPartition(topic, partition))) }
    }

    func reassignments(session: UInt64) throws -> [TopicPartition: PartitionReassignment] {
        try check(session)
        return reassigning
    }

    func updateReassignments(set: [TopicPartition: PartitionReassignment], remove: [TopicPartition: PartitionReassignment],
                             session: UInt64) throws {
        try check(session)
        for (tp, expected) in remove where reassigning[tp] == expected { reassigning.removeValue(forKey: tp) }
        reassigning.merge(set) { _, new in new }
    }

    func subscribe(session: UInt64, _ continuation: AsyncStream<ClusterEvent>.Continuation) {
        if expired.contains(session) {
            continuation.yield(.sessionExpired)
            continuation.finish()
            return
        }
        let id = nextID
        nextID += 1
        subscribers[id] = (session, continuation)
        // `events()` subscribes asynchronously: whatever changed between the call and now
        // is covered by telling the new subscriber to re-read everything once.
        for event in [ClusterEvent.brokersChanged, .controllerChanged, .topicsChanged] { continuation.yield(event) }
        // Weak: the cluster holds the continuation, which must not hold the cluster back.
        continuation.onTermination = { [weak self] _ in
            guard let self else { return }
            Task { await self.unsubscribe(id) }
        }
    }

    private func unsubscribe(_ id: UInt64) { subscribers.removeValue(forKey: id) }
}

/// One broker's session with an `InMemoryCluster`.
public struct InMemoryClusterSession: ClusterCoordinator {
    public let cluster: InMemoryCluster
    let id: UInt64

    public func register(_ broker: BrokerEndpoint) async throws { try await cluster.register(broker, session: id) }
    public func liveBrokers() async throws -> [BrokerEndpoint] { try await cluster.liveBrokers(session: id) }
    public func claimController(brokerId: Int32) async throws -> ControllerInfo {
        try await cluster.claimController(brokerId: brokerId, session: id)
    }
    public func controller() async throws -> ControllerInfo? { try await cluster.controller(session: id) }
    public func partitionState(_ partition: TopicPartition) async throws -> VersionedPartitionState? {
        try await cluster.partitionState(partition, session: id)
    }
    public func partitionStates(topic: String) async throws -> [Int32: VersionedPartitionState] {
        try await cluster.partitionStates(topic: topic, session: id)
    }
    public func createPartitionStates(topic: String, _ states: [Int32: PartitionState]) async throws {
        try await cluster.createPartitionStates(topic: topic, states, session: id)
    }
    public func updatePartitionState(_ partition: TopicPartition, _ state: PartitionState, expectedVersion: Int32) async throws -> Int32 {
        try await cluster.updatePartitionState(partition, state, expectedVersion: expectedVersion, session: id)
    }
    public func deletePartitionStates(topic: String) async throws { try await cluster.deletePartitionStates(topic: topic, session: id) }
    public func reassignments() async throws -> [TopicPartition: PartitionReassignment] {
        try await cluster.reassignments(session: id)
    }
    public func updateReassignments(set: [TopicPartition: PartitionReassignment], remove: [TopicPartition: PartitionReassignment]) async throws {
        try await cluster.updateReassignments(set: set, remove: remove, session: id)
    }
    public func events() -> AsyncStream<ClusterEvent> {
        let (stream, continuation) = AsyncStream<ClusterEvent>.makeStream(bufferingPolicy: .unbounded)
        let cluster = cluster, id = id
        Task { await cluster.subscribe(session: id, continuation) }
        return stream
    }

    /// Ends this session (the process died).
    public func expire() async { await cluster.end(session: id) }
}
