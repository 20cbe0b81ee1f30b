import NIOCore
import SluiceMemory
import Testing
@testable import SluiceKernel

/// The leader-epoch cache: OffsetForLeaderEpoch answers as Kafka gives them, truncation,
/// and the rebuild from batch headers.
@Suite struct LeaderEpochCacheTests {
    func cache(_ entries: [(Int32, Int64)]) -> LeaderEpochCache {
        var cache = LeaderEpochCache()
        for (epoch, start) in entries { cache.assign(epoch: epoch, startOffset: start) }
        return cache
    }

    @Test func answersLikeKafka() {
        let c = cache([(1, 0), (3, 10), (4, 25)])
        #expect(c.endOffset(for: 4, logEndOffset: 40) == (4, 40))  // the latest: the log end
        #expect(c.endOffset(for: 3, logEndOffset: 40) == (3, 25))
        #expect(c.endOffset(for: 2, logEndOffset: 40) == (1, 10))   // unknown epoch: the one below it
        #expect(c.endOffset(for: 0, logEndOffset: 40) == (0, 0))    // below the first: its start
        #expect(c.endOffset(for: 5, logEndOffset: 40) == (-1, -1))  // above the latest: undefined
        #expect(LeaderEpochCache().endOffset(for: 1, logEndOffset: 9) == (-1, -1))
    }

    @Test func ignoresOlderEpochsAndReplacesAnEmptyEpoch() {
        var c = cache([(2, 5)])
        c.assign(epoch: 1, startOffset: 9)
        c.assign(epoch: -1, startOffset: 9)
        #expect(c.entries == [.init(epoch: 2, startOffset: 5)])
        c.assign(epoch: 3, startOffset: 5)  // epoch 2 wrote nothing
        #expect(c.entries == [.init(epoch: 3, startOffset: 5)])
    }

    @Test func truncationForgetsEpochsStartingAtOrAfterTheOffset() {
        var c = cache([(1, 0), (3, 10), (4, 25)])
        c.truncate(fromEnd: 10)
        #expect(c.entries == [.init(epoch: 1, startOffset: 0)])
    }

    @Test func rebuildFindsEveryEpochStartFromBatchHeaders() async throws {
        let storage = MemoryLogStorage()
        let log = try await storage.open(TopicPartition("t", 0), config: PartitionLogConfig())
        // Batches of 2 records; epochs along the log: 0 ×3, 2 ×1, 7 ×5, 9 ×1 (plus two unstamped).
        var epochs: [Int32] = [-1, -1]
        epochs += [0, 0, 0, 2] + Array(repeating: 7, count: 5) + [9]
        for epoch in epochs {
            var batch = RecordBatchBuilder().build([Record(value: [1], timestamp: 0), Record(value: [2], timestamp: 0)])
            batch.setPartitionLeaderEpoch(epoch)
            _ = try await log.append([batch])
        }
        let rebuilt = try await LeaderEpochCache.rebuild(from: log, logStartOffset: 0, logEndOffset: Int64(epochs.count * 2))
        #expect(rebuilt.entries == [.init(epoch: 0, startOffset: 4), .init(epoch: 2, startOffset: 10),
                                    .init(epoch: 7, startOffset: 12), .init(epoch: 9, startOffset: 22)])
    }
}
