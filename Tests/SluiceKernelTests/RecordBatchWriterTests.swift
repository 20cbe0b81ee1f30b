import NIOCore
import SluiceKernel
import Testing

@Suite("Record batch writer")
struct RecordBatchWriterTests {
    /// Headerless records with null, empty and long keys and values, and a timestamp
    /// earlier than the first (a negative delta).
    let records = [
        Record(key: Array("k1".utf8), value: Array("hello".utf8), timestamp: 1_700_000_000_000),
        Record(key: nil, value: [], timestamp: 1_700_000_000_005),
        Record(key: [], value: Array(repeating: 0xAB, count: 300), timestamp: 1_699_999_999_990),
        Record(key: Array(repeating: 7, count: 200), value: Array(repeating: 0x5A, count: 70_000), timestamp: 1_700_000_000_001),
    ]

    func written(capacity: Int? = nil) -> RecordBatch {
        let bytes = records.reduce(0) { $0 + ($1.key?.count ?? 0) + $1.value!.count }
        var writer = RecordBatchWriter(capacity: capacity ?? RecordBatchWriter.bytesNeeded(records: records.count, keyAndValueBytes: bytes))
        for record in records {
            writer.append(key: record.key, value: ByteBuffer(bytes: record.value!), timestamp: record.timestamp)
        }
        #expect(writer.recordCount == records.count)
        return writer.finish()
    }

    @Test func headerMatchesTheRecordsAndTheCRCIsValid() throws {
        let batch = written()
        #expect(batch.magic == 2)
        #expect(batch.recordCount == 4)
        #expect(batch.lastOffsetDelta == 3)
        #expect(batch.baseTimestamp == 1_700_000_000_000)
        #expect(batch.maxTimestamp == 1_700_000_000_005)
        #expect(batch.producerId == -1)
        #expect(batch.compression == .none)
        #expect(batch.byteCount == Int(batch.batchLength) + 12)
        try batch.verifyCRC()
        #expect(try RecordBatch.parse(batch.buffer).count == 1)
    }

    @Test func recordsReadBackAsWritten() throws {
        for capacity in [nil, 0, 100] {  // sized exactly, and regrowing from too small
            let decoded = try written(capacity: capacity).records()
            #expect(decoded.map(\.key) == records.map(\.key))
            #expect(decoded.map(\.value) == records.map(\.value))
            #expect(decoded.map(\.timestamp) == records.map(\.timestamp))
            #expect(decoded.map(\.offset) == [0, 1, 2, 3])
            #expect(decoded.allSatisfy { $0.headers.isEmpty })
        }
    }

    @Test func sameBytesAsTheBuilderWhenTheFirstTimestampIsTheSmallest() {
        let ordered = [records[2], records[0], records[1]]
        var writer = RecordBatchWriter(capacity: 0)
        for record in ordered {
            writer.append(key: record.key, value: ByteBuffer(bytes: record.value!), timestamp: record.timestamp)
        }
        #expect(writer.finish().buffer == RecordBatchBuilder().build(ordered).buffer)
    }

    @Test func exactSizeNeedsNoMoreThanBytesNeeded() {
        let batch = written()
        let bytes = records.reduce(0) { $0 + ($1.key?.count ?? 0) + $1.value!.count }
        #expect(batch.byteCount <= RecordBatchWriter.bytesNeeded(records: records.count, keyAndValueBytes: bytes))
    }
}

@Suite("Record views")
struct RecordViewTests {
    let records = [
        Record(key: Array("k1".utf8), value: Array("hello".utf8), headers: [.init(key: "trace", value: [1, 2, 3])], timestamp: 1_700_000_000_000),
        Record(key: nil, value: nil, timestamp: 1_700_000_000_005),
        Record(key: [], value: Array(repeating: 0xAB, count: 300), headers: [.init(key: "n", value: nil), .init(key: "m", value: [])],
               timestamp: 1_699_999_999_990),
    ]

    @Test func viewsReadWhatRecordsRead() throws {
        var batch = RecordBatchBuilder().build(records)
        batch.setBaseOffset(500)
        for stamped in [false, true] {
            if stamped { batch.setLogAppendTime(42) }
            let decoded = try batch.records()
            let views = try batch.recordViews()
            #expect(views.map(\.offset) == decoded.map(\.offset))
            #expect(views.map(\.timestamp) == decoded.map(\.timestamp))
            #expect(views.map { $0.key.map { Array($0.readableBytesView) } } == decoded.map(\.key))
            #expect(views.map { $0.value.map { Array($0.readableBytesView) } } == decoded.map(\.value))
            #expect(views.map(\.headerCount) == [1, 0, 2])
        }
    }

    @Test func aRecordRunningPastTheBatchIsRefused() throws {
        var bytes = RecordBatchBuilder().build(records).buffer
        // The first record's length varint now says -64 (zig-zag 0x7F).
        bytes.setInteger(UInt8(0x7F), at: RecordBatch.headerSize)
        let batch = try #require(try RecordBatch.parse(bytes, verifyCRC: false).first)
        #expect(throws: RecordBatchError.self) { try batch.recordViews() }
        #expect(throws: RecordBatchError.self) { try batch.records() }
    }
}
