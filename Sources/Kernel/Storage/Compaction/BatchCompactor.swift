import NIOCore

/// What cleaning did to one batch.
public struct BatchCompactionOutcome: Sendable {
    /// The batch to keep (the original, a rewrite, or an empty header), nil when removed.
    public var batch: RecordBatch?
    /// Whether `batch` differs from the original bytes.
    public var rewritten: Bool
    public var recordsKept: Int
    public var recordsRemoved: Int
    public var tombstonesRemoved: Int
    /// The delete horizon of the kept batch when it still holds a tombstone.
    public var pendingDeleteHorizon: Int64?
    /// For a marker: no data of its transaction is left, so its aborted-transaction index
    /// entry must go now (before the marker itself goes, after its delete horizon: an
    /// entry without its marker would hide the producer's later transactions).
    public var transactionDataGone = false
}

/// The record-level work of Kafka's log cleaner, shared by every storage plugin: map
/// the keys of the dirty section, then filter each batch of the cleanable range.
///
/// Rewritten batches keep their base offset, last offset delta (so their last offset),
/// producer id/epoch, base sequence, partition leader epoch, compression codec and max
/// timestamp; record count and CRC-32C are recomputed. Retained records keep their bytes
/// (only the timestamp delta changes when a delete horizon is stamped in
/// `baseTimestamp`). Control batches are never deduplicated by key; with the pass's
/// `CompactionTransactions`, aborted data goes and markers go once safe. A batch emptied by
/// cleaning that is its producer's last batch is kept as an empty header (record count
/// 0, same offsets and sequence), so idempotent producers keep their sequence state.
/// Records without a key are removed, as Kafka does.
public enum BatchCompactor {
    /// Attribute bit 6: `baseTimestamp` holds the delete horizon (KIP-534).
    public static let deleteHorizonFlag: Int16 = 0x40

    /// Puts every keyed record of `batch` in `map`. Returns false, changing nothing, when
    /// the batch's records might not fit; the caller stops mapping there.
    public static func mapKeys(of batch: RecordBatch, into map: inout CompactionOffsetMap,
                               codec: (any RecordBatchCodec)?) throws -> Bool {
        if batch.isControl || batch.recordCount == 0 { return true }
        guard map.remaining >= Int(batch.recordCount) else { return false }
        for record in try rawRecords(of: batch, codec: codec) {
            guard let key = record.key else { continue }
            let offset = batch.baseOffset &+ record.offsetDelta
            key.withUnsafeReadableBytes { _ = map.put($0, offset: offset) }
        }
        return true
    }

    /// Filters one batch of the cleanable range with the transactions it belongs to:
    /// an aborted transaction's data batch loses every record (kept as an empty header when
    /// it is its producer's last batch); a marker whose transaction has no data left gets a
    /// delete horizon (`policy.deleteRetentionMs`) and is removed by a pass after it, unless
    /// it is its producer's last batch; any other batch is filtered against `map` as below.
    /// `transactions` must see every batch of the pass, in offset order.
    public static func compact(_ batch: RecordBatch, map: CompactionOffsetMap, mappedEnd: Int64, nowMs: Int64,
                               policy: CompactionPolicy, isProducersLastBatch: Bool,
                               transactions: inout CompactionTransactions) throws -> BatchCompactionOutcome {
        let count = Int(batch.recordCount)
        if batch.isControl {
            let removable = transactions.markerIsRemovable(batch)
            var unchanged = BatchCompactionOutcome(batch: batch, rewritten: false, recordsKept: count, recordsRemoved: 0,
                                                   tombstonesRemoved: 0, pendingDeleteHorizon: nil)
            unchanged.transactionDataGone = removable
            guard removable, !isProducersLastBatch else { return unchanged }
            if batch.attributes & deleteHorizonFlag != 0 {
                guard nowMs >= batch.baseTimestamp else {
                    var pending = unchanged
                    pending.pendingDeleteHorizon = batch.baseTimestamp
                    return pending
                }
                var removed = BatchCompactionOutcome(batch: nil, rewritten: true, recordsKept: 0, recordsRemoved: count,
                                                     tombstonesRemoved: 0, pendingDeleteHorizon: nil)
                removed.transactionDataGone = true
                return removed
            }
            let horizon = saturatingAdd(nowMs, policy.deleteRetentionMs)
            let records = try rawRecords(of: batch, codec: policy.codec)
            let stamped = try rebuild(batch, records: records, attributes: batch.attributes | deleteHorizonFlag,
                                      baseTimestamp: horizon, codec: policy.codec)
            var outcome = BatchCompactionOutcome(batch: stamped, rewritten: true, recordsKept: count, recordsRemoved: 0,
                                                 tombstonesRemoved: 0, pendingDeleteHorizon: horizon)
            outcome.transactionDataGone = true
            return outcome
        }
        if transactions.isAborted(batch) {
            if isProducersLastBatch { transactions.keptAbortedBatch(of: batch.producerId) }
            return BatchCompactionOutcome(batch: isProducersLastBatch ? (count == 0 ? batch : emptyHeader(like: batch)) : nil,
                                          rewritten: count > 0 || !isProducersLastBatch, recordsKept: 0, recordsRemoved: count,
                                          tombstonesRemoved: 0, pendingDeleteHorizon: nil)
        }
        return try compact(batch, map: map, mappedEnd: mappedEnd, nowMs: nowMs, policy: policy, isProducersLastBatch: isProducersLastBatch)
    }

