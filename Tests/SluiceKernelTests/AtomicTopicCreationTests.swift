import Foundation
import SluiceKernel
import SluiceMemory
import Testing

/// Storage that runs out of file descriptors after `budget` partition opens, as the segment
/// log does when `open` fails with EMFILE.
actor DescriptorStarvedStorage: LogStorage {
    let inner = MemoryLogStorage()
    var budget: Int
    private var opened: Set<TopicPartition> = []
    nonisolated var defaultLogConfig: PartitionLogConfig { inner.defaultLogConfig }
    nonisolated var defaultRetention: RetentionPolicy { inner.defaultRetention }

    init(budget: Int) { self.budget = budget }

    func setBudget(_ budget: Int) { self.budget = budget }

    func open(_ partition: TopicPartition, config: PartitionLogConfig) async throws -> any PartitionLog {
        guard budget > 0 else { throw StorageError.io(path: "data/\(partition)/0.log", operation: "open", errno: EMFILE) }
        try await Task.sleep(for: .milliseconds(2))   // opening suspends, as file I/O does
        if opened.insert(partition).inserted { budget -= 1 }
        return try await inner.open(partition, config: config)
    }

    func delete(_ partition: TopicPartition) async throws {
        if opened.remove(partition) != nil { budget += 1 }
        try await inner.delete(partition)
    }

    func storedPartitions() async throws -> [TopicPartition] { try await inner.storedPartitions() }
    func close() async throws { try await inner.close() }
}

@Suite struct AtomicTopicCreationTests {
    @Test func aTopicWhosePartitionsCannotAllOpenLeavesNothingBehind() async throws {
        let storage = DescriptorStarvedStorage(budget: 5)
        let metadata = MemoryMetadataStore()
        let broker = try await makeBroker(storage: storage, metadata: metadata)
        let failure = await #expect(throws: BrokerError.self) { try await broker.createTopic("big", partitions: 10) }
        let message = failure.map { "\($0)" } ?? ""
        #expect(message.contains("ran out of file descriptors"), "\(message)")
        #expect(message.contains("nothing of the topic was kept"), "\(message)")
        #expect(await broker.topic(named: "big") == nil)
        #expect(try await metadata.topics().isEmpty)
        #expect(try await storage.storedPartitions().isEmpty)
        #expect(await storage.budget == 5, "every opened partition was closed and deleted")

        // Nothing half-made blocks the name: once descriptors are there, it is created.
        await storage.setBudget(10)
        try await broker.createTopic("big", partitions: 10)
        #expect(try await storage.storedPartitions().count == 10)
    }

    @Test func growingPastTheLimitKeepsTheOldPartitionCount() async throws {
        let storage = DescriptorStarvedStorage(budget: 6)
        let metadata = MemoryMetadataStore()
        let broker = try await makeBroker(storage: storage, metadata: metadata)
        try await broker.createTopic("grow", partitions: 2)
        await #expect(throws: BrokerError.self) { try await broker.createPartitions("grow", total: 10) }
        #expect(await broker.topic(named: "grow")?.partitionCount == 2)
        #expect(try await metadata.topics().first { $0.name == "grow" }?.partitionCount == 2)
        #expect(Set(try await storage.storedPartitions()) == [TopicPartition("grow", 0), TopicPartition("grow", 1)])

        // A second broker over the same storage and registry (a restart) sees the topic as it was.
        let restarted = try await makeBroker(storage: storage, metadata: metadata)
        #expect(await restarted.topic(named: "grow")?.partitionCount == 2)
        #expect(await restarted.startupReport.missingPartitions.isEmpty)
    }

    @Test func concurrentCreatesOfOneNameLeaveOneWholeTopic() async throws {
        let storage = DescriptorStarvedStorage(budget: 100)
        let broker = try await makeBroker(storage: storage)
        let outcomes = await withTaskGroup(of: Bool.self) { group in
            for _ in 0..<2 {
                group.addTask { (try? await broker.createTopic("twice", partitions: 8)) != nil }
            }
            return await group.reduce(into: [Bool]()) { $0.append($1) }
        }
        #expect(outcomes.filter { $0 }.count == 1, "exactly one create succeeds: \(outcomes)")
        #expect(try await storage.storedPartitions().count == 8)
        #expect(await broker.topic(named: "twice")?.partitionCount == 8)
    }

    @Test func producersAutoCreatingOneTopicAtOnceBothSeeIt() async throws {
        let storage = DescriptorStarvedStorage(budget: 100)
        let broker = try await makeBroker({ $0.autoCreateTopics = true; $0.defaultPartitions = 4 }, storage: storage)
        let answers = await withTaskGroup(of: Bool.self) { group in
            for _ in 0..<3 {
                group.addTask {
                    let found = await broker.lookupTopics(["auto"], allowAutoCreate: true)
                    return (try? found.first?.1.get())?.partitionCount == 4
                }
            }
            return await group.reduce(into: [Bool]()) { $0.append($1) }
        }
        #expect(answers == [true, true, true], "every concurrent auto-create finds the topic")
        #expect(try await storage.storedPartitions().count == 4)
    }
}
