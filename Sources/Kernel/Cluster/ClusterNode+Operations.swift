/// Reassignment requests, answered by the controller: it stores each reassignment durably
/// first, then widens the partition's assignment to target + leaving replicas (the new
/// replicas open the partition and start fetching; the leader lets them into the ISR once
/// caught up), and finishes what is already in sync at once. The rest finishes as ISR
/// changes arrive (`runController(_:_:)`) or on the next full reconcile.
extension ClusterNode: ClusterOperations {
    public func alterReassignments(_ changes: [TopicPartition: [Int32]?]) async throws -> [TopicPartition: ClusterOperationError?] {
        guard let controller else { throw ClusterOperationError.notController(current: await view.controller?.brokerId) }
        let live = Set(try await coordinator.liveBrokers().map(\.id))
        let stored = try await coordinator.reassignments()
        let topics = Dictionary(try await broker.metadata.topics().map { ($0.name, $0) }, uniquingKeysWith: { a, _ in a })
        var results: [TopicPartition: ClusterOperationError?] = [:]
        var started: [TopicPartition: PartitionReassignment] = [:]
        for (tp, target) in changes {
            guard let record = topics[tp.topic], tp.partition >= 0, Int(tp.partition) < record.replicas.count else {
                results[tp] = .unknownTopicOrPartition(tp)
                continue
            }
            let current = record.replicas[Int(tp.partition)]
            let ongoing = stored[tp]
            guard let target else {
                // Cancel: move back to the original replicas, from everything assigned now,
                // so an added replica that already leads hands leadership back first.
                guard let ongoing else {
                    results[tp] = .noReassignmentInProgress(tp)
                    continue
                }
                started[tp] = PartitionReassignment(target: ongoing.original, original: ongoing.replicas)
                results[tp] = .some(nil)
                continue
            }
            if let problem = Self.problem(with: target, live: live) {
                results[tp] = .invalidReplicaAssignment(tp, problem)
                continue
            }
            results[tp] = .some(nil)
            if ongoing == nil && target == current { continue }   // already there
            started[tp] = PartitionReassignment(target: target, original: ongoing?.original ?? current)
        }
        guard !started.isEmpty else { return results }
        do {
            try await coordinator.updateReassignments(set: started, remove: [:])
            for (topic, entries) in Dictionary(grouping: started, by: { $0.key.topic }) {
                try await broker.metadata.setReplicas(topic: topic, Dictionary(uniqueKeysWithValues: entries.map { ($0.key.partition, $0.value.replicas) }))
            }
        } catch {
            throw ClusterOperationError.unavailable("\(error)")
        }
        reassigning.merge(started) { _, new in new }
        for (tp, reassignment) in started {
            logger.notice("partition reassignment started", metadata: [
                "partition": "\(tp)", "target": "\(reassignment.target)", "adding": "\(reassignment.adding)",
                "removing": "\(reassignment.removing)",
            ])
            guard let state = try? await coordinator.partitionState(tp) else { continue }
            if (try? await controller.advance(tp, reassignment, state, live: live)) == true, reassigning[tp] == reassignment {
                reassigning.removeValue(forKey: tp)
            }
        }
        return results
    }

    public func reassignments() async throws -> [TopicPartition: PartitionReassignment] {
        guard controller != nil else { throw ClusterOperationError.notController(current: await view.controller?.brokerId) }
        do { return try await coordinator.reassignments() } catch { throw ClusterOperationError.unavailable("\(error)") }
    }

    /// Why a target replica list cannot be used, or nil.
    static func problem(with target: [Int32], live: Set<Int32>) -> String? {
        if target.isEmpty { return "the replica list is empty" }
        if Set(target).count != target.count { return "a broker is named twice in \(target)" }
        if let dead = target.first(where: { !live.contains($0) }) {
            return "broker \(dead) is not a live broker (live: \(live.sorted()))"
        }
        return nil
    }
}

/// ElectLeaders, answered by the controller.
extension ClusterNode {
    public func electLeaders(_ type: ElectionType, partitions: [TopicPartition]?) async throws -> [TopicPartition: ClusterOperationError?] {
        guard let controller else { throw ClusterOperationError.notController(current: await view.controller?.brokerId) }
        do {
            let live = Set(try await coordinator.liveBrokers().map(\.id))
            let topics = Dictionary(try await broker.metadata.topics().map { ($0.name, $0) }, uniquingKeysWith: { a, _ in a })
            let wanted = partitions ?? topics.values.flatMap { record in
                record.replicas.indices.map { TopicPartition(record.name, Int32($0)) }
            }
            var results: [TopicPartition: ClusterOperationError?] = [:]
            for tp in wanted {
                guard let record = topics[tp.topic], tp.partition >= 0, Int(tp.partition) < record.replicas.count else {
                    results[tp] = .some(.unknownTopicOrPartition(tp))
                    continue
                }
                let outcome = try await controller.elect(type, tp, replicas: record.replicas[Int(tp.partition)], live: live)
                if partitions == nil, case .electionNotNeeded = outcome { continue }
                results[tp] = .some(outcome)
            }
            return results
        } catch let error as ClusterOperationError {
            throw error
        } catch {
            throw ClusterOperationError.unavailable("\(error)")
        }
    }
}
