import Foundation

/// The broker's side of cluster mode that concerns the topic registry: where replicas go,
/// the first partition states of new partitions, and following topic changes other
/// brokers made. Replication itself lives with the partitions.
extension Broker {
    /// The replicas of new partitions: `assignment` checked against the live brokers, or
    /// spread round-robin as Kafka does; on a single node always `[]` (every partition is
    /// local), refusing a replication factor above 1.
    func plannedReplicas(partitions: Range<Int32>, replicationFactor: Int32?,
                         assignment: [[Int32]]?) async throws(BrokerError) -> [[Int32]] {
        let factor = replicationFactor.flatMap { $0 < 0 ? nil : $0 }
        guard let coordinator else {
            if let factor, factor != 1 {
                throw .invalidReplicationFactor("replication factor \(factor) is impossible on a single broker; use 1 or -1 (default), or run a cluster")
            }
            if let assignment, !assignment.allSatisfy({ $0 == [config.id] }) {
                throw .invalidReplicaAssignment("this single broker has id \(config.id); every partition's replicas must be [\(config.id)]")
            }
            return []
        }
        let live: [Int32]
        do { live = try await coordinator.liveBrokers().map(\.id) } catch {
            throw .notReady("the live brokers cannot be read from the coordinator: \(error)")
        }
        if let assignment {
            try ReplicaAssignment.validate(assignment, liveBrokers: live)
            return assignment
        }
        let wanted = factor ?? config.defaultReplicationFactor ?? min(3, Int32(live.count))
        guard wanted >= 1, Int(wanted) <= live.count else {
            throw .invalidReplicationFactor("replication factor \(wanted) is larger than the \(live.count) live brokers \(live); start more brokers or ask for fewer replicas")
        }
        return ReplicaAssignment.spread(partitions: partitions, replicationFactor: Int(wanted), brokers: live)
    }

    /// Stores the first state of new partitions: led by their first replica, epoch 0,
    /// every replica in sync (they are all empty).
    func createPartitionStates(_ record: TopicRecord, partitions: Range<Int32>) async throws {
        guard let coordinator else { return }
        var states: [Int32: PartitionState] = [:]
        for index in partitions {
            let replicas = record.replicas(of: index, localBroker: config.id)
            states[index] = PartitionState(leader: replicas[0], leaderEpoch: 0, isr: replicas, controllerEpoch: 0)
        }
        try await coordinator.createPartitionStates(topic: record.name, states)
    }

    /// Brings the local view of the registry up to date after another broker changed it:
    /// opens the local replicas of new topics and partitions, deletes the data of deleted
    /// topics and of replicas reassigned away, and takes over changed configs.
    public func syncTopics() async throws {
        let stored = try await metadata.topics()
        let names = Set(stored.map(\.name))
        for name in topicStates.keys where !names.contains(name) {
            try await dropLocal(name)
            logger.info("deleted topic (removed through another broker)", metadata: ["topic": "\(name)"])
        }
        for record in stored {
            if let existing = topicStates[record.name], existing.record.id != record.id {
                try await dropLocal(record.name)   // deleted and created again under the same name
            }
            var state = topicStates[record.name] ?? TopicState(record: record, partitions: [:])
            let isNew = topicStates[record.name] == nil
            for index in 0..<record.partitionCount where isLocal(record, index) && state.partitions[index] == nil {
                state.partitions[index] = try await openPartition(TopicPartition(record.name, index), configs: record.configs)
            }
            // A reassignment moved these replicas to other brokers: their data goes.
            for (index, partition) in state.partitions where !isLocal(record, index) {
                state.partitions.removeValue(forKey: index)
                await partition.shutdown()
                try await storage.delete(partition.topicPartition)
                logger.info("deleted a replica reassigned to other brokers", metadata: [
                    "partition": "\(partition.topicPartition)", "replicas": "\(record.replicas(of: index, localBroker: config.id))",
                ])
            }
            state.record = record
            topicStates[record.name] = state
            if isNew {
                logger.info("opened topic created through another broker", metadata: [
                    "topic": "\(record.name)", "localPartitions": "\(state.partitions.keys.sorted())",
                ])
            }
        }
    }
}
