import KafkaWire
import NIOCore
import SluiceKernel

// The classic group protocol's membership APIs, mapped onto `broker.groups`. JoinGroup
// and SyncGroup wait until the rebalance step completes; the server answers each
// connection's requests in order on that connection's own task, so a waiting member
// holds up only its own connection (as in Kafka, whose clients expect exactly that).
// Each needs Read on the group (GROUP_AUTHORIZATION_FAILED otherwise), as in Kafka.

/// JoinGroup 0–9. v4+ makes a new member fetch its id first (MEMBER_ID_REQUIRED, KIP-394)
/// so that a client that gives up mid-join leaves no phantom member behind.
struct JoinGroupHandler: KafkaApiHandler {
    func handle(_ request: JoinGroupRequest, context: RequestContext) async -> JoinGroupResponse? {
        guard await context.authorize(AuthorizationAction(.read, .group, request.groupId)) else {
            var response = JoinGroupResponse()
            response.errorCode = KafkaErrorCode.groupAuthorizationFailed.rawValue
            return response
        }
        if let reason = request.reason {
            context.logger.debug("member joining", metadata: ["group": "\(request.groupId)", "reason": "\(reason)"])
        }
        let join = SluiceKernel.JoinGroupRequest(
            groupId: request.groupId, memberId: request.memberId, groupInstanceId: request.groupInstanceId,
            clientId: context.header.clientId ?? "", clientHost: context.clientHost,
            sessionTimeoutMs: request.sessionTimeoutMs,
            // v0 has no rebalance timeout: the session timeout stands in for it, as in Kafka.
            rebalanceTimeoutMs: context.version == 0 || request.rebalanceTimeoutMs < 0 ? request.sessionTimeoutMs : request.rebalanceTimeoutMs,
            protocolType: request.protocolType,
            protocols: request.protocols.map { ($0.name, Array($0.metadata.readableBytesView)) },
            requireKnownMemberId: context.version >= 4)
        let result = await context.groups.join(join)
        var response = JoinGroupResponse()
        response.errorCode = result.error.kafkaCode
        response.generationId = result.generationId
        response.protocolType = result.protocolType
        response.protocolName = result.protocolName
        response.leader = result.leader
        response.memberId = result.memberId
        response.members = result.members.map { member in
            var entry = JoinGroupResponse.Member()
            entry.memberId = member.memberId
            entry.groupInstanceId = member.groupInstanceId
            entry.metadata = ByteBuffer(bytes: member.metadata)
            return entry
        }
        return response
    }
}

/// SyncGroup 0–5: the leader hands in the assignments; every member gets its own.
struct SyncGroupHandler: KafkaApiHandler {
    func handle(_ request: SyncGroupRequest, context: RequestContext) async -> SyncGroupResponse? {
        guard await context.authorize(AuthorizationAction(.read, .group, request.groupId)) else {
            var response = SyncGroupResponse()
            response.errorCode = KafkaErrorCode.groupAuthorizationFailed.rawValue
            return response
        }
        let assignments = Dictionary(request.assignments.map { ($0.memberId, Array($0.assignment.readableBytesView)) },
                                     uniquingKeysWith: { _, last in last })
        let result = await context.groups.sync(
            groupId: request.groupId, generationId: request.generationId, memberId: request.memberId,
            groupInstanceId: request.groupInstanceId, protocolType: request.protocolType,
            protocolName: request.protocolName, assignments: assignments)
        var response = SyncGroupResponse()
        response.errorCode = result.error.kafkaCode
        response.protocolType = result.protocolType
        response.protocolName = result.protocolName
        response.assignment = ByteBuffer(bytes: result.assignment)
        return response
    }
}

/// Heartbeat 0–4: REBALANCE_IN_PROGRESS tells a member to rejoin.
struct HeartbeatHandler: KafkaApiHandler {
    func handle(_ request: HeartbeatRequest, context: RequestContext) async -> HeartbeatResponse? {
        guard await context.authorize(AuthorizationAction(.read, .group, request.groupId)) else {
            var response = HeartbeatResponse()
            response.errorCode = KafkaErrorCode.groupAuthorizationFailed.rawValue
            return response
        }
        let error = await context.groups.heartbeat(
            groupId: request.groupId, generationId: request.generationId, memberId: request.memberId,
            groupInstanceId: request.groupInstanceId)
        var response = HeartbeatResponse()
        response.errorCode = error.kafkaCode
        return response
    }
}

/// LeaveGroup 0–5: one member (v0–2) or a batch by member id and/or instance id (v3+).
struct LeaveGroupHandler: KafkaApiHandler {
    func handle(_ request: LeaveGroupRequest, context: RequestContext) async -> LeaveGroupResponse? {
        guard await context.authorize(AuthorizationAction(.read, .group, request.groupId)) else {
            var response = LeaveGroupResponse()
            response.errorCode = KafkaErrorCode.groupAuthorizationFailed.rawValue
            return response
        }
        let leaving: [(memberId: String, groupInstanceId: String?)] = context.version < 3
            ? [(request.memberId, nil)]
            : request.members.map { ($0.memberId, $0.groupInstanceId) }
        for member in request.members where member.reason != nil {
            context.logger.debug("member leaving", metadata: [
                "group": "\(request.groupId)", "member": "\(member.memberId)", "reason": "\(member.reason ?? "")",
            ])
        }
        let errors = await context.groups.leave(groupId: request.groupId, members: leaving)
        var response = LeaveGroupResponse()
        if context.version < 3 {
            response.errorCode = errors.first.flatMap { $0 }.kafkaCode
        } else {
            response.members = zip(leaving, errors).map { member, error in
                var entry = LeaveGroupResponse.Member()
                entry.memberId = member.memberId
                entry.groupInstanceId = member.groupInstanceId
                entry.errorCode = error.kafkaCode
                return entry
            }
        }
        return response
    }
}
