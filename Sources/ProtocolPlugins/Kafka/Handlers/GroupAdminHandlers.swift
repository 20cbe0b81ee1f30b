import KafkaWire
import NIOCore
import SluiceKernel

// Group administration (what `kafka-consumer-groups.sh` and admin clients use): list,
// describe, delete groups, delete a group's offsets.

/// ListGroups 0–5. Every group here is a "classic" one (JoinGroup/SyncGroup protocol).
struct ListGroupsHandler: KafkaApiHandler {
    func handle(_ request: ListGroupsRequest, context: RequestContext) async -> ListGroupsResponse? {
        let states = Set(request.statesFilter.map { $0.lowercased() })
        let types = Set(request.typesFilter.map { $0.lowercased() })
        var response = ListGroupsResponse()
        guard types.isEmpty || types.contains("classic") else { return response }
        // Describe on the cluster lists every group; otherwise the groups it may Describe.
        let all = await context.groups.listGroups()
        let visible = await context.authorize(.cluster(.describe))
            ? Set(all.map(\.groupId)) : await context.authorized(.describe, .group, all.map(\.groupId))
        response.groups = all
            .filter { visible.contains($0.groupId) && (states.isEmpty || states.contains($0.state.rawValue.lowercased())) }
            .map { .init(groupId: $0.groupId, protocolType: $0.protocolType, groupState: $0.state.rawValue, groupType: "classic") }
        return response
    }
}

/// DescribeGroups 0–5. As in Kafka, the chosen assignor and the members' subscriptions and
/// assignments are shown only while the group is stable; an unknown group is "Dead".
struct DescribeGroupsHandler: KafkaApiHandler {
    /// READ, DELETE and DESCRIBE: the ACL operations on a group, all allowed without ACLs.
    static let groupOperations: Int32 = [3, 6, 8].reduce(0) { $0 | (1 << $1) }

    func handle(_ request: DescribeGroupsRequest, context: RequestContext) async -> DescribeGroupsResponse? {
        var response = DescribeGroupsResponse()
        let describable = await context.authorized(.describe, .group, request.groups)
        for groupId in request.groups {
            var group = DescribeGroupsResponse.Group()
            group.groupId = groupId
            guard describable.contains(groupId) else {
                group.errorCode = KafkaErrorCode.groupAuthorizationFailed.rawValue
                response.groups.append(group)
                continue
            }
            guard !groupId.isEmpty else {
                group.errorCode = KafkaErrorCode.invalidGroupId.rawValue
                response.groups.append(group)
                continue
            }
            let description = await context.groups.describe(groupId: groupId)
            let stable = description.state == .stable
            group.groupState = description.state.rawValue
            group.protocolType = description.protocolType
            group.protocolData = stable ? description.protocolName : ""
            group.members = description.members.map { member in
                var entry = DescribeGroupsResponse.Member()
                entry.memberId = member.memberId
                entry.groupInstanceId = member.groupInstanceId
                entry.clientId = member.clientId
                entry.clientHost = member.clientHost
                if stable {
                    entry.memberMetadata = ByteBuffer(bytes: member.metadata)
                    entry.memberAssignment = ByteBuffer(bytes: member.assignment)
                }
                return entry
            }
            if request.includeAuthorizedOperations { group.authorizedOperations = Self.groupOperations }
            response.groups.append(group)
        }
        return response
    }
}

/// DeleteGroups 0–2: refused (NON_EMPTY_GROUP) while a group has members.
struct DeleteGroupsHandler: KafkaApiHandler {
    func handle(_ request: DeleteGroupsRequest, context: RequestContext) async -> DeleteGroupsResponse? {
        var response = DeleteGroupsResponse()
        let deletable = await context.authorized(.delete, .group, request.groupsNames)
        for groupId in request.groupsNames {
            guard deletable.contains(groupId) else {
                response.results.append(.init(groupId: groupId, errorCode: KafkaErrorCode.groupAuthorizationFailed.rawValue))
                continue
            }
            let error: GroupError? = groupId.isEmpty ? .invalidGroupId : await context.groups.deleteGroup(groupId)
            response.results.append(.init(groupId: groupId, errorCode: error.kafkaCode))
        }
        return response
    }
}

/// OffsetDelete 0: removes some of a group's committed offsets; refused per partition
/// (GROUP_SUBSCRIBED_TO_TOPIC) while the group has members.
struct OffsetDeleteHandler: KafkaApiHandler {
    func handle(_ request: OffsetDeleteRequest, context: RequestContext) async -> OffsetDeleteResponse? {
        var refused: [TopicPartition: KafkaErrorCode] = [:]
        var partitions: [TopicPartition] = []
        // Delete on the group, Read on each topic (Kafka's rules).
        guard await context.authorize(AuthorizationAction(.delete, .group, request.groupId)) else {
            var response = OffsetDeleteResponse()
            response.errorCode = KafkaErrorCode.groupAuthorizationFailed.rawValue
            return response
        }
        let readable = await context.authorized(.read, .topic, request.topics.map(\.name))
        for topic in request.topics {
            let record = await context.topics.topic(named: topic.name)
            for partition in topic.partitions {
                let tp = TopicPartition(topic.name, partition.partitionIndex)
                if !readable.contains(topic.name) {
                    refused[tp] = .topicAuthorizationFailed
                } else if let record, (0..<record.partitionCount).contains(partition.partitionIndex) {
                    partitions.append(tp)
                } else {
                    refused[tp] = .unknownTopicOrPartition
                }
            }
        }
        var response = OffsetDeleteResponse()
        let error = request.groupId.isEmpty ? .invalidGroupId
            : await context.groups.deleteOffsets(groupId: request.groupId, partitions: partitions)
        switch error {
        case nil, .groupSubscribedToTopic?:
            response.topics = request.topics.map { topic in
                .init(name: topic.name, partitions: topic.partitions.map { partition in
                    let tp = TopicPartition(topic.name, partition.partitionIndex)
                    return .init(partitionIndex: partition.partitionIndex, errorCode: (refused[tp] ?? error?.kafkaErrorCode ?? .none).rawValue)
                })
            }
        case let error?:
            response.errorCode = error.kafkaErrorCode.rawValue
        }
        return response
    }
}
