import ConformanceKit
import Foundation
import SluiceKernel

extension MetadataStoreConformance {
    func reopenKeepsEverything() async throws {
        let topic = TopicRecord(name: "durable", partitionCount: 4, configs: ["retention.ms": "5"], createdAt: referenceDate,
                                replicas: [[1, 2], [2, 1], [1, 2], [2, 1]])
        let offset = CommittedOffset(offset: 77, leaderEpoch: 1, metadata: "m\u{0}ü", commitTime: referenceDate)
        try await withStore { store in
            try await store.createTopic(topic)
            try await store.commitOffsets(group: "durable-group", [TopicPartition("durable", 3): offset])
            try await store.saveGroupState(GroupStateRecord(group: "durable-group", protocolType: "consumer", generation: 9,
                                                            staticMembers: ["pod-0": "pod-0-m1"], updatedAt: referenceDate))
            try await store.setConnectorPositions(connector: "durable-sink", ["durable-3": "77"])
        }
        try await withStore { store in
            let got = try await store.topics().first { $0.name == "durable" }
            try conform(got?.id == topic.id && got?.partitionCount == 4 && got?.configs == topic.configs && got?.replicas == topic.replicas, "the topic must survive a reopen: \(String(describing: got))")
            try conform(sameOffset(try await store.committedOffsets(group: "durable-group")[TopicPartition("durable", 3)], offset),
                        "the committed offset must survive a reopen")
            let state = try await store.groupState("durable-group")
            try conform(state?.generation == 9 && state?.staticMembers == ["pod-0": "pod-0-m1"], "group state must survive a reopen: \(String(describing: state))")
            try conform(try await store.connectorPositions(connector: "durable-sink") == ["durable-3": "77"], "connector positions must survive a reopen")
        }
    }

    func concurrentCommits(_ store: any MetadataStore) async throws {
        try await withThrowingTaskGroup(of: Void.self) { group in
            for g in 0..<8 {
                group.addTask {
                    for i in 0..<20 {
                        try await store.commitOffsets(group: "conc-\(g)", [TopicPartition("t", Int32(i % 4)): CommittedOffset(offset: Int64(i))])
                    }
                }
            }
            try await group.waitForAll()
        }
        for g in 0..<8 {
            let got = try await store.committedOffsets(group: "conc-\(g)")
            try conform(got.count == 4 && got[TopicPartition("t", 3)]?.offset == 19, "group conc-\(g) must hold its last commits, got \(got.mapValues(\.offset))")
        }
    }

    func closedStoreThrows() async throws {
        let store = try await makeStore()
        try await store.close()
        try await conformThrows("using a closed store", { try await store.topics() }) { _ in true }
    }
}
