import NIOCore
import SluiceCompression
import SluiceKernel
import Testing

@Suite("the log cleaner compacts compressed batches through CompressionBatchCodec")
struct CompactionCodecTests {
    func record(_ key: String, _ offset: Int) -> Record {
        Record(key: Array(key.utf8), value: Array("\(key)@\(offset)".utf8), timestamp: 1_700_000_000_000 + Int64(offset))
    }

    @Test(arguments: [RecordBatch.Compression.gzip, .snappy, .lz4, .zstd])
    func aPartlySupersededBatchIsRewrittenWithItsCodec(codec: RecordBatch.Compression) throws {
        var first = try RecordBatchBuilder().build([record("a", 0), record("b", 1), record("c", 2)], compression: codec)
        first.setBaseOffset(0)
        var second = try RecordBatchBuilder().build([record("a", 3)], compression: codec)
        second.setBaseOffset(3)
        let policy = CompactionPolicy(minCleanableDirtyRatio: 0, codec: CompressionBatchCodec())
        var map = CompactionOffsetMap(memoryBytes: 4096)
        #expect(try BatchCompactor.mapKeys(of: first, into: &map, codec: policy.codec))
        #expect(try BatchCompactor.mapKeys(of: second, into: &map, codec: policy.codec))
        let outcome = try BatchCompactor.compact(first, map: map, mappedEnd: 4, nowMs: 1_800_000_000_000, policy: policy,
                                                 isProducersLastBatch: false)
        let rewritten = try #require(outcome.batch)
        #expect(rewritten.compression == codec && rewritten.baseOffset == 0 && rewritten.lastOffset == 2 && rewritten.recordCount == 2)
        #expect((try? rewritten.verifyCRC()) != nil, "the rewritten batch must pass its CRC-32C")
        let records = try rewritten.decompressedRecords()
        #expect(records.map(\.offset) == [1, 2] && records.map { String(decoding: $0.value ?? [], as: UTF8.self) } == ["b@1", "c@2"])
        #expect(records.map(\.timestamp) == [1_700_000_000_001, 1_700_000_000_002])
        let kept = try BatchCompactor.compact(second, map: map, mappedEnd: 4, nowMs: 1_800_000_000_000, policy: policy, isProducersLastBatch: false)
        #expect(!kept.rewritten, "a batch with nothing to remove keeps its bytes")
    }
}
