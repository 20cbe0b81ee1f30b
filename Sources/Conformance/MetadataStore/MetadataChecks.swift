import ConformanceKit
import Foundation
import SluiceKernel

extension MetadataStoreConformance {
    func topicRegistry(_ store: any MetadataStore) async throws {
        let a = TopicRecord(name: "reg-b", partitionCount: 3, configs: ["retention.ms": "1000"], createdAt: referenceDate,
                            replicas: [[1, 2], [2, 3], [3, 1]])
        let b = TopicRecord(name: "reg-a", partitionCount: 1, configs: [:], createdAt: referenceDate)
        try await store.createTopic(a)
        try await store.createTopic(b)
        let topics = try await store.topics().filter { $0.name.hasPrefix("reg-") }
        try conform(topics.map(\.name) == ["reg-a", "reg-b"], "topics() must list both, sorted by name, got \(topics.map(\.name))")
        let got = topics[1]
        try conform(got.id == a.id && got.partitionCount == 3 && got.configs == ["retention.ms": "1000"],
                    "topic fields must round-trip: \(got)")
        try conform(got.replicas == [[1, 2], [2, 3], [3, 1]], "the replica assignment must round-trip, got \(got.replicas)")
        try conform(topics[0].replicas.isEmpty, "a topic created without an assignment has none, got \(topics[0].replicas)")
        try conform(sameMillisecond(got.createdAt, a.createdAt), "createdAt must round-trip to the millisecond")
    }

    func duplicateTopic(_ store: any MetadataStore) async throws {
        try await store.createTopic(TopicRecord(name: "dup", partitionCount: 1))
        try await conformThrows("creating a topic twice", { try await store.createTopic(TopicRecord(name: "dup", partitionCount: 2)) }) {
            ($0 as? MetadataError) == .topicExists("dup")
        }
        let dup = try await store.topics().filter { $0.name == "dup" }
        try conform(dup.count == 1 && dup[0].partitionCount == 1, "the original topic must be unchanged")
    }

    func deleteTopic(_ store: any MetadataStore) async throws {
        try await store.createTopic(TopicRecord(name: "del", partitionCount: 2))
        try await store.createTopic(TopicRecord(name: "del-other", partitionCount: 1))
        try await store.commitOffsets(group: "del-group", [
            TopicPartition("del", 0): CommittedOffset(offset: 5), TopicPartition("del-other", 0): CommittedOffset(offset: 7),
        ])
        try await store.deleteTopic(named: "del")
        try conform(try await store.topics().allSatisfy { $0.name != "del" }, "a deleted topic must not be listed")
        let offsets = try await store.committedOffsets(group: "del-group")
        try conform(offsets[TopicPartition("del", 0)] == nil, "deleting a topic removes group offsets for it")
        try conform(offsets[TopicPartition("del-other", 0)]?.offset == 7, "offsets of other topics stay")
        try await conformThrows("deleting an unknown topic", { try await store.deleteTopic(named: "never-was") }) {
            ($0 as? MetadataError) == .unknownTopic("never-was")
        }
    }

    func partitionCount(_ store: any MetadataStore) async throws {
        try await store.createTopic(TopicRecord(name: "grow", partitionCount: 2, replicas: [[1], [2]]))
        let assignment: [[Int32]] = [[1], [2], [1, 2], [2, 1], [1]]
        try await store.setPartitionCount(topic: "grow", count: 5, replicas: assignment)
        let grown = try await store.topics().first { $0.name == "grow" }
        try conform(grown?.partitionCount == 5, "partition count must become 5")
        try conform(grown?.replicas == assignment, "the new replica assignment must be stored, got \(String(describing: grown?.replicas))")
        try await store.createTopic(TopicRecord(name: "grow-single", partitionCount: 1))
        try await store.setPartitionCount(topic: "grow-single", count: 2, replicas: [])
        let single = try await store.topics().first { $0.name == "grow-single" }
        try conform(single?.partitionCount == 2 && single?.replicas == [], "a single-node topic grows without an assignment")
        try await conformThrows("shrinking partitions", { try await store.setPartitionCount(topic: "grow", count: 3, replicas: []) }) {
            if case MetadataError.invalidPartitionCount = $0 { return true }
            return false
        }
        try await conformThrows("growing an unknown topic", { try await store.setPartitionCount(topic: "nope", count: 3, replicas: []) }) {
            ($0 as? MetadataError) == .unknownTopic("nope")
        }
        // Reassignment replaces some partitions' replicas and keeps the others'.
        try await store.setReplicas(topic: "grow", [1: [3, 2], 4: [2, 3, 1]])
        let moved = try await store.topics().first { $0.name == "grow" }
        try conform(moved?.replicas == [[1], [3, 2], [1, 2], [2, 1], [2, 3, 1]] && moved?.partitionCount == 5,
                    "setReplicas must replace only partitions 1 and 4, got \(String(describing: moved?.replicas))")
        try await conformThrows("reassigning a partition the topic lacks", { try await store.setReplicas(topic: "grow", [5: [1]]) }) {
            if case MetadataError.invalidPartitionCount = $0 { return true }
            return false
        }
        try await conformThrows("reassigning an unknown topic", { try await store.setReplicas(topic: "nope", [0: [1]]) }) {
            ($0 as? MetadataError) == .unknownTopic("nope")
        }
    }

