import ConformanceKit
import Foundation
import NIOCore
import SluiceKernel

/// Helpers for the compaction checks: keyed writes whose values name their offset, so a
/// read-back proves that offsets kept their records.
struct KeyedWriter {
    struct Written { var offset: Int64; var key: String; var value: String? }

    let log: any PartitionLog
    var written: [Written] = []
    /// Base offset → last offset of every appended batch.
    var lastOffsetOfBatch: [Int64: Int64] = [:]

    init(_ log: any PartitionLog) { self.log = log }

    /// Appends one batch holding `keys` (nil value where `tombstones` says), values
    /// "key@offset". Returns the batch's base offset.
    @discardableResult
    mutating func write(_ keys: [String], tombstones: Set<Int> = [], timestamp: Int64 = 1_700_000_000_000,
                        builder: RecordBatchBuilder = RecordBatchBuilder()) async throws -> Int64 {
        let base = try await log.offsets().logEndOffset
        let records = keys.enumerated().map { i, key in
            let value = tombstones.contains(i) ? nil : Array("\(key)@\(base + Int64(i))".utf8)
            return Record(key: Array(key.utf8), value: value, timestamp: timestamp + Int64(i))
        }
        let info = try await log.append([builder.build(records)])
        try conform(info.firstOffset == base, "append should start at \(base), got \(info.firstOffset)")
        for (i, key) in keys.enumerated() {
            written.append(Written(offset: base + Int64(i), key: key, value: tombstones.contains(i) ? nil : "\(key)@\(base + Int64(i))"))
        }
        lastOffsetOfBatch[base] = info.lastOffset
        return base
    }

    /// The latest write per key.
    var latest: [String: Written] {
        var out: [String: Written] = [:]
        for w in written { out[w.key] = w }
        return out
    }
}

/// Every record of a log, with its batch.
func readRecords(_ log: any PartitionLog, codec: (any RecordBatchCodec)? = nil) async throws -> [(batch: RecordBatch, record: Record)] {
    var out: [(RecordBatch, Record)] = []
    for batch in try await readAll(log) {
        let records = try batch.records { compression, body in
            guard let codec else { throw ConformanceViolation("a \(compression) batch came back but no codec was given") }
            return try codec.decompress(compression, body)
        }
        for record in records { out.append((batch, record)) }
    }
    return out
}

func text(_ bytes: [UInt8]?) -> String? { bytes.map { String(decoding: $0, as: UTF8.self) } }

func milliseconds(_ date: Date) -> Int64 { Int64(date.timeIntervalSince1970 * 1000) }

/// A stand-in compression for the codec check (the conformance library links no codec):
/// "gzip" bodies are the record bytes XORed with 0x5A, so a plugin that skipped the codec
/// would read garbage.
struct XorTestCodec: RecordBatchCodec {
    func decompress(_ compression: RecordBatch.Compression, _ body: ByteBuffer) throws -> ByteBuffer { Self.xor(body) }
    func compress(_ compression: RecordBatch.Compression, _ body: ByteBuffer) throws -> ByteBuffer { Self.xor(body) }
    static func xor(_ body: ByteBuffer) -> ByteBuffer { ByteBuffer(bytes: body.readableBytesView.map { $0 ^ 0x5A }) }

    /// `batch` re-encoded as an XOR-"gzip" batch with a valid CRC.
    static func compressed(_ batch: RecordBatch) throws -> RecordBatch {
        var bytes = batch.buffer
        let header = bytes.readSlice(length: RecordBatch.headerSize)!
        var out = ByteBuffer()
        out.writeImmutableBuffer(header)
        var body = xor(bytes)
        out.writeBuffer(&body)
        out.setInteger(Int32(out.readableBytes - RecordBatch.lengthPrefixSize), at: 8)
        out.setInteger(batch.attributes | 0x01, at: 21)
        let crc = out.withUnsafeReadableBytes { CRC32C.checksum(UnsafeRawBufferPointer(rebasing: $0[21...])) }
        out.setInteger(crc, at: 17)
        return try RecordBatch.parse(out)[0]
    }
}

extension LogStorageConformance {
    /// Segments of about a dozen small batches, so cleaning has whole segments to work on.
    static let compactSegments = PartitionLogConfig(segmentBytes: 1024, segmentMs: 7 * 24 * 3_600_000)
    /// Clean whenever anything is dirty; tombstones live an hour.
    static let eagerCompaction = CompactionPolicy(deleteRetentionMs: 3_600_000, minCompactionLagMs: 0, minCleanableDirtyRatio: 0)
}
