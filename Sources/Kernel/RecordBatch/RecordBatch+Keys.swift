import NIOCore

extension RecordBatch {
    /// The indexes (0-based, within this batch) of the records whose key is null, as a
    /// compacted topic must refuse them. Only each record's length, attributes, deltas
    /// and key length are read; values and headers are skipped.
    /// - Parameter decompress: needed for compressed batches; without one a compressed
    ///   batch throws `unsupportedCompression`.
    public func recordIndexesWithoutKey(decompressing codec: (any RecordBatchCodec)? = nil) throws -> [Int32] {
        let stored = buffer.getSlice(at: buffer.readerIndex + Self.headerSize, length: byteCount - Self.headerSize)!
        var body: ByteBuffer
        if compression == .none {
            body = stored
        } else {
            guard let codec else { throw RecordBatchError.unsupportedCompression(compression) }
            body = try codec.decompress(compression, stored)
        }
        var missing: [Int32] = []
        for index in 0..<max(0, Int(recordCount)) {
            guard let length = body.readVarint(), length >= 0, var record = body.readSlice(length: Int(length)) else {
                throw RecordBatchError.malformedRecord("record \(index) length runs past the batch")
            }
            guard let _: Int8 = record.readInteger(), record.readVarint() != nil, record.readVarint() != nil,
                  let keyLength = record.readVarint() else {
                throw RecordBatchError.malformedRecord("record \(index) header is incomplete")
            }
            if keyLength < 0 { missing.append(Int32(index)) }
        }
        return missing
    }
}
