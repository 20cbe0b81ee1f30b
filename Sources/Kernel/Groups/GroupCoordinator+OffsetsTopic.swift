import Foundation

/// Appends records for one group to `__consumer_offsets` (key, and value or nil for a
/// deletion). The broker provides it; it never throws: the metadata store is the source
/// of truth, and a record that cannot be written is logged.
public typealias OffsetsLogWriter = @Sendable (_ group: String, _ records: [OffsetsLogRecord]) async -> Void

/// One `__consumer_offsets` record: a key and its value, nil for a tombstone.
public struct OffsetsLogRecord: Sendable, Equatable {
    public var key: [UInt8]
    public var value: [UInt8]?

    public init(key: [UInt8], value: [UInt8]?) {
        self.key = key
        self.value = value
    }
}

// The coordinator's change log in `__consumer_offsets`: as in Kafka, an offset-commit
// record per committed partition, a group-metadata record when a group settles (Stable,
// after the leader's SyncGroup) or empties, and tombstones when offsets or groups are
// deleted. Each is written after the metadata store accepted the change.
extension GroupCoordinator {
    /// Sets where the coordinator's records go (the broker's `__consumer_offsets`).
    public func attachOffsetsLog(_ writer: @escaping OffsetsLogWriter) {
        offsetsLog = writer
    }

    static func commitRecords(group: String, _ offsets: [TopicPartition: CommittedOffset]) -> [OffsetsLogRecord] {
        offsets.sorted { $0.key < $1.key }.map {
            OffsetsLogRecord(key: OffsetsTopicRecords.offsetCommitKey(group: group, $0.key),
                             value: OffsetsTopicRecords.offsetCommitValue($0.value))
        }
    }

    static func offsetTombstones(group: String, _ partitions: [TopicPartition]) -> [OffsetsLogRecord] {
        partitions.sorted().map { OffsetsLogRecord(key: OffsetsTopicRecords.offsetCommitKey(group: group, $0), value: nil) }
    }

    /// Commits in the store, then logs them, one commit of a group after the other, so
    /// the last record per partition in the topic is the offset the store holds.
    func storeAndLogCommit(_ groupId: String, _ offsets: [TopicPartition: CommittedOffset]) async -> GroupError? {
        let previous = commitChains[groupId]
        let commit = Task { [metadata, offsetsLog] () -> GroupError? in
            _ = await previous?.value
            do { try await metadata.commitOffsets(group: groupId, offsets) } catch { return .storage("\(error)") }
            await offsetsLog?(groupId, Self.commitRecords(group: groupId, offsets))
            return nil
        }
        commitChains[groupId] = commit
        let result = await commit.value
        if commitChains[groupId] == commit { commitChains.removeValue(forKey: groupId) }
        return result
    }

    /// The group-metadata record of a group that is Stable or Empty (Kafka writes none in
    /// between), nil otherwise or for a group that only commits offsets.
    func metadataRecord(of group: ConsumerGroup) -> OffsetsLogRecord? {
        guard let protocolType = group.protocolType, group.state == .stable || group.state == .empty else { return nil }
        let protocolName = group.protocolName ?? ""
        let snapshot = GroupMetadataSnapshot(
            protocolType: protocolType, generation: group.generation,
            protocolName: group.state == .empty ? nil : group.protocolName,
            leader: group.state == .empty ? nil : group.leaderId,
            currentStateTimestamp: Int64((Date().timeIntervalSince1970 * 1000).rounded()),
            members: group.orderedMembers.map {
                GroupMetadataSnapshot.Member(
                    memberId: $0.memberId, groupInstanceId: $0.groupInstanceId, clientId: $0.clientId, clientHost: $0.clientHost,
                    rebalanceTimeoutMs: Int32(clamping: $0.rebalanceTimeout.milliseconds),
                    sessionTimeoutMs: Int32(clamping: $0.sessionTimeout.milliseconds),
                    subscription: $0.metadata(for: protocolName), assignment: $0.assignment)
            })
        return OffsetsLogRecord(key: OffsetsTopicRecords.groupMetadataKey(group: group.id),
                                value: OffsetsTopicRecords.groupMetadataValue(snapshot))
    }

    /// The groups with offsets committed for `topic`, and those partitions; read before the
    /// topic is deleted (the store then drops them) for `logDeletedOffsets`.
    func committedPartitions(ofTopic topic: String) async -> [String: [TopicPartition]] {
        guard offsetsLog != nil, let stored = try? await metadata.groups() else { return [:] }
        var result: [String: [TopicPartition]] = [:]
        for group in stored {
            let partitions = ((try? await metadata.committedOffsets(group: group)) ?? [:]).keys.filter { $0.topic == topic }
            if !partitions.isEmpty { result[group] = partitions }
        }
        return result
    }

    /// Tombstones for offsets the store dropped with their topic, as Kafka writes them.
    func logDeletedOffsets(_ offsets: [String: [TopicPartition]]) async {
        for (group, partitions) in offsets.sorted(by: { $0.key < $1.key }) {
            await offsetsLog?(group, Self.offsetTombstones(group: group, partitions))
        }
    }
}
