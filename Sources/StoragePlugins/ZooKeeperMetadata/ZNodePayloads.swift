import Foundation
import SluiceKernel

/// `/topics/<name>`.
struct TopicPayload: Codable, Sendable {
    var id: UUID
    var partitionCount: Int32
    var replicas: [[Int32]]
    var configs: [String: String]
    var createdAtMs: Int64

    init(_ record: TopicRecord) {
        id = record.id
        partitionCount = record.partitionCount
        replicas = record.replicas
        configs = record.configs
        createdAtMs = millis(record.createdAt)
    }

    func record(name: String) -> TopicRecord {
        TopicRecord(name: name, id: id, partitionCount: partitionCount, configs: configs, createdAt: date(createdAtMs), replicas: replicas)
    }
}

/// One entry of `/groups/<group>/offsets`.
struct OffsetPayload: Codable, Sendable {
    var topic: String
    var partition: Int32
    var offset: Int64
    var leaderEpoch: Int32?
    var metadata: String?
    var commitTimeMs: Int64

    static func list(_ offsets: [TopicPartition: CommittedOffset]) -> [OffsetPayload] {
        offsets.sorted { $0.key < $1.key }.map { tp, committed in
            OffsetPayload(topic: tp.topic, partition: tp.partition, offset: committed.offset, leaderEpoch: committed.leaderEpoch,
                          metadata: committed.metadata, commitTimeMs: millis(committed.commitTime))
        }
    }

    static func dictionary(_ list: [OffsetPayload]) -> [TopicPartition: CommittedOffset] {
        Dictionary(list.map { entry in
            (TopicPartition(entry.topic, entry.partition),
             CommittedOffset(offset: entry.offset, leaderEpoch: entry.leaderEpoch, metadata: entry.metadata,
                             commitTime: date(entry.commitTimeMs)))
        }, uniquingKeysWith: { _, last in last })
    }
}

/// `/groups/<group>/state`.
struct GroupStatePayload: Codable, Sendable {
    var protocolType: String?
    var generation: Int32
    /// Instance id → member id; absent in nodes written before static membership.
    var staticMembers: [String: String]?
    var updatedAtMs: Int64
}

/// `/transactions/<id>`.
struct TransactionPayload: Codable, Sendable {
    var producerId: Int64
    var producerEpoch: Int16
    var lastProducerEpoch: Int16
    var status: TransactionStatus
    var timeoutMs: Int32
    var partitions: [TopicPartition]
    var groups: [String]
    var startedAtMs: Int64?
    var updatedAtMs: Int64

    init(_ record: TransactionStateRecord) {
        producerId = record.producerId
        producerEpoch = record.producerEpoch
        lastProducerEpoch = record.lastProducerEpoch
        status = record.status
        timeoutMs = record.timeoutMs
        partitions = record.partitions.sorted()
        groups = record.groups.sorted()
        startedAtMs = record.startedAt.map(millis)
        updatedAtMs = millis(record.updatedAt)
    }

    func record(transactionalId: String) -> TransactionStateRecord {
        TransactionStateRecord(transactionalId: transactionalId, producerId: producerId, producerEpoch: producerEpoch,
                               lastProducerEpoch: lastProducerEpoch, status: status, timeoutMs: timeoutMs, partitions: partitions,
                               groups: groups, startedAt: startedAtMs.map(date), updatedAt: date(updatedAtMs))
    }
}

/// `/controller`.
struct ControllerPayload: Codable, Sendable {
    var brokerId: Int32
    var epoch: Int32
}

func millis(_ date: Date) -> Int64 { Int64((date.timeIntervalSince1970 * 1000).rounded()) }
func date(_ millis: Int64) -> Date { Date(timeIntervalSince1970: Double(millis) / 1000) }

/// JSON in and out of znodes, with errors that name the znode.
enum ZNodeJSON {
    static func encode<T: Encodable>(_ value: T) throws -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return Array(try encoder.encode(value))
    }

    static func decode<T: Decodable>(_ type: T.Type, _ bytes: [UInt8], path: String) throws -> T {
        do {
            return try JSONDecoder().decode(T.self, from: Data(bytes))
        } catch {
            throw MetadataError.unusable("znode \(path) does not hold the JSON Sluice writes there (\(error)); "
                                         + "was it written by another program?")
        }
    }
}