    func topicConfigs(_ store: any MetadataStore) async throws {
        try await store.createTopic(TopicRecord(name: "cfg", partitionCount: 1, configs: ["a": "1", "b": "2"]))
        try await store.updateTopicConfigs(topic: "cfg", set: ["a": "10", "b": nil, "c": "3"])
        let configs = try await store.topics().first { $0.name == "cfg" }?.configs
        try conform(configs == ["a": "10", "c": "3"], "configs after update must be a=10, c=3, got \(String(describing: configs))")
        try await conformThrows("configuring an unknown topic", { try await store.updateTopicConfigs(topic: "nope", set: ["a": "1"]) }) {
            ($0 as? MetadataError) == .unknownTopic("nope")
        }
    }

    func committedOffsets(_ store: any MetadataStore) async throws {
        let full = CommittedOffset(offset: 42, leaderEpoch: 3, metadata: "meta", commitTime: referenceDate)
        let bare = CommittedOffset(offset: 0, leaderEpoch: nil, metadata: nil, commitTime: referenceDate)
        var batch: [TopicPartition: CommittedOffset] = [TopicPartition("t", 0): full, TopicPartition("t", 1): bare]
        for p in 2..<100 { batch[TopicPartition("t", Int32(p))] = CommittedOffset(offset: Int64(p), commitTime: referenceDate) }
        try await store.commitOffsets(group: "g1", batch)
        let got = try await store.committedOffsets(group: "g1")
        try conform(got.count == 100, "a 100-partition commit must store 100 offsets, got \(got.count)")
        try conform(sameOffset(got[TopicPartition("t", 0)], full), "offset, epoch, metadata and time must round-trip: \(String(describing: got[TopicPartition("t", 0)]))")
        try conform(sameOffset(got[TopicPartition("t", 1)], bare), "nil epoch and metadata must stay nil")
        try await store.commitOffsets(group: "g1", [TopicPartition("t", 0): CommittedOffset(offset: 50, commitTime: referenceDate)])
        try conform(try await store.committedOffsets(group: "g1")[TopicPartition("t", 0)]?.offset == 50, "a later commit overwrites")
        try conform(try await store.committedOffsets(group: "nobody").isEmpty, "an unknown group has no offsets")
    }

    /// Commit metadata is opaque application state (Kafka Streams, Flink and Spark keep
    /// theirs there): every string must come back byte for byte, including a NUL, which
    /// librdkafka appends to what it sends (the reopen check repeats this across a reopen).
    func commitMetadataExact(_ store: any MetadataStore) async throws {
        let values: [String?] = [nil, "", "Hello", "Hello\u{0}", "a\u{0}b\u{0}", "ünïcødé ✓ 日本 🚀",
                                 String(repeating: "0123456789abcdef", count: 256)]
        var batch: [TopicPartition: CommittedOffset] = [:]
        for (index, value) in values.enumerated() {
            batch[TopicPartition("md", Int32(index))] = CommittedOffset(offset: Int64(index), metadata: value, commitTime: referenceDate)
        }
        try await store.commitOffsets(group: "exact", batch)
        let got = try await store.committedOffsets(group: "exact")
        for (index, value) in values.enumerated() {
            let back = got[TopicPartition("md", Int32(index))]?.metadata
            try conform(back == value && back?.utf8.count == value?.utf8.count,
                        "metadata \(String(reflecting: value)) must come back unchanged, got \(String(reflecting: back))")
        }
    }

