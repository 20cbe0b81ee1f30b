import Foundation

/// The internal topic `__consumer_offsets`: the group coordinator appends a record for
/// every offset commit and every settled group membership, in Kafka's internal schemas
/// (`OffsetsTopicRecords`), so tools that read the topic — lag monitors, Kafka's own
/// formatter — find what they find on Kafka. The metadata store stays the source of
/// truth that OffsetFetch and DescribeGroups read; the topic is its change log.
///
/// Clients may fetch from it and list its offsets; producing to it, deleting it or
/// creating it by hand is refused. The broker creates it on the first group write (or a
/// Metadata request naming it), as Kafka does, with `cleanup.policy=compact`.
public enum OffsetsTopic {
    /// The topic's name, as in Kafka.
    public static let name = "__consumer_offsets"

    /// Whether a topic is internal (only `__consumer_offsets` is).
    public static func isInternal(_ topic: String) -> Bool { topic == name }

    /// The configs the broker creates the topic with: compacted, 100 MiB segments (Kafka's
    /// `offsets.topic.segment.bytes`).
    public static let configs: [String: String] = ["cleanup.policy": "compact", "segment.bytes": "104857600"]

    /// The partition holding a group's records: `abs(groupId.hashCode) % partitions`, with
    /// Java's `String.hashCode` and Kafka's `Utils.abs` (which maps Int.MIN_VALUE to 0
    /// instead of leaving it negative).
    public static func partition(for group: String, partitions: Int32) -> Int32 {
        precondition(partitions > 0, "the offsets topic has at least one partition")
        let hash = javaHashCode(group)
        let positive = hash == Int32.min ? 0 : abs(hash)
        return positive % partitions
    }

    /// Java's `String.hashCode`: `s[0]*31^(n-1) + … + s[n-1]` over UTF-16 code units,
    /// wrapping at 32 bits.
    public static func javaHashCode(_ string: String) -> Int32 {
        var hash: Int32 = 0
        for unit in string.utf16 { hash = hash &* 31 &+ Int32(unit) }
        return hash
    }
}
