import Foundation

/// DeleteRecords and DescribeLogDirs: the log start moved by clients, and where logs live.
extension Broker {
    public func deleteRecords(_ tp: TopicPartition, before offset: Int64) async throws(BrokerError) -> Int64 {
        // As Kafka: the group coordinator's records are not the client's to delete.
        if OffsetsTopic.isInternal(tp.topic) { throw .invalidTopic(tp.topic, reason: "Cannot delete records of internal topic \(tp.topic)") }
        guard let partition = partition(tp) else {
            if let record = topicStates[tp.topic]?.record, (0..<record.partitionCount).contains(tp.partition) {
                throw .notLeaderOrFollower(tp, leader: nil)
            }
            throw .unknownTopicOrPartition(tp.topic, tp.partition)
        }
        let start = try await partition.deleteRecords(before: offset)
        logger.info("records deleted", metadata: ["partition": "\(tp)", "logStartOffset": "\(start)"])
        return start
    }

    public nonisolated func logDirectories() async -> [LogDirectoryInfo] {
        var partitions: [(TopicPartition, sizeBytes: Int64)] = []
        for (_, partition) in await localPartitions() {
            let size = (try? await partition.offsets().sizeBytes) ?? 0
            partitions.append((partition.topicPartition, size))
        }
        partitions.sort { $0.0 < $1.0 }
        let directories = storage.dataDirectories
        guard let first = directories.first else {
            return [LogDirectoryInfo(path: "memory", partitions: partitions, totalBytes: nil, usableBytes: nil)]
        }
        // One storage plugin keeps every partition in its first directory.
        return directories.map { path in
            let space = LogDirectoryInfo.fileSystemSpace(of: path)
            return LogDirectoryInfo(path: path, partitions: path == first ? partitions : [],
                                    totalBytes: space?.total, usableBytes: space?.usable)
        }
    }
}