    /// Filters one batch of the cleanable range against `map`, which holds the latest
    /// offset of every key seen in [firstDirty, mappedEnd). Records at or after
    /// `mappedEnd` are kept.
    public static func compact(_ batch: RecordBatch, map: CompactionOffsetMap, mappedEnd: Int64, nowMs: Int64,
                               policy: CompactionPolicy, isProducersLastBatch: Bool) throws -> BatchCompactionOutcome {
        let count = Int(batch.recordCount)
        let unchanged = BatchCompactionOutcome(batch: batch, rewritten: false, recordsKept: count, recordsRemoved: 0,
                                               tombstonesRemoved: 0, pendingDeleteHorizon: nil)
        if batch.isControl || count == 0 || batch.baseOffset >= mappedEnd { return unchanged }
        let hasHorizon = batch.attributes & deleteHorizonFlag != 0
        let horizon = hasHorizon ? batch.baseTimestamp : nil
        let records = try rawRecords(of: batch, codec: policy.codec)
        var kept: [RawRecord] = []
        var tombstonesRemoved = 0
        var keptTombstone = false
        for record in records {
            let offset = batch.baseOffset &+ record.offsetDelta
            var keep: Bool
            if offset >= mappedEnd {
                keep = true
            } else if let key = record.key {
                let latest = key.withUnsafeReadableBytes { map.get($0) }
                keep = latest.map { offset >= $0 } ?? true
                if keep && record.valueIsNull, let horizon, nowMs >= horizon {
                    keep = false
                    tombstonesRemoved += 1
                }
            } else {
                keep = false
            }
            if keep {
                kept.append(record)
                keptTombstone = keptTombstone || record.valueIsNull
            }
        }
        var outcome = BatchCompactionOutcome(batch: nil, rewritten: true, recordsKept: kept.count,
                                             recordsRemoved: records.count - kept.count,
                                             tombstonesRemoved: tombstonesRemoved, pendingDeleteHorizon: nil)
        if kept.count == records.count && (!keptTombstone || hasHorizon) {
            var same = unchanged
            same.pendingDeleteHorizon = keptTombstone ? horizon : nil
            return same
        }
        if kept.isEmpty {
            outcome.batch = isProducersLastBatch ? emptyHeader(like: batch) : nil
            return outcome
        }
        let newHorizon: Int64? = keptTombstone ? (horizon ?? saturatingAdd(nowMs, policy.deleteRetentionMs)) : horizon
        let baseTimestamp = (keptTombstone && !hasHorizon) ? newHorizon! : batch.baseTimestamp
        let attributes = (keptTombstone && !hasHorizon) ? batch.attributes | deleteHorizonFlag : batch.attributes
        outcome.batch = try rebuild(batch, records: kept, attributes: attributes, baseTimestamp: baseTimestamp, codec: policy.codec)
        outcome.pendingDeleteHorizon = keptTombstone ? newHorizon : nil
        return outcome
    }

    /// `batch` holding only `kept` of its records, with `attributes` and `baseTimestamp`
    /// (records' timestamp deltas follow it), recompressed like the original.
    static func rebuild(_ batch: RecordBatch, records kept: [RawRecord], attributes: Int16, baseTimestamp: Int64,
                        codec: (any RecordBatchCodec)?) throws -> RecordBatch {
        var body = ByteBufferAllocator().buffer(capacity: batch.byteCount)
        for record in kept {
            if baseTimestamp == batch.baseTimestamp {
                body.writeVarint(Int64(record.bytes.readableBytes))
                var bytes = record.bytes
                body.writeBuffer(&bytes)
            } else {
                var rest = record.bytes.getSlice(at: record.bytes.readerIndex + record.restIndex,
                                                 length: record.bytes.readableBytes - record.restIndex)!
                var encoded = ByteBufferAllocator().buffer(capacity: record.bytes.readableBytes + 10)
                encoded.writeInteger(record.attributes)
                encoded.writeVarint(batch.baseTimestamp &+ record.timestampDelta &- baseTimestamp)
                encoded.writeBuffer(&rest)
                body.writeVarint(Int64(encoded.readableBytes))
                body.writeBuffer(&encoded)
            }
        }
        if batch.compression != .none {
            guard let codec else { throw StorageError.compactionCodecMissing(batch.compression) }
            body = try codec.compress(batch.compression, body)
        }
        return assemble(like: batch, attributes: attributes, baseTimestamp: baseTimestamp,
                        maxTimestamp: batch.maxTimestamp, recordCount: Int32(kept.count), body: body)
    }

