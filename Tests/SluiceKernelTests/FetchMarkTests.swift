import Foundation
import NIOCore
import SluiceKernel
import SluiceMemory
import Testing

/// Fetch marks (`PartitionFetchMark`): a consumer read that found nothing leaves a mark
/// that holds (one atomic load, no hop) until the partition changes in any way a fetch
/// answer carries. A fetch session checks its partitions' marks itself and asks the kernel
/// only for those whose marks no longer hold.
@Suite("Fetch marks")
struct FetchMarkTests {
    static func fetch(_ broker: Broker, _ specs: [FetchRequest.PartitionSpec], maxWait: Duration = .zero,
                      minBytes: Int = 0) async -> [FetchPartitionResult] {
        await broker.fetch(FetchRequest(partitions: specs, maxWait: maxWait, minBytes: minBytes, maxBytes: 1 << 20))
    }

    static func specs(_ topic: String, _ offsets: [Int64]) -> [FetchRequest.PartitionSpec] {
        offsets.enumerated().map { index, offset in .init(TopicPartition(topic, Int32(index)), offset: offset, maxBytes: 1 << 20) }
    }

    /// For each result, whether its mark still holds for a read from `offsets[i]`.
    static func holding(_ results: [FetchPartitionResult], _ offsets: [Int64]) -> [Bool] {
        zip(results, offsets).map { result, offset in
            result.mark?.holds(offset: offset, currentLeaderEpoch: -1, readCommitted: false) == true
        }
    }

    @Test func aQuietPartitionsMarkHoldsUntilItChanges() async throws {
        let broker = try await makeBroker()
        try await broker.createTopic("m", partitions: 4)
        _ = try await broker.produce(to: TopicPartition("m", 0), bytes: batchBytes(["a", "b"]))
        // Read p0 up to its end; p1–p3 are empty: every read finds nothing and leaves a mark.
        let first = await Self.fetch(broker, Self.specs("m", [2, 0, 0, 0]))
        #expect(first.allSatisfy { $0.mark != nil })
        #expect(Self.holding(first, [2, 0, 0, 0]) == [true, true, true, true])
        #expect(first[0].highWatermark == 2 && first[0].logStartOffset == 0)

        // New records on p1; the log start of p0 moves (DeleteRecords); nothing else.
        _ = try await broker.produce(to: TopicPartition("m", 1), bytes: batchBytes(["c"]))
        #expect(try await broker.deleteRecords(TopicPartition("m", 0), before: 1) == 1)
        #expect(Self.holding(first, [2, 0, 0, 0]) == [false, false, true, true])
        let moved = await Self.fetch(broker, Self.specs("m", [2, 0, 0, 0]))
        #expect(moved[0].logStartOffset == 1 && moved[0].highWatermark == 2 && moved[0].mark != nil)
        #expect(try values(moved[1]) == ["c"])
        #expect(moved[1].mark == nil, "a read that returned records leaves no mark")

        // A mark holds only for the offset it was read at.
        #expect(Self.holding(moved, [1, 0, 0, 0]) == [false, false, true, true])
        let elsewhere = await Self.fetch(broker, Self.specs("m", [1, 0, 0, 0]))
        #expect(try values(elsewhere[0]) == ["a", "b"], "the whole batch holding offset 1")
    }

    @Test func aReadCutShortByMaxBytesLeavesNoMark() async throws {
        let broker = try await makeBroker()
        try await broker.createTopic("cut", partitions: 2)
        for partition in Int32(0)..<2 {
            _ = try await broker.produce(to: TopicPartition("cut", partition), bytes: batchBytes(["x", "y"]))
        }
        // p0 takes the one batch a fetch returns whatever its size; p1 gets no bytes.
        let results = await broker.fetch(FetchRequest(partitions: Self.specs("cut", [0, 0]), maxWait: .zero,
                                                      minBytes: 0, maxBytes: 1))
        #expect(try values(results[0]) == ["x", "y"])
        #expect(try results[1].result.get().payload.byteCount == 0)
        #expect(results[1].highWatermark == 2)
        #expect(results[1].mark == nil, "p1 has records below its high watermark: not quiet")
    }

