import Foundation
import KafkaWire
import SluiceKernel

/// KIP-951: a partition refused with NOT_LEADER_OR_FOLLOWER (or, in Fetch,
/// FENCED_LEADER_EPOCH) names the leader this broker knows, with its epoch, and the
/// response carries that leader's endpoint, so the client sends there at once instead of
/// first asking for metadata. Produce v10+ and Fetch v16+ carry both (tagged fields, sent
/// only when set); a partition without a known live leader is left as it was.
struct LeaderHints {
    private let view: ClusterView?
    private(set) var endpoints: [Int32: NodeEndpoint] = [:]

    init(context: RequestContext) {
        view = context.observation.clusterView
    }

    /// The live leader of `tp` as this broker knows it, recording its endpoint; nil when
    /// there is none (or no cluster: a single node leads everything it has).
    mutating func leader(of tp: TopicPartition) async -> LeaderIdAndEpoch? {
        guard let view, let state = await view.state(tp), state.leader != PartitionState.noLeader,
              let broker = await view.broker(state.leader) else { return nil }
        if endpoints[broker.id] == nil {
            var endpoint = NodeEndpoint()
            endpoint.nodeId = broker.id
            endpoint.host = broker.host
            endpoint.port = Int32(broker.port)
            endpoint.rack = broker.rack
            endpoints[broker.id] = endpoint
        }
        var leader = LeaderIdAndEpoch()
        leader.leaderId = state.leader
        leader.leaderEpoch = state.leaderEpoch
        return leader
    }

    /// The endpoints recorded, sorted by node id.
    var nodeEndpoints: [NodeEndpoint] { endpoints.values.sorted { $0.nodeId < $1.nodeId } }

    /// Produce v10+: fills the hints of every NOT_LEADER_OR_FOLLOWER partition.
    static func add(to response: inout ProduceResponse, context: RequestContext) async {
        guard context.version >= 10 else { return }
        var hints = LeaderHints(context: context)
        for t in response.responses.indices {
            for p in response.responses[t].partitionResponses.indices
            where response.responses[t].partitionResponses[p].errorCode == KafkaErrorCode.notLeaderOrFollower.rawValue {
                let tp = TopicPartition(response.responses[t].name, response.responses[t].partitionResponses[p].index)
                if let leader = await hints.leader(of: tp) { response.responses[t].partitionResponses[p].currentLeader = leader }
            }
        }
        response.nodeEndpoints = hints.nodeEndpoints
    }

    /// Fetch v16+: fills the hints of every NOT_LEADER_OR_FOLLOWER or FENCED_LEADER_EPOCH
    /// partition (topics named by id are looked up by `names`, called at most once).
    static func add(to response: inout FetchResponse, context: RequestContext,
                    names: () async -> [UUID: String]) async {
        guard context.version >= 16 else { return }
        let hinted: Set<Int16> = [KafkaErrorCode.notLeaderOrFollower.rawValue, KafkaErrorCode.fencedLeaderEpoch.rawValue]
        var hints = LeaderHints(context: context)
        var byId: [UUID: String]?
        for t in response.responses.indices {
            for p in response.responses[t].partitions.indices where hinted.contains(response.responses[t].partitions[p].errorCode) {
                var name = response.responses[t].topic
                if name.isEmpty {
                    if byId == nil { byId = await names() }
                    name = byId?[response.responses[t].topicId] ?? ""
                }
                guard !name.isEmpty else { continue }
                let tp = TopicPartition(name, response.responses[t].partitions[p].partitionIndex)
                if let leader = await hints.leader(of: tp) { response.responses[t].partitions[p].currentLeader = leader }
            }
        }
        response.nodeEndpoints = hints.nodeEndpoints
    }
}
