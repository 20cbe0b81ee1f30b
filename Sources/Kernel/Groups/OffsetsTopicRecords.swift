import Foundation

/// Keys and values of `__consumer_offsets` records in Kafka's internal schemas (the
/// `OffsetCommitKey/Value` and `GroupMetadataKey/Value` message specs), big-endian, each
/// starting with its int16 version. Strings are an int16 length then UTF-8 (-1 for
/// null), bytes an int32 length, arrays an int32 count: none of these versions is
/// flexible. Versions are those Kafka 3.9 writes: offset-commit key 1 with value 3,
/// group-metadata key 2 with value 3. A deletion is the key with a null value.
public enum OffsetsTopicRecords {
    /// Key version of an offset commit (versions 0 and 1 share the layout; Kafka writes 1).
    public static let offsetCommitKeyVersion: Int16 = 1
    /// Value version of an offset commit: v3 carries the leader epoch.
    public static let offsetCommitValueVersion: Int16 = 3
    public static let groupMetadataKeyVersion: Int16 = 2
    /// Value version of group metadata: v3 carries each member's group instance id.
    public static let groupMetadataValueVersion: Int16 = 3

    /// Offset-commit key v1: version, group, topic, partition.
    public static func offsetCommitKey(group: String, _ tp: TopicPartition) -> [UInt8] {
        var out: [UInt8] = []
        out.appendInt16(offsetCommitKeyVersion)
        out.appendString(group)
        out.appendString(tp.topic)
        out.appendInt32(tp.partition)
        return out
    }

    /// Offset-commit value v3: version, offset, leader epoch (-1 when unknown), metadata
    /// (empty when none), commit timestamp in milliseconds since the epoch.
    public static func offsetCommitValue(_ offset: CommittedOffset) -> [UInt8] {
        var out: [UInt8] = []
        out.appendInt16(offsetCommitValueVersion)
        out.appendInt64(offset.offset)
        out.appendInt32(offset.leaderEpoch ?? -1)
        out.appendString(offset.metadata ?? "")
        out.appendInt64(Int64((offset.commitTime.timeIntervalSince1970 * 1000).rounded()))
        return out
    }

    /// Group-metadata key v2: version, group.
    public static func groupMetadataKey(group: String) -> [UInt8] {
        var out: [UInt8] = []
        out.appendInt16(groupMetadataKeyVersion)
        out.appendString(group)
        return out
    }

    /// Group-metadata value v3: version, protocol type, generation, protocol (nullable),
    /// leader (nullable), current-state timestamp, then each member.
    public static func groupMetadataValue(_ group: GroupMetadataSnapshot) -> [UInt8] {
        var out: [UInt8] = []
        out.appendInt16(groupMetadataValueVersion)
        out.appendString(group.protocolType)
        out.appendInt32(group.generation)
        out.appendNullableString(group.protocolName)
        out.appendNullableString(group.leader)
        out.appendInt64(group.currentStateTimestamp)
        out.appendInt32(Int32(group.members.count))
        for member in group.members {
            out.appendString(member.memberId)
            out.appendNullableString(member.groupInstanceId)
            out.appendString(member.clientId)
            out.appendString(member.clientHost)
            out.appendInt32(member.rebalanceTimeoutMs)
            out.appendInt32(member.sessionTimeoutMs)
            out.appendBytes(member.subscription)
            out.appendBytes(member.assignment)
        }
        return out
    }
}

/// A classic group as its `__consumer_offsets` group-metadata record states it.
public struct GroupMetadataSnapshot: Sendable, Equatable {
    public struct Member: Sendable, Equatable {
        public var memberId: String
        public var groupInstanceId: String?
        public var clientId: String
        public var clientHost: String
        /// Milliseconds.
        public var rebalanceTimeoutMs: Int32
        /// Milliseconds.
        public var sessionTimeoutMs: Int32
        /// The member's metadata for the group's protocol (its subscription).
        public var subscription: [UInt8]
        public var assignment: [UInt8]

        public init(memberId: String, groupInstanceId: String?, clientId: String, clientHost: String, rebalanceTimeoutMs: Int32,
                    sessionTimeoutMs: Int32, subscription: [UInt8], assignment: [UInt8]) {
            self.memberId = memberId
            self.groupInstanceId = groupInstanceId
            self.clientId = clientId
            self.clientHost = clientHost
            self.rebalanceTimeoutMs = rebalanceTimeoutMs
            self.sessionTimeoutMs = sessionTimeoutMs
            self.subscription = subscription
            self.assignment = assignment
        }
    }

    public var protocolType: String
    public var generation: Int32
    /// nil while the group is empty.
    public var protocolName: String?
    public var leader: String?
    /// When the group entered its current state, milliseconds since the epoch.
    public var currentStateTimestamp: Int64
    public var members: [Member]

    public init(protocolType: String, generation: Int32, protocolName: String?, leader: String?, currentStateTimestamp: Int64,
                members: [Member]) {
        self.protocolType = protocolType
        self.generation = generation
        self.protocolName = protocolName
        self.leader = leader
        self.currentStateTimestamp = currentStateTimestamp
        self.members = members
    }
}

extension [UInt8] {
    fileprivate mutating func appendInt16(_ value: Int16) { appendBigEndian(UInt16(bitPattern: value)) }
    fileprivate mutating func appendInt32(_ value: Int32) { appendBigEndian(UInt32(bitPattern: value)) }
    fileprivate mutating func appendInt64(_ value: Int64) { appendBigEndian(UInt64(bitPattern: value)) }

    fileprivate mutating func appendBigEndian<T: FixedWidthInteger>(_ value: T) {
        Swift.withUnsafeBytes(of: value.bigEndian) { append(contentsOf: $0) }
    }

    fileprivate mutating func appendString(_ string: String) {
        let utf8 = Array(string.utf8)
        appendInt16(Int16(clamping: utf8.count))
        append(contentsOf: utf8.prefix(Int(Int16.max)))
    }

    fileprivate mutating func appendNullableString(_ string: String?) {
        guard let string else { return appendInt16(-1) }
        appendString(string)
    }

    fileprivate mutating func appendBytes(_ bytes: [UInt8]) {
        appendInt32(Int32(clamping: bytes.count))
        append(contentsOf: bytes)
    }
}
