import NIOCore

/// One record of an uncompressed batch, read in place: its key and value are slices of
/// the batch's bytes (nothing copied, nothing allocated but the slices' references).
/// Sinks that only move bytes use it instead of `Record`.
public struct RecordView: Sendable {
    /// Absolute offset (the batch's base offset plus the record's delta).
    public var offset: Int64
    /// Milliseconds since the epoch (the batch's LogAppendTime when it has one).
    public var timestamp: Int64
    /// Nil for a null key.
    public var key: ByteBuffer?
    /// Nil for a null value.
    public var value: ByteBuffer?
    /// How many headers the record has (their bytes are skipped, not read).
    public var headerCount: Int
}

extension RecordBatch {
    /// The records of an uncompressed batch as views into its bytes, with their absolute
    /// offsets; compressed batches need `records(decompressing:)`.
    public func recordViews() throws(RecordBatchError) -> [RecordView] {
        guard compression == .none else { throw .unsupportedCompression(compression) }
        var body = buffer.getSlice(at: buffer.readerIndex + Self.headerSize, length: byteCount - Self.headerSize)!
        let count = Int(recordCount)
        let base = baseOffset, baseTime = baseTimestamp
        let appendTime = timestampType == .logAppendTime ? maxTimestamp : nil
        var views: [RecordView] = []
        views.reserveCapacity(max(0, min(count, 1 << 16)))
        for index in 0..<count {
            let frame = try Self.readRecordFrame(&body, index: index)
            var record = frame.record
            let timestampDelta = frame.timestampDelta, offsetDelta = frame.offsetDelta
            let key = try Self.readView(&record, what: "key", index: index)
            let value = try Self.readView(&record, what: "value", index: index)
            guard let headerCount = record.readVarint(), headerCount >= 0, headerCount <= record.readableBytes else {
                throw .malformedRecord("record \(index) header count is invalid")
            }
            for _ in 0..<headerCount {
                guard try Self.readView(&record, what: "header key", index: index) != nil else {
                    throw .malformedRecord("record \(index) has a null header key")
                }
                _ = try Self.readView(&record, what: "header value", index: index)
            }
            // Deltas come from the bytes: wrapping arithmetic, so a hostile batch cannot trap.
            views.append(RecordView(offset: base &+ offsetDelta, timestamp: appendTime ?? baseTime &+ timestampDelta,
                                    key: key, value: value, headerCount: Int(headerCount)))
        }
        return views
    }

    private static func readView(_ buffer: inout ByteBuffer, what: String, index: Int) throws(RecordBatchError) -> ByteBuffer? {
        guard let length = buffer.readVarint() else { throw .malformedRecord("record \(index) \(what) length is incomplete") }
        if length < 0 { return nil }
        guard length <= buffer.readableBytes, let bytes = buffer.readSlice(length: Int(length)) else {
            throw .malformedRecord("record \(index) \(what) runs past the record")
        }
        return bytes
    }
}
