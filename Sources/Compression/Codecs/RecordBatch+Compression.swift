import NIOCore
import SluiceKernel

extension RecordBatch {
    /// The records of this batch, decompressing its body first if it is compressed.
    public func decompressedRecords(limit: Int = BatchCodec.maxDecompressedBytes) throws -> [Record] {
        try records { codec, body in try BatchCodec.decompress(codec, body, limit: limit) }
    }
}

extension RecordBatchBuilder {
    /// A batch holding `records` whose body is compressed with `compression`
    /// (attributes bits 0-2 set, length and CRC-32C recomputed).
    public func build(_ records: [Record], compression: RecordBatch.Compression) throws -> RecordBatch {
        let plain = build(records)
        guard compression != .none else { return plain }
        let bytes = plain.buffer
        let start = bytes.readerIndex
        let body = bytes.getSlice(at: start + RecordBatch.headerSize, length: bytes.readableBytes - RecordBatch.headerSize)!
        let compressed = try BatchCodec.compress(compression, body)
        var out = ByteBufferAllocator().buffer(capacity: RecordBatch.headerSize + compressed.readableBytes)
        out.writeImmutableBuffer(bytes.getSlice(at: start, length: RecordBatch.headerSize)!)
        out.writeImmutableBuffer(compressed)
        out.setInteger(Int32(out.readableBytes - RecordBatch.lengthPrefixSize), at: 8)
        let attributesAt = 21
        let attributes: Int16 = out.getInteger(at: attributesAt)!
        out.setInteger((attributes & ~0x07) | compression.rawValue, at: attributesAt)
        let unsigned = try RecordBatch.parse(out, verifyCRC: false)[0]
        out.setInteger(unsigned.computeCRC(), at: 17)
        return try RecordBatch.parse(out, verifyCRC: true)[0]
    }
}
