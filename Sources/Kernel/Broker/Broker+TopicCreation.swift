import Foundation

/// Topic creation and partition growth are atomic: either every local partition opened and
/// the registry holds the topic, or nothing of it is left — no registry entry, no partition
/// directories, no open descriptors.
extension Broker {
    /// Refuses `count` new local partitions that cannot fit under the open-file limit,
    /// before anything is written, with a message naming the limit. A storage's shared
    /// descriptor budget (a bounded cache) must fit under the soft limit with headroom
    /// whatever the partition count; descriptors per partition must fit beside those the
    /// process holds now.
    func checkDescriptors(forNewPartitions count: Int, topic: String) throws(BrokerError) {
        let perPartition = storage.descriptorsPerPartition, budget = storage.descriptorBudget
        guard count > 0, perPartition > 0 || budget > 0, let limit = OpenFileLimit.current() else { return }
        if budget > 0, !limit.fits(budget, inUse: 0) {
            throw .invalidPartitions(
                "topic '\(topic)': the storage keeps up to \(budget) file descriptors open for its partitions, "
                + "which does not fit under the open-file limit (RLIMIT_NOFILE) of \(limit) lowered since it started; "
                + "raise the limit (ulimit -Hn, systemd LimitNOFILE=) and restart, or restart with a smaller cache "
                + "(segment-log maxOpenFiles)")
        }
        guard perPartition > 0, let inUse = OpenFileLimit.openDescriptors() else { return }
        let needed = count * perPartition
        guard !limit.fits(needed, inUse: inUse) else { return }
        throw .invalidPartitions(
            "topic '\(topic)': \(count) partitions need about \(needed) more file descriptors (\(perPartition) each), "
            + "but this process holds \(inUse) and its open-file limit (RLIMIT_NOFILE) is \(limit); "
            + "raise the hard limit (ulimit -Hn, systemd LimitNOFILE=) and restart, or create fewer partitions")
    }

    /// Waits until no creation or growth of `name` is under way. Two producers that
    /// auto-create one topic at once must both see it: the second waits for the first
    /// rather than failing while the first's partitions open.
    func waitWhileCreating(_ name: String) async {
        while creatingTopics.contains(name) {
            await withCheckedContinuation { creationWaiters[name, default: []].append($0) }
        }
    }

    /// Ends a creation or growth of `name` and wakes those waiting for it.
    func finishCreating(_ name: String) {
        creatingTopics.remove(name)
        for waiter in creationWaiters.removeValue(forKey: name) ?? [] { waiter.resume() }
    }

    /// Opens the local partitions `indices` of `record` in one storage step; on any
    /// failure closes and deletes every one of them before rethrowing.
    func openLocalPartitions(_ record: TopicRecord, _ indices: Range<Int32>) async throws -> [Int32: Partition] {
        let local = indices.filter { isLocal(record, $0) }
        let config = TopicConfigs.logConfig(record.configs, defaults: storage.defaultLogConfig)
        var opened: [Int32: Partition] = [:]
        do {
            let logs = try await storage.open(local.map { (TopicPartition(record.name, $0), config) })
            for (index, log) in zip(local, logs) { opened[index] = try await makePartition(log) }
        } catch {
            await discard(opened, topic: record.name, alsoDelete: local.filter { opened[$0] == nil })
            throw Self.describeOpenFailure(error, topic: record.name)
        }
        return opened
    }

    /// Closes and deletes partitions opened by a creation that failed; what cannot be
    /// removed is logged with its path so that an operator can.
    func discard(_ opened: [Int32: Partition], topic: String, alsoDelete extra: [Int32] = []) async {
        // A partition the broker serves meanwhile (cluster sync installed the topic) is
        // someone else's now: leave it alone.
        let serving = topicStates[topic]?.partitions ?? [:]
        let ours = opened.filter { serving[$0.key] == nil }
        for partition in ours.values { await partition.shutdown() }
        for index in ours.keys.sorted() + extra.filter({ serving[$0] == nil }) {
            do { try await storage.delete(TopicPartition(topic, index)) } catch {
                logger.error("could not remove a partition of a failed topic creation",
                             metadata: ["topic": "\(topic)", "partition": "\(index)", "error": "\(error)"])
            }
        }
    }

    /// An open failure as the client sees it; running out of descriptors names the limit.
    static func describeOpenFailure(_ error: any Error, topic: String) -> any Error {
        guard case StorageError.io(_, _, let code)? = error as? StorageError, code == EMFILE || code == ENFILE else {
            return error
        }
        let limit = OpenFileLimit.current().map { "\($0)" } ?? "unknown"
        return BrokerError.storage(
            "topic '\(topic)': ran out of file descriptors (open-file limit \(limit)); nothing of the topic was kept. "
            + "Raise the limit (ulimit -n, systemd LimitNOFILE=) or create fewer partitions")
    }
}