    @Test func aDeletedTopicsMarksNoLongerHold() async throws {
        let broker = try await makeBroker()
        try await broker.createTopic("gone", partitions: 2)
        let first = await Self.fetch(broker, Self.specs("gone", [0, 0]))
        #expect(Self.holding(first, [0, 0]) == [true, true])
        try await broker.deleteTopic("gone")
        #expect(Self.holding(first, [0, 0]) == [false, false])
        #expect(first.allSatisfy { $0.mark?.isCurrent == false })
        let after = await Self.fetch(broker, Self.specs("gone", [0, 0]))
        #expect(throws: BrokerError.unknownTopicOrPartition("gone", 0)) { try after[0].result.get() }
        // Created again under the same name: the old marks still do not hold.
        try await broker.createTopic("gone", partitions: 2)
        _ = try await broker.produce(to: TopicPartition("gone", 1), bytes: batchBytes(["new"]))
        #expect(Self.holding(first, [0, 0]) == [false, false])
        let again = await Self.fetch(broker, Self.specs("gone", [0, 0]))
        #expect(try values(again[1]) == ["new"])
    }

    /// The wait may last an hour; only the append to one of its partitions can end it.
    @Test(.timeLimit(.minutes(2))) func aLongPollOverManyPartitionsWakesWhenAnyOfThemGetsData() async throws {
        let broker = try await makeBroker()
        try await broker.createTopic("wait", partitions: 8)
        try await broker.createTopic("other")
        async let woken = Self.fetch(broker, Self.specs("wait", Array(repeating: 0, count: 8)), maxWait: .seconds(3600), minBytes: 1)
        try await Task.sleep(for: .milliseconds(100))
        // A change elsewhere does not end it.
        _ = try await broker.produce(to: TopicPartition("other", 0), bytes: batchBytes(["elsewhere"]))
        try await Task.sleep(for: .milliseconds(100))
        _ = try await broker.produce(to: TopicPartition("wait", 5), bytes: batchBytes(["late"]))
        let results = await woken
        #expect(try results.map { try $0.result.get().payload.byteCount > 0 } == [false, false, false, false, false, true, false, false])
        #expect(try values(results[5]) == ["late"])
    }

    @Test func aLongPollEndsAtMaxWaitWithNothingAndItsMarksHold() async throws {
        let broker = try await makeBroker()
        try await broker.createTopic("idle", partitions: 3)
        let results = await Self.fetch(broker, Self.specs("idle", [0, 0, 0]), maxWait: .milliseconds(100), minBytes: 1)
        #expect(try results.allSatisfy { try $0.result.get().payload.byteCount == 0 })
        #expect(Self.holding(results, [0, 0, 0]) == [true, true, true])
    }

    /// What a fetch session uses: a mark checked in place (`holds`, `isCurrent`), and one
    /// wait on the broker's change generation for all its partitions.
    @Test(.timeLimit(.minutes(2))) func aWaitForFetchChangesEndsOnAnyPartitionChangeOrAtItsDeadline() async throws {
        let broker = try await makeBroker()
        try await broker.createTopic("g", partitions: 2)
        let first = await Self.fetch(broker, Self.specs("g", [0, 0]))
        let mark = try #require(first[1].mark)
        #expect(mark.holds(offset: 0, currentLeaderEpoch: -1, readCommitted: false) && mark.isCurrent)
        #expect(!mark.holds(offset: 1, currentLeaderEpoch: -1, readCommitted: false), "a mark holds only for the read it was made by")
        #expect(!mark.holds(offset: 0, currentLeaderEpoch: 3, readCommitted: false))
        // Nothing changes: the wait ends at its deadline, the generation where it was.
        let seen = broker.fetchChangeGeneration
        await broker.waitForFetchChanges(after: seen, until: .now + .milliseconds(50))
        #expect(broker.fetchChangeGeneration == seen && mark.isCurrent)
        // A wait of an hour ends when a partition gets records; then the mark no longer holds.
        async let waited: Void = broker.waitForFetchChanges(after: seen, until: .now + .seconds(3600))
        try await Task.sleep(for: .milliseconds(100))
        _ = try await broker.produce(to: TopicPartition("g", 1), bytes: batchBytes(["x"]))
        await waited
        #expect(broker.fetchChangeGeneration != seen)
        #expect(!mark.isCurrent && !mark.holds(offset: 0, currentLeaderEpoch: -1, readCommitted: false))
        // A wait after a generation already passed returns at once.
        await broker.waitForFetchChanges(after: seen, until: .now + .seconds(3600))
    }
}