    /// A header-only batch with `batch`'s offsets, producer fields and sequence, no records
    /// and no compression; both timestamps are the original max timestamp (as Kafka writes).
    static func emptyHeader(like batch: RecordBatch) -> RecordBatch {
        let attributes = batch.attributes & ~(0x07 | deleteHorizonFlag)
        return assemble(like: batch, attributes: attributes, baseTimestamp: batch.maxTimestamp,
                        maxTimestamp: batch.maxTimestamp, recordCount: 0, body: ByteBuffer())
    }

    static func assemble(like batch: RecordBatch, attributes: Int16, baseTimestamp: Int64, maxTimestamp: Int64,
                         recordCount: Int32, body: ByteBuffer) -> RecordBatch {
        var buffer = ByteBufferAllocator().buffer(capacity: RecordBatch.headerSize + body.readableBytes)
        buffer.writeInteger(batch.baseOffset)
        buffer.writeInteger(Int32(RecordBatch.headerSize - RecordBatch.lengthPrefixSize + body.readableBytes))
        buffer.writeInteger(batch.partitionLeaderEpoch)
        buffer.writeInteger(Int8(2))
        buffer.writeInteger(UInt32(0))
        buffer.writeInteger(attributes)
        buffer.writeInteger(batch.lastOffsetDelta)
        buffer.writeInteger(baseTimestamp)
        buffer.writeInteger(maxTimestamp)
        buffer.writeInteger(batch.producerId)
        buffer.writeInteger(batch.producerEpoch)
        buffer.writeInteger(batch.baseSequence)
        buffer.writeInteger(recordCount)
        var payload = body
        buffer.writeBuffer(&payload)
        let crc = RecordBatch(unchecked: buffer).computeCRC()
        buffer.setInteger(crc, at: RecordBatch.crcOffset)
        return RecordBatch(unchecked: buffer)
    }

    private static func saturatingAdd(_ a: Int64, _ b: Int64) -> Int64 {
        let (sum, overflow) = a.addingReportingOverflow(b)
        return overflow ? Int64.max : sum
    }

    /// One record's bytes (without its length prefix) and the fields the cleaner needs.
    struct RawRecord {
        var bytes: ByteBuffer
        var attributes: Int8
        var timestampDelta: Int64
        var offsetDelta: Int64
        /// Where the offset delta starts in `bytes`, relative to its reader index.
        var restIndex: Int
        var key: ByteBuffer?
        var valueIsNull: Bool
    }

    static func rawRecords(of batch: RecordBatch, codec: (any RecordBatchCodec)?) throws -> [RawRecord] {
        var body = batch.buffer.getSlice(at: batch.buffer.readerIndex + RecordBatch.headerSize,
                                         length: batch.byteCount - RecordBatch.headerSize)!
        if batch.compression != .none {
            guard let codec else { throw StorageError.compactionCodecMissing(batch.compression) }
            body = try codec.decompress(batch.compression, body)
        }
        var records: [RawRecord] = []
        records.reserveCapacity(Int(min(batch.recordCount, 1 << 16)))
        for index in 0..<Int(batch.recordCount) {
            guard let length = body.readVarint(), length >= 0, let bytes = body.readSlice(length: Int(length)) else {
                throw RecordBatchError.malformedRecord("record \(index) length runs past the batch")
            }
            var cursor = bytes
            guard let attributes: Int8 = cursor.readInteger(), let timestampDelta = cursor.readVarint() else {
                throw RecordBatchError.malformedRecord("record \(index) header is incomplete")
            }
            let restIndex = cursor.readerIndex - bytes.readerIndex
            guard let offsetDelta = cursor.readVarint(), let keyLength = cursor.readVarint() else {
                throw RecordBatchError.malformedRecord("record \(index) header is incomplete")
            }
            var key: ByteBuffer?
            if keyLength >= 0 {
                guard let slice = cursor.readSlice(length: Int(keyLength)) else {
                    throw RecordBatchError.malformedRecord("record \(index) key runs past the record")
                }
                key = slice
            }
            guard let valueLength = cursor.readVarint() else {
                throw RecordBatchError.malformedRecord("record \(index) value length is incomplete")
            }
            records.append(RawRecord(bytes: bytes, attributes: attributes, timestampDelta: timestampDelta,
                                     offsetDelta: offsetDelta, restIndex: restIndex, key: key, valueIsNull: valueLength < 0))
        }
        return records
    }
}
