import Foundation
import Logging

/// This broker's membership in a cluster: registers it once its Kafka listener is bound,
/// follows the coordinator's events (topics other brokers created or deleted, partition
/// states, brokers coming and going), keeps `ClusterView` current, campaigns for the
/// controller role and, while it holds it, runs `ClusterController`. Re-registers after
/// its coordination session expired.
public actor ClusterNode {
    public nonisolated let broker: Broker
    public nonisolated let coordinator: any ClusterCoordinator
    public nonisolated let view: ClusterView
    /// Replication of this broker's partitions; started once registered, stopped on exit.
    public nonisolated let replicas: ReplicaManager?
    nonisolated let logger: Logger
    /// How often everything is re-read even without events (a safety net), in milliseconds.
    nonisolated let resyncIntervalMs: Int64
    var controllerEpoch: Int32?
    private var replicating = false
    /// Reassignments in progress as the controller last read or wrote them (nil while not
    /// the controller), so a partition's state change costs no read of them.
    var reassigning: [TopicPartition: PartitionReassignment] = [:]

    /// - Parameter resyncIntervalMs: full re-read interval without events. Default 5000.
    public init(broker: Broker, coordinator: any ClusterCoordinator, view: ClusterView, replicas: ReplicaManager? = nil,
                logger: Logger, resyncIntervalMs: Int64 = 5_000) {
        self.broker = broker
        self.replicas = replicas
        self.coordinator = coordinator
        self.view = view
        self.logger = logger
        self.resyncIntervalMs = resyncIntervalMs
    }

    /// Whether this broker is the controller now.
    public var isController: Bool { controllerEpoch != nil }

    /// Runs until the task is cancelled.
    public func run(listener: AdvertisedListener, rack: String? = nil) async {
        let events = coordinator.events()   // subscribed before registering: nothing is missed
        await broker.controllerRequests?.attach(self)
        let address = await listener.wait()
        let endpoint = BrokerEndpoint(id: broker.config.id, host: address.host, port: address.port, rack: rack)
        guard await register(endpoint) else { return }
        await resync()
        if let replicas {
            do {
                try await replicas.start()
                replicating = true
            } catch {
                logger.critical("replication could not start; this broker serves no partition: \(error)")
            }
        }
        await withTaskGroup(of: Void.self) { group in
            group.addTask { [resyncIntervalMs] in
                while !Task.isCancelled {
                    try? await Task.sleep(for: .milliseconds(resyncIntervalMs))
                    if Task.isCancelled { break }
                    await self.resync()
                }
            }
            group.addTask {
                for await event in events {
                    if Task.isCancelled { break }
                    await self.handle(event, endpoint: endpoint)
                }
            }
            await group.next()
            group.cancelAll()
        }
        await replicas?.shutdown()
        logger.info("left the cluster", metadata: ["broker": "\(broker.config.id)"])
    }

    /// Registers, retrying with back-off while the coordinator is unreachable; false when
    /// the task was cancelled or the coordinator closed.
    private func register(_ endpoint: BrokerEndpoint) async -> Bool {
        var delay = Duration.milliseconds(100)
        while !Task.isCancelled {
            do {
                try await coordinator.register(endpoint)
                logger.info("registered in the cluster", metadata: ["broker": "\(endpoint.id)", "address": "\(endpoint.host):\(endpoint.port)"])
                return true
            } catch CoordinationError.closed {
                return false
            } catch {
                logger.error("cluster registration failed, retrying: \(error)", metadata: ["broker": "\(endpoint.id)"])
                try? await Task.sleep(for: delay)
                delay = min(delay * 2, .seconds(2))
            }
        }
        return false
    }

    private func handle(_ event: ClusterEvent, endpoint: BrokerEndpoint) async {
        do {
            switch event {
            case .brokersChanged:
                await view.update(brokers: try await coordinator.liveBrokers())
                try await runController()
            case .controllerChanged:
                try await campaign()
            case .topicsChanged:
                try await broker.syncTopics()
                await reconcileReplicas()
                try await refreshStates()
            case .partitionStateChanged(let tp):
                let state = try await coordinator.partitionState(tp)
                await view.update(tp, state: state?.state)
                if let state { try await runController(tp, state) }
            case .sessionExpired:
                controllerEpoch = nil
                logger.warning("the coordination session expired; registering again", metadata: ["broker": "\(endpoint.id)"])
                if await register(endpoint) { await resync() }
            }
        } catch {
            logger.warning("handling cluster event \(event) failed; the next resync retries: \(error)")
        }
    }

    /// Re-reads everything and acts on it.
    func resync() async {
        do {
            await view.update(brokers: try await coordinator.liveBrokers())
            try await broker.syncTopics()
            await reconcileReplicas()
            try await refreshStates()
            try await campaign()
        } catch {
            logger.warning("cluster resync failed; retrying in \(resyncIntervalMs) ms: \(error)")
        }
    }

    /// Gives partitions the sync just opened their roles (once replication runs).
    private func reconcileReplicas() async {
        if replicating { await replicas?.reconcile() }
    }

    private func refreshStates() async throws {
        let topics = await broker.topics()
        for record in topics {
            let states = try await coordinator.partitionStates(topic: record.name)
            await view.update(topic: record.name, states: states.mapValues(\.state))
        }
        await view.retain(topics: Set(topics.map(\.name)))
    }

    /// Claims the controller role if it is vacant; runs the controller when this broker has it.
    private func campaign() async throws {
        let controller = try await coordinator.claimController(brokerId: broker.config.id)
        await view.update(controller: controller)
        let mine = controller.brokerId == broker.config.id ? controller.epoch : nil
        if mine != nil && controllerEpoch != mine {
            logger.notice("this broker is the controller", metadata: ["broker": "\(broker.config.id)", "controllerEpoch": "\(controller.epoch)"])
        }
        controllerEpoch = mine
        try await runController()
    }

    func runController() async throws {
        guard let controller else { return }
        try await controller.reconcile()
        reassigning = try await controller.advanceAll(live: Set(await view.brokers.map(\.id)))
    }

    /// The controller's decision on one partition whose state just changed, from the state
    /// the event handler read, the live brokers in `view` and the broker's topic registry.
    private func runController(_ tp: TopicPartition, _ state: VersionedPartitionState) async throws {
        guard let controller, let record = await broker.topic(named: tp.topic), Int(tp.partition) < record.replicas.count else { return }
        let live = Set(await view.brokers.map(\.id))
        if let reassignment = reassigning[tp], try await controller.advance(tp, reassignment, state, live: live) {
            if reassigning[tp] == reassignment { reassigning.removeValue(forKey: tp) }
            return
        }
        try await controller.settle(tp, state, replicas: record.replicas[Int(tp.partition)], live: live,
                                    unclean: ClusterController.uncleanElectionEnabled(record.configs))
    }

    /// The controller while this broker holds the role, else nil.
    var controller: ClusterController? {
        controllerEpoch.map { ClusterController(coordinator: coordinator, metadata: broker.metadata, epoch: $0, logger: logger) }
    }
}
