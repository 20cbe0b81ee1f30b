@testable import KafkaWire
import NIOCore
@testable import SluiceKafka
import SluiceKafkaClient
import SluiceKernel
import Testing

/// The value checks of `GoldenWireTests`: what each request must carry, given what its
/// client was told to send, and what each answer must say back. Exchanges come sorted
/// by API key, so the OffsetCommit (8) a client sent is known when its OffsetFetch (9)
/// answers are checked.
struct GoldenContext {
    let capture: GoldenCapture
    /// The commit metadata exactly as the client put it on the wire (librdkafka adds a NUL).
    private(set) var committedMetadata: String??
    private(set) var checked: Set<String> = []

    init(capture: GoldenCapture) { self.capture = capture }

    var isKcat: Bool { capture.client == "kcat" }

    mutating func expectValues(_ request: any KafkaStruct, _ response: any KafkaStruct, label: String) throws {
        switch (request, response) {
        case let (request as KafkaWire.ProduceRequest, response as KafkaWire.ProduceResponse):
            let partitions = request.topicData.filter { $0.name == capture.topic }.flatMap(\.partitionData)
            #expect(!partitions.isEmpty, "\(label): produces to \(capture.topic)")
            for partition in partitions {
                guard case .bytes(let bytes)? = partition.records else { continue }
                for record in try RecordBatch.parse(bytes).flatMap({ try $0.records() }) {
                    #expect(record.key == Array("k".utf8), "\(label): key")
                    #expect(capture.values.contains(String(decoding: record.value ?? [], as: UTF8.self)), "\(label): value")
                    checked.insert("produce")
                }
            }
            #expect(response.responses.flatMap(\.partitionResponses).allSatisfy { $0.errorCode == 0 }, "\(label)")
        case let (_ as KafkaWire.FetchRequest, response as KafkaWire.FetchResponse):
            for partition in response.responses.flatMap(\.partitions) {
                guard case .bytes(let bytes)? = partition.records, bytes.readableBytes > 0 else { continue }
                let values = try RecordBatch.parse(bytes).flatMap { try $0.records() }.map { String(decoding: $0.value ?? [], as: UTF8.self) }
                #expect(values == Array(capture.values.prefix(values.count)), "\(label): fetched \(values)")
                checked.insert("fetch")
            }
        case let (request as KafkaWire.OffsetCommitRequest, response as KafkaWire.OffsetCommitResponse):
            #expect(request.groupId == capture.group, "\(label)")
            let partition = request.topics.first { $0.name == capture.topic }?.partitions.first
            if isKcat {
                #expect(partition?.committedOffset == Int64(capture.values.count), "\(label): kcat commits its position")
            } else {
                #expect(partition?.committedOffset == capture.commitOffset, "\(label)")
                let sent = partition?.committedMetadata
                #expect(sent.map { $0.hasSuffix("\u{0}") ? String($0.dropLast()) : $0 } == capture.metadata,
                        "\(label): metadata \(String(reflecting: sent))")
                committedMetadata = .some(sent)
            }
            #expect(response.topics.flatMap(\.partitions).allSatisfy { $0.errorCode == 0 }, "\(label)")
            checked.insert("commit")
        case let (request as KafkaWire.OffsetFetchRequest, response as KafkaWire.OffsetFetchResponse):
            let groups = header(request.groupId, request.groups.map(\.groupId))
            #expect(groups.contains(capture.group), "\(label): asks for \(groups)")
            let topics = response.topics + response.groups.flatMap(\.topics)
            for partition in topics.filter({ $0.name == capture.topic }).flatMap(\.partitions) where partition.committedOffset >= 0 {
                #expect(partition.committedOffset == capture.commitOffset, "\(label)")
                // The answer carries exactly the bytes the client committed.
                if let committed = committedMetadata {
                    #expect(partition.metadata == committed, "\(label): sent \(String(reflecting: committed)), got \(String(reflecting: partition.metadata))")
                    checked.insert("fetchCommitted")
                }
            }
        case let (request as KafkaWire.JoinGroupRequest, response as KafkaWire.JoinGroupResponse):
            #expect(request.groupId == capture.group && request.protocolType == "consumer", "\(label)")
            #expect([0, KafkaErrorCode.memberIdRequired.rawValue].contains(response.errorCode), "\(label): \(response.errorCode)")
            checked.insert("join")
        case let (request as KafkaWire.SyncGroupRequest, response as KafkaWire.SyncGroupResponse):
            #expect(request.groupId == capture.group && response.errorCode == 0, "\(label)")
        case let (request as KafkaWire.HeartbeatRequest, _ as KafkaWire.HeartbeatResponse):
            #expect(request.groupId == capture.group, "\(label)")
        case let (request as KafkaWire.LeaveGroupRequest, response as KafkaWire.LeaveGroupResponse):
            #expect(request.groupId == capture.group && response.errorCode == 0, "\(label)")
        case let (request as KafkaWire.FindCoordinatorRequest, _ as KafkaWire.FindCoordinatorResponse):
            let keys = header(request.key, request.coordinatorKeys)
            #expect(keys.contains(capture.group), "\(label): \(keys)")
        case let (request as KafkaWire.ListOffsetsRequest, _ as KafkaWire.ListOffsetsResponse):
            #expect(request.topics.map(\.name) == [capture.topic], "\(label)")
        case let (request as KafkaWire.CreateTopicsRequest, response as KafkaWire.CreateTopicsResponse):
            let topic = request.topics.first
            #expect(topic?.name == capture.topic, "\(label)")
            #expect(topic?.configs.contains { $0.name == "retention.ms" && $0.value == "86400000" } == true, "\(label)")
            #expect(response.topics.allSatisfy { $0.errorCode == 0 }, "\(label): \(response.topics.map(\.errorMessage))")
            checked.insert("createTopics")
        case let (request as KafkaWire.DescribeConfigsRequest, response as KafkaWire.DescribeConfigsResponse):
            #expect(request.resources.map(\.resourceName) == [capture.topic], "\(label)")
            #expect(response.results.allSatisfy { $0.errorCode == 0 }, "\(label)")
        case let (request as KafkaWire.DescribeGroupsRequest, response as KafkaWire.DescribeGroupsResponse):
            #expect(request.groups.contains(capture.group), "\(label)")
            #expect(response.groups.contains { $0.groupId == capture.group && $0.errorCode == 0 }, "\(label)")
        case let (request as KafkaWire.MetadataRequest, response as KafkaWire.MetadataResponse):
            if let topics = request.topics, topics.contains(where: { $0.name == capture.topic }) {
                #expect(response.topics.contains { $0.name == capture.topic && $0.errorCode == 0 }, "\(label)")
            }
        default:
            break
        }
    }

    /// A v0–7 single value or a v8+ list, whichever the version carried.
    private func header(_ single: String, _ list: [String]) -> [String] { list.isEmpty ? [single] : list }

    func expectEverythingSeen() {
        var expected: Set<String> = ["produce", "fetch", "commit", "join"]
        if !isKcat { expected.insert("fetchCommitted") }
        if !["kcat", "aiokafka"].contains(capture.client) { expected.insert("createTopics") }
        #expect(checked.isSuperset(of: expected), "\(capture.client): no exchange checked \(expected.subtracting(checked).sorted())")
    }
}
