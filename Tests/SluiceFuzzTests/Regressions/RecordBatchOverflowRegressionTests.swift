import NIOCore
import SluiceFuzzEntries
import SluiceKernel
import Testing

/// Record batches whose header or record deltas overflow Int64 when added: each trapped
/// (Swift arithmetic overflow) in `RecordBatch.lastOffset` or the record decoder, which
/// the file sink and the client run on batch bytes. Found by reading the code the
/// record-batch fuzz target drives and confirmed by replaying these inputs through it;
/// the arithmetic now wraps, as Kafka's does. Inputs: Tests/Fuzz/regressions/record-batch.
@Suite struct RecordBatchOverflowRegressionTests {
    @Test func baseOffsetNearInt64MaxNoLongerTrapsInLastOffset() throws {
        let bytes = try FuzzInputs.regression("record-batch", "lastoffset-overflow")
        let outcome = RecordBatchFuzz.run(bytes)
        #expect(outcome.parseError == nil)
        #expect(outcome.batches == 1)
        #expect(outcome.records == 1)
        let batch = try #require(try RecordBatch.parse(ByteBuffer(bytes: bytes)).first)
        #expect(batch.baseOffset == Int64.max)
        #expect(batch.lastOffset == Int64.min + 4)
    }

    @Test func timestampDeltaPastInt64MaxWrapsInsteadOfTrapping() throws {
        let bytes = try FuzzInputs.regression("record-batch", "timestamp-overflow")
        let outcome = RecordBatchFuzz.run(bytes)
        #expect(outcome.parseError == nil)
        #expect(outcome.records == 1)
        let record = try #require(try RecordBatch.parse(ByteBuffer(bytes: bytes)).first?.records().first)
        #expect(record.timestamp == Int64.min)
    }

    @Test func offsetDeltaPastInt64MaxWrapsInsteadOfTrapping() throws {
        let bytes = try FuzzInputs.regression("record-batch", "offset-overflow")
        let outcome = RecordBatchFuzz.run(bytes)
        #expect(outcome.parseError == nil)
        #expect(outcome.records == 1)
        let record = try #require(try RecordBatch.parse(ByteBuffer(bytes: bytes)).first?.records().first)
        #expect(record.offset == Int64.min)
    }
}
