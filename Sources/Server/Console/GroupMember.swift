import Foundation
import KafkaWire
import NIOCore
import SluiceKafkaClient

/// A member of a consumer group for `sluice consume --group`: joins with protocol type
/// "consumer" offering the range and roundrobin assignors (standard consumer-protocol
/// bytes, so Java, librdkafka and kafka-python members can share the group), assigns
/// partitions when it is the leader, heartbeats, commits with its generation and leaves
/// on exit. Owned by one task; not shared.
final class GroupMember {
    let options: ClientOptions
    let kafka: KafkaClient
    let group: String
    let topic: String
    /// Milliseconds without a heartbeat before the coordinator drops this member.
    let sessionTimeoutMs: Int32 = 10_000
    /// Milliseconds the coordinator waits for every member to rejoin during a rebalance.
    let rebalanceTimeoutMs: Int32 = 30_000
    private(set) var memberId = ""
    private(set) var generation: Int32 = -1
    private(set) var protocolName = ""
    private var lastHeartbeat = ContinuousClock.now

    init(options: ClientOptions, kafka: KafkaClient, group: String, topic: String) {
        self.options = options
        self.kafka = kafka
        self.group = group
        self.topic = topic
    }

    /// Joins (or rejoins) the group and returns the partitions of `topic` assigned to this member.
    func join() async throws -> [Int32] {
        let deadline = ContinuousClock.now + .seconds(Int64(rebalanceTimeoutMs / 1000) + Int64(options.timeout))
        while true {
            guard ContinuousClock.now < deadline else {
                throw CLIError("could not join group '\(group)' within \(rebalanceTimeoutMs / 1000 + Int32(options.timeout))s (raise --timeout?)")
            }
            var request = JoinGroupRequest()
            request.groupId = group
            request.memberId = memberId
            request.sessionTimeoutMs = sessionTimeoutMs
            request.rebalanceTimeoutMs = rebalanceTimeoutMs
            request.protocolType = "consumer"
            let metadata = ConsumerProtocol.encode(.init(topics: [topic]))
            request.protocols = ConsumerAssignor.allCases.map { .init(name: $0.rawValue, metadata: metadata) }
            let joinRequest = request
            let joined = try await options.bounded("join group", seconds: Double(rebalanceTimeoutMs) / 1000 + options.timeout) { [kafka] in
                try await kafka.send(joinRequest)
            }
            let code = KafkaErrorCode(rawValue: joined.errorCode)
            switch code {
            case .none: break
            case .memberIdRequired:
                memberId = joined.memberId
                continue
            case .unknownMemberId:
                memberId = ""
                continue
            case .rebalanceInProgress, .coordinatorLoadInProgress, .coordinatorNotAvailable, .notCoordinator:
                try await Task.sleep(for: .milliseconds(200))
                continue
            default:
                throw CLIError("join group '\(group)': \(code)")
            }
            memberId = joined.memberId
            generation = joined.generationId
            protocolName = joined.protocolName ?? ""

            var sync = SyncGroupRequest()
            sync.groupId = group
            sync.generationId = generation
            sync.memberId = memberId
            sync.protocolType = "consumer"
            sync.protocolName = joined.protocolName
            if joined.leader == memberId {
                sync.assignments = try await assign(joined)
            }
            let syncRequest = sync
            let synced = try await options.bounded("sync group", seconds: Double(rebalanceTimeoutMs) / 1000 + options.timeout) { [kafka] in
                try await kafka.send(syncRequest)
            }
            switch KafkaErrorCode(rawValue: synced.errorCode) {
            case .none: break
            case .unknownMemberId:
                memberId = ""
                continue
            case .rebalanceInProgress, .illegalGeneration:
                continue
            case let other:
                throw CLIError("sync group '\(group)': \(other)")
            }
            lastHeartbeat = ContinuousClock.now
            let assignment: ConsumerProtocol.Assignment
            do { assignment = try ConsumerProtocol.decodeAssignment(synced.assignment) } catch {
                throw CLIError("group '\(group)': the leader's assignment is unreadable: \(error)")
            }
            return (assignment.partitions[topic] ?? []).sorted()
        }
    }

