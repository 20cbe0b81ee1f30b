import SluiceKernel

/// Reads what the admin API, the console and the scrape-time gauges show, through the
/// kernel's read-only `BrokerObservation` and `GroupService` only (never through another
/// plugin, never through storage or metadata).
struct BrokerView: Sendable {
    let observation: any BrokerObservation
    let groupService: any GroupService
    let statusBoard: ServiceStatusBoard?

    /// Every topic, sorted by name, with each partition's offsets and size.
    func topics() async -> [TopicInfo] {
        var result: [TopicInfo] = []
        for record in await observation.topics().sorted(by: { $0.name < $1.name }) {
            var partitions: [PartitionInfo] = []
            for index in 0..<record.partitionCount {
                guard let snapshot = await observation.partitionSnapshot(TopicPartition(record.name, index)) else { continue }
                // A partition whose storage cannot say its size is shown with its known offsets.
                partitions.append(PartitionInfo(partition: index, logStartOffset: snapshot.logStartOffset,
                                                logEndOffset: snapshot.logEndOffset, sizeBytes: snapshot.sizeBytes ?? 0))
            }
            result.append(TopicInfo(name: record.name, partitions: partitions, configs: record.configs))
        }
        return result
    }

    /// Every group with members or committed offsets, sorted by id, with per-partition lag.
    func groups() async -> [GroupInfo] {
        var result: [GroupInfo] = []
        for listed in await groupService.listGroups() {
            let description = await groupService.describe(groupId: listed.groupId)
            let lags = (try? await observation.groupLag(listed.groupId)) ?? []
            result.append(GroupInfo(
                group: listed.groupId, state: listed.state.rawValue,
                members: description.members.map { MemberInfo(memberId: $0.memberId, clientId: $0.clientId, clientHost: $0.clientHost) },
                offsets: lags.map {
                    GroupOffsetInfo(topic: $0.topicPartition.topic, partition: $0.topicPartition.partition,
                                    committed: $0.committed, logEndOffset: $0.logEndOffset, lag: $0.lag)
                }))
        }
        return result
    }

    /// Connectors (with their stored positions) first, then every other service of the
    /// server with its state; empty outside `sluice serve` (no status board).
    func connectors() async -> [ConnectorInfo] {
        guard let statusBoard else { return [] }
        let entries = await statusBoard.all()
        let connectors = entries.filter { $0.kind == .source || $0.kind == .sink }
        let others = entries.filter { $0.kind != .source && $0.kind != .sink }
        var result: [ConnectorInfo] = []
        for entry in connectors + others {
            let isConnector = entry.kind == .source || entry.kind == .sink
            let position = isConnector ? ((try? await observation.connectorPositions(connector: entry.instance)) ?? [:]) : [:]
            result.append(ConnectorInfo(name: entry.instance, plugin: entry.plugin, kind: entry.kind?.rawValue ?? "kernel",
                                        state: entry.state.rawValue, position: position, lastError: entry.lastError))
        }
        return result
    }
}
