import KafkaWire
import NIOCore

/// The "consumer" protocol type's member metadata and assignment bytes (Kafka's
/// ConsumerProtocolSubscription and ConsumerProtocolAssignment, version 0), which the
/// broker passes through opaquely and every Kafka consumer (Java, librdkafka,
/// kafka-python) reads and writes, so members of different clients can share a group.
public enum ConsumerProtocol {
    /// A member's subscription: the topics it wants and optional user data.
    public struct Subscription: Sendable, Equatable {
        public var topics: [String]
        public var userData: [UInt8]?
        public init(topics: [String], userData: [UInt8]? = nil) {
            self.topics = topics
            self.userData = userData
        }
    }

    /// The partitions a leader assigned to one member, by topic.
    public struct Assignment: Sendable, Equatable {
        public var partitions: [String: [Int32]]
        public var userData: [UInt8]?
        public init(partitions: [String: [Int32]], userData: [UInt8]? = nil) {
            self.partitions = partitions
            self.userData = userData
        }
    }

    /// Subscription v0: version, topics, user data.
    public static func encode(_ subscription: Subscription) -> ByteBuffer {
        var buffer = ByteBuffer()
        buffer.writeInteger(Int16(0))
        buffer.writeInteger(Int32(subscription.topics.count))
        for topic in subscription.topics { writeString(topic, to: &buffer) }
        writeBytes(subscription.userData, to: &buffer)
        return buffer
    }

    /// Reads any subscription version (fields after v0's are skipped).
    public static func decodeSubscription(_ bytes: ByteBuffer) throws(ConsumerProtocolError) -> Subscription {
        var buffer = bytes
        guard let _: Int16 = buffer.readInteger(), let count: Int32 = buffer.readInteger(), count >= 0, Int(count) <= buffer.readableBytes else {
            throw .malformed("consumer subscription header")
        }
        var topics: [String] = []
        for _ in 0..<count { topics.append(try readString(&buffer)) }
        let userData = buffer.readableBytes >= 4 ? try readBytes(&buffer) : nil
        return Subscription(topics: topics, userData: userData)
    }

    /// Assignment v0: version, (topic, partitions) pairs, user data.
    public static func encode(_ assignment: Assignment) -> ByteBuffer {
        var buffer = ByteBuffer()
        buffer.writeInteger(Int16(0))
        buffer.writeInteger(Int32(assignment.partitions.count))
        for topic in assignment.partitions.keys.sorted() {
            writeString(topic, to: &buffer)
            let partitions = assignment.partitions[topic]!.sorted()
            buffer.writeInteger(Int32(partitions.count))
            for partition in partitions { buffer.writeInteger(partition) }
        }
        writeBytes(assignment.userData, to: &buffer)
        return buffer
    }

    /// Reads any assignment version; empty bytes (a member given nothing) is an empty assignment.
    public static func decodeAssignment(_ bytes: ByteBuffer) throws(ConsumerProtocolError) -> Assignment {
        var buffer = bytes
        if buffer.readableBytes == 0 { return Assignment(partitions: [:]) }
        guard let _: Int16 = buffer.readInteger(), let count: Int32 = buffer.readInteger(), count >= 0, Int(count) <= buffer.readableBytes else {
            throw .malformed("consumer assignment header")
        }
        var partitions: [String: [Int32]] = [:]
        for _ in 0..<count {
            let topic = try readString(&buffer)
            guard let n: Int32 = buffer.readInteger(), n >= 0, Int(n) * 4 <= buffer.readableBytes else { throw .malformed("consumer assignment partitions") }
            partitions[topic, default: []] += (0..<n).map { _ in buffer.readInteger(as: Int32.self)! }
        }
        let userData = buffer.readableBytes >= 4 ? try readBytes(&buffer) : nil
        return Assignment(partitions: partitions, userData: userData)
    }

    private static func writeString(_ text: String, to buffer: inout ByteBuffer) {
        buffer.writeInteger(Int16(text.utf8.count))
        buffer.writeString(text)
    }

    private static func writeBytes(_ bytes: [UInt8]?, to buffer: inout ByteBuffer) {
        guard let bytes else {
            buffer.writeInteger(Int32(-1))
            return
        }
        buffer.writeInteger(Int32(bytes.count))
        buffer.writeBytes(bytes)
    }

    private static func readString(_ buffer: inout ByteBuffer) throws(ConsumerProtocolError) -> String {
        guard let length: Int16 = buffer.readInteger(), length >= 0, let text = buffer.readString(length: Int(length)) else {
            throw .malformed("consumer protocol string")
        }
        return text
    }

    private static func readBytes(_ buffer: inout ByteBuffer) throws(ConsumerProtocolError) -> [UInt8]? {
        guard let length: Int32 = buffer.readInteger() else { throw .malformed("consumer protocol bytes") }
        if length < 0 { return nil }
        guard let bytes = buffer.readBytes(length: Int(length)) else { throw .malformed("consumer protocol bytes") }
        return bytes
    }
}

/// The client-side partition assignors every Kafka consumer knows by name.
public enum ConsumerAssignor: String, Sendable, CaseIterable {
    /// Per topic, consecutive ranges of partitions to members sorted by id.
    case range
    /// All topic-partitions dealt to members in turn, each to a member subscribed to its topic.
    case roundrobin

    /// Assigns `partitions` (count per topic) to `members` (member id → subscription).
    public func assign(members: [String: ConsumerProtocol.Subscription], partitions: [String: Int32]) -> [String: ConsumerProtocol.Assignment] {
        var result: [String: [String: [Int32]]] = Dictionary(uniqueKeysWithValues: members.keys.map { ($0, [:]) })
        switch self {
        case .range:
            for topic in partitions.keys.sorted() {
                let subscribers = members.filter { $0.value.topics.contains(topic) }.keys.sorted()
                guard !subscribers.isEmpty, let count = partitions[topic] else { continue }
                let each = Int(count) / subscribers.count, extra = Int(count) % subscribers.count
                var next: Int32 = 0
                for (index, member) in subscribers.enumerated() {
                    let take = each + (index < extra ? 1 : 0)
                    if take > 0 { result[member]![topic] = Array(next..<next + Int32(take)) }
                    next += Int32(take)
                }
            }
        case .roundrobin:
            let ordered = members.keys.sorted()
            var turn = 0
            for topic in partitions.keys.sorted() {
                for partition in 0..<(partitions[topic] ?? 0) {
                    for _ in 0..<ordered.count {
                        let member = ordered[turn % ordered.count]
                        turn += 1
                        if members[member]!.topics.contains(topic) {
                            result[member]![topic, default: []].append(partition)
                            break
                        }
                    }
                }
            }
        }
        return result.mapValues { ConsumerProtocol.Assignment(partitions: $0) }
    }
}

/// Consumer-protocol bytes that do not parse: names the part that was cut off or invalid.
public struct ConsumerProtocolError: Error, Sendable, CustomStringConvertible {
    public var part: String
    public static func malformed(_ part: String) -> ConsumerProtocolError { ConsumerProtocolError(part: part) }
    public var description: String { "malformed consumer protocol data: \(part)" }
}
