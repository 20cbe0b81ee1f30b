import NIOCore
import SluiceKernel
import Testing

@Suite("Record batches")
struct RecordBatchTests {
    let records = [
        Record(key: Array("k1".utf8), value: Array("hello".utf8), headers: [.init(key: "trace", value: [1, 2, 3])], timestamp: 1_700_000_000_000),
        Record(key: nil, value: nil, timestamp: 1_700_000_000_005),
        Record(key: [], value: Array(repeating: 0xAB, count: 300), headers: [.init(key: "n", value: nil)], timestamp: 1_699_999_999_990),
    ]

    @Test func builtBatchHasV2HeaderAndValidCRC() throws {
        let batch = RecordBatchBuilder().build(records)
        #expect(batch.magic == 2)
        #expect(batch.recordCount == 3)
        #expect(batch.lastOffsetDelta == 2)
        #expect(batch.baseTimestamp == 1_699_999_999_990)
        #expect(batch.maxTimestamp == 1_700_000_000_005)
        #expect(batch.producerId == -1)
        #expect(batch.byteCount == Int(batch.batchLength) + 12)
        try batch.verifyCRC()
    }

    @Test func recordsRoundTrip() throws {
        let decoded = try RecordBatchBuilder().build(records).records()
        #expect(decoded.map(\.key) == records.map(\.key))
        #expect(decoded.map(\.value) == records.map(\.value))
        #expect(decoded.map(\.headers) == records.map(\.headers))
        #expect(decoded.map(\.timestamp) == records.map(\.timestamp))
        #expect(decoded.map(\.offset) == [0, 1, 2])
    }

    @Test func baseOffsetAndEpochRewriteKeepCRCValid() throws {
        var batch = RecordBatchBuilder().build(records)
        batch.setBaseOffset(1_000_000)
        batch.setPartitionLeaderEpoch(7)
        #expect(batch.baseOffset == 1_000_000)
        #expect(batch.partitionLeaderEpoch == 7)
        #expect(batch.lastOffset == 1_000_002)
        try batch.verifyCRC()
        #expect(try batch.records().map(\.offset) == [1_000_000, 1_000_001, 1_000_002])
    }

    @Test func logAppendTimeRecomputesCRC() throws {
        var batch = RecordBatchBuilder().build(records)
        batch.setLogAppendTime(42)
        #expect(batch.timestampType == .logAppendTime)
        #expect(batch.maxTimestamp == 42)
        try batch.verifyCRC()
        #expect(try batch.records().allSatisfy { $0.timestamp == 42 })
    }

    @Test func parseSplitsConcatenatedBatches() throws {
        var bytes = ByteBuffer()
        var a = RecordBatchBuilder().build(records).buffer
        var b = RecordBatchBuilder().build([records[0]]).buffer
        bytes.writeBuffer(&a)
        bytes.writeBuffer(&b)
        let batches = try RecordBatch.parse(bytes)
        #expect(batches.map(\.recordCount) == [3, 1])
    }

    @Test func corruptedByteFailsCRC() {
        var buffer = RecordBatchBuilder().build(records).buffer
        let index = buffer.readerIndex + RecordBatch.headerSize + 5
        buffer.setInteger(buffer.getInteger(at: index, as: UInt8.self)! ^ 0xFF, at: index)
        #expect {
            try RecordBatch.parse(buffer)
        } throws: { error in
            if case RecordBatchError.checksumMismatch = error { return true }
            return false
        }
    }

    @Test func truncatedBatchIsRejected() {
        let buffer = RecordBatchBuilder().build(records).buffer
        let cut = buffer.getSlice(at: 0, length: buffer.readableBytes - 1)!
        #expect(throws: RecordBatchError.truncated(needed: buffer.readableBytes, available: buffer.readableBytes - 1)) {
            try RecordBatch.parse(cut)
        }
        #expect(throws: RecordBatchError.truncated(needed: 61, available: 20)) {
            try RecordBatch.parse(buffer.getSlice(at: 0, length: 20)!)
        }
    }

    @Test func oldMagicIsRejected() {
        var buffer = RecordBatchBuilder().build(records).buffer
        buffer.setInteger(Int8(1), at: 16)
        #expect(throws: RecordBatchError.unsupportedMagic(1)) { try RecordBatch.parse(buffer) }
    }

    @Test func oversizedBatchIsRejected() {
        let batch = RecordBatchBuilder().build(records)
        #expect(throws: RecordBatchError.tooLarge(size: batch.byteCount, limit: 100)) {
            try RecordBatch.parse(batch.buffer, maxBatchBytes: 100)
        }
    }

    @Test func impossibleLengthIsRejected() {
        var buffer = RecordBatchBuilder().build(records).buffer
        buffer.setInteger(Int32(10), at: 8)
        #expect(throws: RecordBatchError.invalidLength(10)) { try RecordBatch.parse(buffer) }
    }

    @Test func varintsRoundTrip() {
        var buffer = ByteBuffer()
        let values: [Int64] = [0, 1, -1, 63, -64, 64, 300, -300, Int64(Int32.max), Int64.min, Int64.max]
        for v in values { buffer.writeVarint(v) }
        #expect(values.map { _ in buffer.readVarint() } == values)
        var unsigned = ByteBuffer(bytes: [0x96, 0x01])
        #expect(unsigned.readUnsignedVarint() == 150)
        var endless = ByteBuffer(bytes: [UInt8](repeating: 0xFF, count: 11))
        #expect(endless.readUnsignedVarint() == nil)
    }
}