    /// The leader's job: read every member's subscription and assign with the chosen assignor.
    private func assign(_ joined: JoinGroupResponse) async throws -> [SyncGroupRequest.Assignment] {
        guard let assignor = ConsumerAssignor(rawValue: joined.protocolName ?? "") else {
            throw CLIError("group '\(group)' chose assignor '\(joined.protocolName ?? "")', which sluice does not implement (range, roundrobin)")
        }
        var subscriptions: [String: ConsumerProtocol.Subscription] = [:]
        for member in joined.members {
            do { subscriptions[member.memberId] = try ConsumerProtocol.decodeSubscription(member.metadata) } catch {
                throw CLIError("group '\(group)': member \(member.memberId) sent an unreadable subscription: \(error)")
            }
        }
        let topics = Set(subscriptions.values.flatMap(\.topics)).sorted()
        let metadata = try await options.bounded("metadata") { [kafka] in try await kafka.metadata(topics: topics) }
        var counts: [String: Int32] = [:]
        for entry in metadata.topics where entry.errorCode == 0 {
            if let name = entry.name { counts[name] = Int32(entry.partitions.count) }
        }
        return assignor.assign(members: subscriptions, partitions: counts).sorted { $0.key < $1.key }.map {
            .init(memberId: $0.key, assignment: ConsumerProtocol.encode($0.value))
        }
    }

    /// Sends a heartbeat when one is due (every `sessionTimeoutMs / 3`); returns true when
    /// the group is rebalancing or dropped this member, so it must rejoin.
    func heartbeatIfDue() async throws -> Bool {
        guard ContinuousClock.now - lastHeartbeat >= .milliseconds(Int64(sessionTimeoutMs / 3)) else { return false }
        var request = HeartbeatRequest()
        request.groupId = group
        request.generationId = generation
        request.memberId = memberId
        let heartbeat = request
        let response = try await options.bounded("heartbeat") { [kafka] in try await kafka.send(heartbeat) }
        lastHeartbeat = ContinuousClock.now
        switch KafkaErrorCode(rawValue: response.errorCode) {
        case .none: return false
        case .unknownMemberId:
            memberId = ""
            return true
        case .rebalanceInProgress, .illegalGeneration: return true
        case let other: throw CLIError("heartbeat in group '\(group)': \(other)")
        }
    }

    /// Commits `offsets` of `topic` with this member's generation. Returns false (and says
    /// so on stderr) when the group moved on to a new generation, which discards the commit.
    @discardableResult
    func commit(_ offsets: [Int32: Int64]) async throws -> Bool {
        guard !offsets.isEmpty else { return true }
        var request = OffsetCommitRequest()
        request.groupId = group
        request.generationIdOrMemberEpoch = generation
        request.memberId = memberId
        request.topics = [.init(name: topic, partitions: offsets.sorted { $0.key < $1.key }.map {
            .init(partitionIndex: $0.key, committedOffset: $0.value)
        })]
        let commit = request
        let response = try await options.bounded("commit offsets") { [kafka] in try await kafka.send(commit) }
        for partition in response.topics.flatMap(\.partitions) where partition.errorCode != 0 {
            let code = KafkaErrorCode(rawValue: partition.errorCode)
            if [.rebalanceInProgress, .illegalGeneration, .unknownMemberId].contains(code) {
                printError("commit for group '\(group)' not accepted (\(code)): the group is rebalancing; the next owner resumes from the last commit")
                return false
            }
            throw CLIError("commit offset of \(topic)-\(partition.partitionIndex) for group '\(group)': \(code)")
        }
        return true
    }

    /// Leaves the group so the others rebalance at once instead of after the session timeout.
    func leave() async {
        guard !memberId.isEmpty else { return }
        var request = LeaveGroupRequest()
        request.groupId = group
        request.memberId = memberId
        request.members = [.init(memberId: memberId)]
        let leave = request
        _ = try? await options.bounded("leave group") { [kafka] in try await kafka.send(leave) }
    }
}
