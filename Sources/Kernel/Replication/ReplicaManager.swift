import Logging
import Metrics

/// Applies the cluster's partition states to this broker's replicas: leads the partitions
/// the coordinator names it leader of, follows the others through one `ReplicaFetcher`
/// per leader broker, and writes the ISR changes its led partitions need.
///
/// Start it after `Broker.start()` (and after registering with the coordinator); stop it
/// before `Broker.shutdown()`. Every task it starts ends in `shutdown()`.
public actor ReplicaManager {
    public nonisolated let config: ReplicationConfig
    private let broker: Broker
    private let coordinator: any ClusterCoordinator
    private let transport: any ReplicaTransport
    private let logger: Logger
    private var fetchers: [Int32: ReplicaFetcher] = [:]
    /// Which fetcher (leader broker id) each followed partition is in, and its epoch.
    private var followed: [TopicPartition: (leader: Int32, epoch: Int32)] = [:]
    private var led: Set<TopicPartition> = []
    /// The live brokers as the last full `reconcile()` read them (it runs on every broker change).
    private var live: [Int32: BrokerEndpoint] = [:]
    private var tasks: [Task<Void, Never>] = []
    private var isrRequests: AsyncStream<TopicPartition>.Continuation?
    private let metrics: ReplicationMetrics
    /// Set by `leave()`: this broker is stopping and follows no partition any more.
    private var leaving = false
    /// The marks last written to the checkpoint (nothing is written while they stay the same).
    private var checkpointed: [TopicPartition: Int64]?

    public init(broker: Broker, coordinator: any ClusterCoordinator, transport: any ReplicaTransport,
                config: ReplicationConfig, logger: Logger) {
        self.broker = broker
        self.coordinator = coordinator
        self.transport = transport
        self.config = config
        var logger = logger
        logger[metadataKey: "broker"] = "\(config.brokerId)"
        self.logger = logger
        self.metrics = ReplicationMetrics(brokerId: config.brokerId)
    }

    /// Puts every partition in cluster mode, applies the current states, then follows
    /// coordinator events and checks the ISR periodically.
    public func start() async throws {
        guard tasks.isEmpty else { return }
        let marks = config.highWatermarkCheckpointPath.map { HighWatermarkCheckpoint(path: $0).read() } ?? [:]
        checkpointed = marks
        try await broker.enableReplication(config, highWatermarks: marks)
        let (requests, continuation) = AsyncStream<TopicPartition>.makeStream(bufferingPolicy: .bufferingNewest(1024))
        isrRequests = continuation
        await reconcile()
        tasks.append(Task { await self.followEvents() })
        tasks.append(Task { await self.checkIsrPeriodically() })
        tasks.append(Task {
            while !Task.isCancelled {
                do { try await Task.sleep(for: .milliseconds(self.config.resyncIntervalMs)) } catch { return }
                await self.reconcile()
            }
        })
        tasks.append(Task {
            for await tp in requests { await self.updateIsr(of: tp) }
        })
        if config.highWatermarkCheckpointPath != nil {
            tasks.append(Task {
                while !Task.isCancelled {
                    do { try await Task.sleep(for: .milliseconds(self.config.highWatermarkCheckpointIntervalMs)) } catch { return }
                    await self.checkpointHighWatermarks()
                }
            })
        }
    }

    /// Writes every replicated partition's high watermark to the checkpoint when any moved.
    func checkpointHighWatermarks() async {
        // Only once `start` read the old checkpoint: never overwrite it with nothing.
        guard let path = config.highWatermarkCheckpointPath, checkpointed != nil else { return }
        let marks = await broker.replicatedHighWatermarks()
        guard marks != checkpointed else { return }
        do {
            try HighWatermarkCheckpoint(path: path).write(marks)
            checkpointed = marks
        } catch {
            logger.warning("\(error)")
        }
    }

    /// Controlled shutdown's first step: stops fetching for every followed partition and
    /// never follows again, so that once the controller removed this broker from the ISRs
    /// no leader adds it back. Led partitions keep being led until the controller moves them.
    public func leave() async {
        leaving = true
        for fetcher in fetchers.values { await fetcher.stop() }
        fetchers.removeAll()
        followed.removeAll()
    }

    /// Sends this broker's controlled-shutdown request to the controller at `controller`.
    func requestControlledShutdown(controller: BrokerEndpoint) async throws -> [TopicPartition] {
        try await transport.controlledShutdown(controller: controller, brokerId: config.brokerId)
    }

    /// The partitions this broker leads now.
    public func ledPartitions() -> Set<TopicPartition> { led }

    /// Stops every fetcher and task, closes the transport, then writes the high-watermark
    /// checkpoint a last time.
    public func shutdown() async {
        isrRequests?.finish()
        for task in tasks { task.cancel() }
        for task in tasks { await task.value }
        tasks.removeAll()
        for fetcher in fetchers.values { await fetcher.stop() }
        fetchers.removeAll()
        followed.removeAll()
        led.removeAll()
        await transport.close()
        // The last marks, so a restart serves up to them at once.
        await checkpointHighWatermarks()
    }

    private func followEvents() async {
        while !Task.isCancelled {
            let events = coordinator.events()
            // Changes made before the subscription was live are read here.
            await reconcile()
            for await event in events {
                if Task.isCancelled { return }
                switch event {
                case .partitionStateChanged(let tp):
                    await reconcile(tp)
                case .brokersChanged, .sessionExpired:
                    await reconcile()
                case .topicsChanged, .controllerChanged:
                    // New partitions exist only once the topic sync opened them; whoever
                    // syncs topics (ClusterNode) calls `reconcile()` after it.
                    continue
                }
            }
            // The stream ended (session expired): subscribe again after a pause.
            try? await Task.sleep(for: .milliseconds(config.retryBackoffMs))
        }
    }

    private func checkIsrPeriodically() async {
        while !Task.isCancelled {
            do { try await Task.sleep(for: config.isrCheckInterval) } catch { return }
            for tp in led { await updateIsr(of: tp) }
            var under = 0
            for tp in led {
                guard let info = await broker.partition(tp)?.replicaInfo(),
                      let record = await broker.topic(named: tp.topic) else { continue }
                if info.isr.count < record.replicas(of: tp.partition, localBroker: config.brokerId).count { under += 1 }
            }
            metrics.underReplicated.record(under)
        }
    }

    /// Re-reads the states of every local replica and applies leader or follower roles.
    /// Safe to call any time (the lead's topic sync may call it after creating partitions).
    public func reconcile() async {
        do {
            live = Dictionary(try await coordinator.liveBrokers().map { ($0.id, $0) }, uniquingKeysWith: { a, _ in a })
            var seen: Set<TopicPartition> = []
            for record in await broker.topics() {
                let states = try await coordinator.partitionStates(topic: record.name)
                for index in 0..<record.partitionCount {
                    let tp = TopicPartition(record.name, index)
                    let replicas = record.replicas(of: index, localBroker: config.brokerId)
                    guard replicas.contains(config.brokerId), let partition = await broker.partition(tp),
                          let state = states[index] else { continue }
                    seen.insert(tp)
                    await apply(state, to: partition, replicas: replicas, live: live)
                }
            }
            for tp in Set(followed.keys).subtracting(seen) { await stopFollowing(tp) }
            led.formIntersection(seen)
        } catch {
            logger.warning("reading partition states failed; retrying on the next event", metadata: ["error": "\(error)"])
        }
    }

    /// Re-reads one partition's state and applies its role: what an event about that
    /// partition needs, without reading every topic's states.
    func reconcile(_ tp: TopicPartition) async {
        guard let record = await broker.topic(named: tp.topic), tp.partition < record.partitionCount,
              let partition = await broker.partition(tp) else { return }
        let replicas = record.replicas(of: tp.partition, localBroker: config.brokerId)
        guard replicas.contains(config.brokerId) else { return }
        do {
            guard let state = try await coordinator.partitionState(tp) else {
                await stopFollowing(tp)
                led.remove(tp)
                return
            }
            await apply(state, to: partition, replicas: replicas, live: live)
        } catch {
            logger.warning("reading the state of \(tp) failed; retrying on the next event", metadata: ["error": "\(error)"])
        }
    }

    private func apply(_ state: VersionedPartitionState, to partition: Partition, replicas: [Int32],
                       live: [Int32: BrokerEndpoint]) async {
        let tp = partition.topicPartition
        let leader = state.state.leader, epoch = state.state.leaderEpoch
        if leader == config.brokerId {
            await stopFollowing(tp)
            let requests = isrRequests
            await partition.becomeLeader(localId: config.brokerId, state: state, replicas: replicas,
                                         listener: { requests?.yield($0) })
            if led.insert(tp).inserted {
                logger.info("leading partition", metadata: ["partition": "\(tp)", "leaderEpoch": "\(epoch)", "isr": "\(state.state.isr)"])
            }
            return
        }
        led.remove(tp)
        let changed = await partition.becomeFollower(leader: leader, epoch: epoch)
        // Stopping: no fetching, so no leader adds this broker back to an ISR.
        if leaving { return }
        if !changed, let current = followed[tp], current.leader == leader, current.epoch == epoch,
           fetchers[leader]?.source == live[leader] { return }
        await stopFollowing(tp)
        guard leader != PartitionState.noLeader else { return }
        guard let endpoint = live[leader] else {
            logger.info("\(ReplicationError.leaderUnreachable(tp, leader: leader))")
            return
        }
        let fetcher = fetcher(for: endpoint)
        await fetcher.add(partition, epoch: epoch)
        followed[tp] = (leader, epoch)
        logger.info("following partition", metadata: ["partition": "\(tp)", "leader": "\(leader)", "leaderEpoch": "\(epoch)"])
    }

    private func fetcher(for endpoint: BrokerEndpoint) -> ReplicaFetcher {
        if let existing = fetchers[endpoint.id], existing.source == endpoint { return existing }
        let fetcher = ReplicaFetcher(source: endpoint, config: config, transport: transport, logger: logger)
        if let old = fetchers[endpoint.id] {
            // The leader broker came back at another address: its partitions move to the new fetcher.
            for (tp, current) in followed where current.leader == endpoint.id { followed.removeValue(forKey: tp) }
            tasks.append(Task { await old.stop() })
        }
        fetchers[endpoint.id] = fetcher
        return fetcher
    }

    private func stopFollowing(_ tp: TopicPartition) async {
        guard let current = followed.removeValue(forKey: tp) else { return }
        await fetchers[current.leader]?.remove(tp)
    }

    /// Writes the ISR change a led partition wants, with the version it was read at; on a
    /// conflict re-reads the state and goes on only while still leader of that epoch.
    private func updateIsr(of tp: TopicPartition) async {
        guard led.contains(tp), let partition = await broker.partition(tp),
              var proposal = await partition.proposedIsrChange(lag: .milliseconds(config.replicaLagTimeMs)) else { return }
        // Only a registered broker may rejoin (as Kafka's KIP-841): a follower that died
        // caught up still looks caught up for replicaLagTimeMs, and re-adding it after the
        // controller dropped it would make acks=all producers wait for a dead broker.
        let gone = proposal.added.filter { live[$0] == nil }
        if !gone.isEmpty {
            proposal.added.removeAll { gone.contains($0) }
            proposal.state.isr.removeAll { gone.contains($0) }
            guard !proposal.added.isEmpty || !proposal.removed.isEmpty else { return }
        }
        do {
            let version = try await coordinator.updatePartitionState(tp, proposal.state, expectedVersion: proposal.expectedVersion)
            await partition.applyIsr(proposal.state.isr, version: version, epoch: proposal.state.leaderEpoch)
            if !proposal.removed.isEmpty { metrics.isrShrinks.increment() }
            if !proposal.added.isEmpty { metrics.isrExpands.increment() }
            logger.info("ISR changed", metadata: ["partition": "\(tp)", "isr": "\(proposal.state.isr)",
                                                  "removed": "\(proposal.removed)", "added": "\(proposal.added)"])
        } catch CoordinationError.versionConflict {
            await reconcile(tp)
        } catch {
            logger.warning("writing the ISR failed; retrying", metadata: ["partition": "\(tp)", "error": "\(error)"])
        }
    }
}

/// Replication counters and gauges, labelled with the broker id.
struct ReplicationMetrics: Sendable {
    let isrShrinks: Counter
    let isrExpands: Counter
    /// Led partitions whose ISR is smaller than their assignment.
    let underReplicated: Gauge

    init(brokerId: Int32) {
        let dimensions = [("broker", "\(brokerId)")]
        isrShrinks = Counter(label: "sluice_isr_shrinks_total", dimensions: dimensions)
        isrExpands = Counter(label: "sluice_isr_expands_total", dimensions: dimensions)
        underReplicated = Gauge(label: "sluice_under_replicated_partitions", dimensions: dimensions)
    }
}
