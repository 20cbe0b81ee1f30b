import NIOCore

/// Encodes records into an uncompressed v2 batch. Connectors and tests build batches
/// through this instead of through any wire plugin (DESIGN.md).
public struct RecordBatchBuilder: Sendable {
    /// Producer id for idempotent batches; -1 when none.
    public var producerId: Int64 = -1
    public var producerEpoch: Int16 = -1
    public var baseSequence: Int32 = -1
    /// Sets the transactional attribute bit (0x10).
    public var isTransactional = false
    /// Sets the control attribute bit (0x20): the records are transaction markers.
    public var isControl = false

    public init() {}

    /// A batch holding `records` (offsets are assigned relative to 0; the log sets the
    /// base offset). `records` must not be empty.
    public func build(_ records: [Record]) -> RecordBatch {
        precondition(!records.isEmpty, "a record batch holds at least one record")
        let baseTimestamp = records.map(\.timestamp).min()!
        let maxTimestamp = records.map(\.timestamp).max()!
        var buffer = ByteBufferAllocator().buffer(capacity: RecordBatch.headerSize + records.count * 32)
        buffer.writeInteger(Int64(0))                        // baseOffset
        buffer.writeInteger(Int32(0))                        // batchLength, patched below
        buffer.writeInteger(Int32(-1))                       // partitionLeaderEpoch
        buffer.writeInteger(Int8(2))                         // magic
        buffer.writeInteger(UInt32(0))                       // crc, patched below
        buffer.writeInteger(Int16((isTransactional ? 0x10 : 0) | (isControl ? 0x20 : 0)))  // attributes
        buffer.writeInteger(Int32(records.count - 1))        // lastOffsetDelta
        buffer.writeInteger(baseTimestamp)
        buffer.writeInteger(maxTimestamp)
        buffer.writeInteger(producerId)
        buffer.writeInteger(producerEpoch)
        buffer.writeInteger(baseSequence)
        buffer.writeInteger(Int32(records.count))
        var body = ByteBufferAllocator().buffer(capacity: 64)
        for (delta, record) in records.enumerated() {
            body.clear()
            body.writeInteger(Int8(0))                       // record attributes
            body.writeVarint(record.timestamp - baseTimestamp)
            body.writeVarint(Int64(delta))
            Self.writeBytes(record.key, to: &body)
            Self.writeBytes(record.value, to: &body)
            body.writeVarint(Int64(record.headers.count))
            for header in record.headers {
                Self.writeBytes(Array(header.key.utf8), to: &body)
                Self.writeBytes(header.value, to: &body)
            }
            buffer.writeVarint(Int64(body.readableBytes))
            buffer.writeBuffer(&body)
        }
        buffer.setInteger(Int32(buffer.readableBytes - RecordBatch.lengthPrefixSize), at: 8)
        var batch = RecordBatch(unchecked: buffer)
        buffer.setInteger(batch.computeCRC(), at: RecordBatch.crcOffset)
        batch = RecordBatch(unchecked: buffer)
        return batch
    }

    private static func writeBytes(_ bytes: [UInt8]?, to buffer: inout ByteBuffer) {
        guard let bytes else {
            buffer.writeVarint(-1)
            return
        }
        buffer.writeVarint(Int64(bytes.count))
        buffer.writeBytes(bytes)
    }
}

extension RecordBatch {
    /// Decodes the records of an uncompressed batch, with their absolute offsets.
    /// Compressed batches need a decompressor (`records(decompressing:)`).
    public func records() throws(RecordBatchError) -> [Record] {
        guard compression == .none else { throw .unsupportedCompression(compression) }
        var body = buffer.getSlice(at: buffer.readerIndex + Self.headerSize, length: byteCount - Self.headerSize)!
        return try Self.decodeRecords(&body, count: Int(recordCount), baseOffset: baseOffset, baseTimestamp: baseTimestamp,
                                      logAppendTime: timestampType == .logAppendTime ? maxTimestamp : nil)
    }

    /// Decodes records from a compressed batch using `decompress`, which turns the bytes
    /// after the header into the uncompressed record bytes.
    public func records(decompressing decompress: (Compression, ByteBuffer) throws -> ByteBuffer) throws -> [Record] {
        if compression == .none { return try records() }
        let compressed = buffer.getSlice(at: buffer.readerIndex + Self.headerSize, length: byteCount - Self.headerSize)!
        var body = try decompress(compression, compressed)
        return try Self.decodeRecords(&body, count: Int(recordCount), baseOffset: baseOffset, baseTimestamp: baseTimestamp,
                                      logAppendTime: timestampType == .logAppendTime ? maxTimestamp : nil)
    }

    static func decodeRecords(_ body: inout ByteBuffer, count: Int, baseOffset: Int64, baseTimestamp: Int64,
                              logAppendTime: Int64?) throws(RecordBatchError) -> [Record] {
        var records: [Record] = []
        records.reserveCapacity(max(0, min(count, 1 << 16)))
        for index in 0..<count {
            let frame = try Self.readRecordFrame(&body, index: index)
            var record = frame.record
            let timestampDelta = frame.timestampDelta, offsetDelta = frame.offsetDelta
            let key = try readBytes(&record, what: "key", index: index)
            let value = try readBytes(&record, what: "value", index: index)
            guard let headerCount = record.readVarint(), headerCount >= 0, headerCount <= record.readableBytes else {
                throw .malformedRecord("record \(index) header count is invalid")
            }
            var headers: [Record.Header] = []
            for _ in 0..<headerCount {
                guard let keyBytes = try readBytes(&record, what: "header key", index: index) else {
                    throw .malformedRecord("record \(index) has a null header key")
                }
                let headerValue = try readBytes(&record, what: "header value", index: index)
                headers.append(.init(key: String(decoding: keyBytes, as: UTF8.self), value: headerValue))
            }
            // Deltas come from the bytes: wrapping arithmetic, so a hostile batch cannot trap.
            records.append(Record(key: key, value: value, headers: headers,
                                  timestamp: logAppendTime ?? baseTimestamp &+ timestampDelta,
                                  offset: baseOffset &+ offsetDelta))
        }
        return records
    }

    /// The next record of a batch body: its bytes after the attributes and the two deltas,
    /// which are returned (the caller reads key, value and headers from the rest).
    static func readRecordFrame(_ body: inout ByteBuffer, index: Int) throws(RecordBatchError)
        -> (record: ByteBuffer, timestampDelta: Int64, offsetDelta: Int64) {
        guard let length = body.readVarint(), length >= 0, var record = body.readSlice(length: Int(length)) else {
            throw .malformedRecord("record \(index) length runs past the batch")
        }
        guard let _: Int8 = record.readInteger(),
              let timestampDelta = record.readVarint(),
              let offsetDelta = record.readVarint() else {
            throw .malformedRecord("record \(index) header is incomplete")
        }
        return (record, timestampDelta, offsetDelta)
    }

    private static func readBytes(_ buffer: inout ByteBuffer, what: String, index: Int) throws(RecordBatchError) -> [UInt8]? {
        guard let length = buffer.readVarint() else { throw .malformedRecord("record \(index) \(what) length is incomplete") }
        if length < 0 { return nil }
        guard let bytes = buffer.readBytes(length: Int(length)) else {
            throw .malformedRecord("record \(index) \(what) runs past the record")
        }
        return bytes
    }
}