    func groupsIsolated(_ store: any MetadataStore) async throws {
        try await store.commitOffsets(group: "iso-a", [TopicPartition("t", 0): CommittedOffset(offset: 1)])
        try await store.commitOffsets(group: "iso-b", [TopicPartition("t", 0): CommittedOffset(offset: 2)])
        try conform(try await store.committedOffsets(group: "iso-a")[TopicPartition("t", 0)]?.offset == 1, "group iso-a keeps its own offset")
        try conform(try await store.committedOffsets(group: "iso-b")[TopicPartition("t", 0)]?.offset == 2, "group iso-b keeps its own offset")
        let groups = try await store.groups().filter { $0.hasPrefix("iso-") }
        try conform(groups == ["iso-a", "iso-b"], "groups() must list both, sorted, got \(groups)")
    }

    func deleteOffsetsAndGroups(_ store: any MetadataStore) async throws {
        try await store.commitOffsets(group: "gone", [TopicPartition("t", 0): CommittedOffset(offset: 1), TopicPartition("t", 1): CommittedOffset(offset: 2)])
        try await store.deleteOffsets(group: "gone", partitions: [TopicPartition("t", 0)])
        let left = try await store.committedOffsets(group: "gone")
        try conform(left.keys.sorted() == [TopicPartition("t", 1)], "deleteOffsets removes only the named partitions, left \(left.keys.sorted())")
        try await store.saveGroupState(GroupStateRecord(group: "gone", protocolType: "consumer", generation: 4))
        try await store.deleteGroup("gone")
        try conform(try await store.committedOffsets(group: "gone").isEmpty, "deleteGroup removes offsets")
        try conform(try await store.groupState("gone") == nil, "deleteGroup removes stored state")
        try conform(!(try await store.groups().contains("gone")), "a deleted group is not listed")
    }

    func groupState(_ store: any MetadataStore) async throws {
        let state = GroupStateRecord(group: "state", protocolType: "consumer", generation: 7, updatedAt: referenceDate)
        try await store.saveGroupState(state)
        let got = try await store.groupState("state")
        try conform(got?.protocolType == "consumer" && got?.generation == 7, "group state must round-trip: \(String(describing: got))")
        try await store.saveGroupState(GroupStateRecord(group: "state", protocolType: nil, generation: 8, updatedAt: referenceDate))
        let updated = try await store.groupState("state")
        try conform(updated?.generation == 8 && updated?.protocolType == nil, "a later save replaces the state: \(String(describing: updated))")
        // A static member's replacement must be durable (KIP-345): the store keeps which
        // member id holds each instance id, and a later save replaces the whole map.
        try await store.saveGroupState(GroupStateRecord(group: "state", protocolType: "consumer", generation: 8,
                                                        staticMembers: ["pod-a": "pod-a-1", "pod-b": "pod-b-1"], updatedAt: referenceDate))
        try await store.saveGroupState(GroupStateRecord(group: "state", protocolType: "consumer", generation: 8,
                                                        staticMembers: ["pod-a": "pod-a-2"], updatedAt: referenceDate))
        let replaced = try await store.groupState("state")?.staticMembers
        try conform(replaced == ["pod-a": "pod-a-2"], "static members must round-trip and be replaced by a later save: \(String(describing: replaced))")
        try conform(try await store.groups().contains("state"), "a group with stored state is listed")
        try conform(try await store.groupState("no-state") == nil, "an unknown group has no state")
    }

    func connectorPositions(_ store: any MetadataStore) async throws {
        try await store.setConnectorPositions(connector: "sink", ["logs-0": "10", "logs-1": "20"])
        try await store.setConnectorPositions(connector: "sink", ["logs-1": "25", "logs-2": "5"])
        try await store.setConnectorPositions(connector: "other", ["logs-0": "99"])
        let got = try await store.connectorPositions(connector: "sink")
        try conform(got == ["logs-0": "10", "logs-1": "25", "logs-2": "5"], "positions merge by key per connector, got \(got)")
        try conform(try await store.connectorPositions(connector: "none").isEmpty, "an unknown connector has no positions")
    }
}
