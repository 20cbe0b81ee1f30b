import ConformanceKit
import Foundation
import NIOCore
import SluiceKernel

extension LogStorageConformance {
    func compactionKeepsLatestPerKey(_ storage: any LogStorage) async throws {
        let log = try await storage.open(TopicPartition("compact-latest", 0), config: Self.compactSegments)
        var writer = KeyedWriter(log)
        for i in 0..<200 { try await writer.write(["k\(i % 10)"]) }
        let before = try await log.offsets()
        let stats = try await log.compactionStats(Self.eagerCompaction, now: Date())
        try conform(stats.dirtyRatio == 1 && stats.isDue(Self.eagerCompaction), "a never-cleaned log is all dirty and due, got \(stats)")
        let result = try await log.compact(Self.eagerCompaction, now: Date())
        try conform(result.cleaned && result.recordsRemoved > 0, "compaction must clean and remove superseded records: \(result)")
        try conform(result.dirtyRatioBefore == stats.dirtyRatio, "the result reports the dirty ratio before cleaning")
        try conform(result.segmentsAfter < result.segmentsCleaned, "small cleaned segments must be merged: \(result)")
        let after = try await log.offsets()
        try conform(after.logStartOffset == before.logStartOffset && after.logEndOffset == 200,
                    "compaction keeps log start and end (\(before.logStartOffset), 200), got \(after)")
        try conform(after.sizeBytes < before.sizeBytes, "the log must shrink (\(before.sizeBytes) → \(after.sizeBytes))")
        let records = try await readRecords(log)
        let activeBase = try await log.compactionStats(Self.eagerCompaction, now: Date()).firstUncleanableOffset
        var seenBelowActive = Set<String>()
        var previous: Int64 = -1
        var lastSeen: [String: Int64] = [:]
        for (_, record) in records {
            let key = text(record.key) ?? "<nil>"
            try conform(record.offset > previous, "offsets must increase: \(record.offset) after \(previous)")
            try conform(text(record.value) == "\(key)@\(record.offset)", "offset \(record.offset) must keep its record, got \(text(record.value) ?? "nil")")
            if record.offset < activeBase {
                try conform(seenBelowActive.insert(key).inserted, "key \(key) appears twice in the cleaned part (offset \(record.offset))")
            }
            previous = record.offset
            lastSeen[key] = record.offset
        }
        for (key, latest) in writer.latest {
            try conform(lastSeen[key] == latest.offset, "key \(key) must end at its latest offset \(latest.offset), got \(String(describing: lastSeen[key]))")
        }
        try conform(records.count < 100, "200 writes over 10 keys must shrink to the keys plus the active segment, got \(records.count)")
        try conform(Int64(records.count) == 200 - result.recordsRemoved, "recordsRemoved must match what disappeared: \(result)")
        let again = try await log.compactionStats(Self.eagerCompaction, now: Date())
        try conform(again.dirtyBytes == 0 && !again.isDue(Self.eagerCompaction), "after cleaning nothing is dirty: \(again)")
    }

    func compactedBatchesValid(_ storage: any LogStorage) async throws {
        let log = try await storage.open(TopicPartition("compact-batches", 0), config: Self.compactSegments)
        var writer = KeyedWriter(log)
        for i in 0..<40 { try await writer.write((0..<4).map { "k\((i * 4 + $0 * 3) % 7)" }) }
        _ = try await log.compact(Self.eagerCompaction, now: Date())
        var partial = 0
        for batch in try await readAll(log) {
            try conform((try? batch.verifyCRC()) != nil, "batch \(batch.baseOffset) fails its CRC-32C after cleaning")
            try conform(writer.lastOffsetOfBatch[batch.baseOffset] == batch.lastOffset,
                        "batch \(batch.baseOffset) must keep its base offset and last offset \(String(describing: writer.lastOffsetOfBatch[batch.baseOffset])), got \(batch.lastOffset)")
            let records = try batch.records()
            try conform(records.count == Int(batch.recordCount), "batch \(batch.baseOffset) record count \(batch.recordCount) but holds \(records.count)")
            try conform(records.allSatisfy { $0.offset >= batch.baseOffset && $0.offset <= batch.lastOffset }, "records must stay inside their batch's offsets")
            try conform(records.allSatisfy { text($0.value) == "\(text($0.key) ?? "")@\($0.offset)" }, "a rewritten record changed in batch \(batch.baseOffset)")
            try conform(records.allSatisfy { $0.timestamp == 1_700_000_000_000 + ($0.offset - batch.baseOffset) }, "record timestamps must survive rewriting")
            if batch.recordCount > 0 && Int(batch.recordCount) < Int(batch.lastOffsetDelta) + 1 { partial += 1 }
        }
        try conform(partial > 0, "some batches should have been rewritten with fewer records")
    }

    func readInsideRemovedRange(_ storage: any LogStorage) async throws {
        let log = try await storage.open(TopicPartition("compact-gaps", 0), config: Self.compactSegments)
        var writer = KeyedWriter(log)
        for i in 0..<100 { try await writer.write(["k\(i % 4)"]) }
        _ = try await log.compact(Self.eagerCompaction, now: Date())
        let kept = Set(try await readRecords(log).map(\.record.offset))
        guard let gap = (0..<Int64(100)).first(where: { !kept.contains($0) }) else { throw ConformanceViolation("nothing was removed") }
        let read = try batches(in: try await log.read(from: gap, maxBytes: 1 << 20, maxOffset: nil, minOneBatch: true))
        let expected = try await readAll(log).first { $0.lastOffset >= gap }
        try conform(read.first?.baseOffset == expected?.baseOffset, "a read at removed offset \(gap) must return the next batch (\(String(describing: expected?.baseOffset))), got \(read.map(\.baseOffset))")
        try await conformThrows("reading past the end of a compacted log", { try await log.read(from: 101, maxBytes: 1000, maxOffset: nil, minOneBatch: true) },
                                matches: isOutOfRange)
    }

    func activeSegmentNeverCleaned(_ storage: any LogStorage) async throws {
        let log = try await storage.open(TopicPartition("compact-active", 0), config: PartitionLogConfig(segmentBytes: 1 << 30))
        var writer = KeyedWriter(log)
        for i in 0..<50 { try await writer.write(["k\(i % 3)"]) }
        let result = try await log.compact(Self.eagerCompaction, now: Date())
        try conform(result.recordsRemoved == 0, "the active segment must never be cleaned: \(result)")
        let records = try await readRecords(log)
        try conform(records.count == 50, "all 50 records of the active segment must remain, got \(records.count)")
    }

    func tombstonesAfterDeleteHorizon(_ storage: any LogStorage) async throws {
        let log = try await storage.open(TopicPartition("compact-tombstones", 0), config: Self.compactSegments)
        var writer = KeyedWriter(log)
        try await writer.write(["a"])
        try await writer.write(["b"])
        let tombstone = try await writer.write(["a"], tombstones: [0])
        for i in 0..<30 { try await writer.write(["f\(i % 3)"]) }
        let t0 = Date()
        let policy = CompactionPolicy(deleteRetentionMs: 60_000, minCompactionLagMs: 0, minCleanableDirtyRatio: 0)
        _ = try await log.compact(policy, now: t0)
        var records = try await readRecords(log)
        try conform(!records.contains { text($0.record.key) == "a" && $0.record.value != nil }, "the value under the tombstone must be gone")
        guard let kept = records.first(where: { $0.record.offset == tombstone }) else {
            throw ConformanceViolation("the tombstone must stay until its delete horizon")
        }
        try conform(kept.record.value == nil && kept.record.timestamp == 1_700_000_000_000, "the tombstone must keep its null value and timestamp, got \(kept.record)")
        try conform(kept.batch.attributes & 0x40 != 0 && kept.batch.baseTimestamp == milliseconds(t0) + 60_000,
                    "the tombstone's batch must carry the delete horizon (bit 0x40, baseTimestamp \(milliseconds(t0) + 60_000)), got attributes \(kept.batch.attributes) base \(kept.batch.baseTimestamp)")
        _ = try await log.compact(policy, now: t0.addingTimeInterval(30))
        records = try await readRecords(log)
        try conform(records.contains { $0.record.offset == tombstone }, "the tombstone must stay before its horizon")
        let due = try await log.compactionStats(policy, now: t0.addingTimeInterval(61))
        try conform(due.deleteHorizonReached && due.isDue(policy), "a reached delete horizon makes the log due: \(due)")
        let result = try await log.compact(policy, now: t0.addingTimeInterval(61))
        records = try await readRecords(log)
        try conform(!records.contains { text($0.record.key) == "a" }, "after the horizon the tombstone and its key must be gone")
        try conform(result.tombstonesRemoved == 1, "one tombstone removed, got \(result)")
        try conform(records.contains { text($0.record.key) == "b" }, "other keys stay")
    }

    func controlBatchesKept(_ storage: any LogStorage) async throws {
        let log = try await storage.open(TopicPartition("compact-control", 0), config: Self.compactSegments)
        var writer = KeyedWriter(log)
        var data = RecordBatchBuilder()
        data.producerId = 42; data.producerEpoch = 0; data.isTransactional = true
        var marker = data
        marker.isControl = true
        var markers: [[UInt8]] = []
        for round in 0..<2 {
            data.baseSequence = Int32(round)
            try await writer.write(["t"], builder: data)
            let commit = marker.build([Record(key: [0, 0, 0, 1], value: [0, 0, 0, 0, 0, 5], timestamp: 1_700_000_000_000)])
            let info = try await log.append([commit])
            var stored = commit
            stored.setBaseOffset(info.firstOffset)
            markers.append(bytesOf(stored))
        }
        for i in 0..<30 { try await writer.write(["f\(i % 3)"]) }
        _ = try await log.compact(Self.eagerCompaction, now: Date())
        let controls = try await readAll(log).filter(\.isControl)
        try conform(controls.map(bytesOf) == markers, "both commit markers (same key) must survive unchanged, got \(controls.count)")
    }

    func producersLastBatchKept(_ storage: any LogStorage) async throws {
        let log = try await storage.open(TopicPartition("compact-producer", 0), config: Self.compactSegments)
        var writer = KeyedWriter(log)
        var idempotent = RecordBatchBuilder()
        idempotent.producerId = 7; idempotent.producerEpoch = 3
        idempotent.baseSequence = 0
        let first = try await writer.write(["x", "x2"], builder: idempotent)
        idempotent.baseSequence = 2
        let last = try await writer.write(["y", "y2"], builder: idempotent)
        for key in ["x", "x2", "y", "y2"] { try await writer.write([key]) }
        for i in 0..<30 { try await writer.write(["f\(i % 3)"]) }
        _ = try await log.compact(Self.eagerCompaction, now: Date())
        let mine = try await readAll(log).filter { $0.producerId == 7 }
        try conform(!mine.contains { $0.baseOffset == first }, "the producer's earlier, emptied batch must be removed")
        guard mine.count == 1, let kept = mine.first else {
            throw ConformanceViolation("the producer's last batch must be kept even when emptied, found \(mine.map(\.baseOffset))")
        }
        try conform(kept.baseOffset == last && kept.lastOffset == last + 1 && kept.recordCount == 0,
                    "the emptied last batch keeps offsets \(last)...\(last + 1) with 0 records, got \(kept.baseOffset)...\(kept.lastOffset) count \(kept.recordCount)")
        try conform(kept.baseSequence == 2 && kept.producerEpoch == 3, "the emptied batch keeps its sequence and epoch")
        try conform((try? kept.verifyCRC()) != nil, "the emptied batch must pass its CRC")
    }

    func minCompactionLagHonoured(_ storage: any LogStorage) async throws {
        let log = try await storage.open(TopicPartition("compact-lag", 0), config: Self.compactSegments)
        var writer = KeyedWriter(log)
        let now = Date()
        for i in 0..<60 { try await writer.write(["k\(i % 3)"], timestamp: milliseconds(now) - 1000) }
        var policy = Self.eagerCompaction
        policy.minCompactionLagMs = 3_600_000
        let held = try await log.compact(policy, now: now)
        try conform(held.recordsRemoved == 0, "records newer than min.compaction.lag.ms must not be cleaned: \(held)")
        try conform(try await readRecords(log).count == 60, "all 60 records must remain within the lag")
        policy.minCompactionLagMs = 500
        let cleaned = try await log.compact(policy, now: now)
        try conform(cleaned.recordsRemoved > 0, "once older than the lag they are cleaned: \(cleaned)")
    }

    func compactionStopsAtMaxCleanableOffset(_ storage: any LogStorage) async throws {
        let log = try await storage.open(TopicPartition("compact-bound", 0), config: Self.compactSegments)
        var writer = KeyedWriter(log)
        for i in 0..<60 { try await writer.write(["k\(i % 3)"]) }
        var policy = Self.eagerCompaction
        policy.maxCleanableOffset = 30   // a high watermark half-way up the log
        let result = try await log.compact(policy, now: Date())
        try conform(result.recordsRemoved > 0, "segments wholly below maxCleanableOffset are cleaned: \(result)")
        let kept = try await readRecords(log).map { $0.record.offset }
        try conform(kept.filter { $0 >= 30 } == Array(30..<60),
                    "no record at or past maxCleanableOffset (30) may be cleaned, nor its segment: kept \(kept)")
    }

    func dirtyRatioAndMaxLag(_ storage: any LogStorage) async throws {
        let log = try await storage.open(TopicPartition("compact-ratio", 0), config: Self.compactSegments)
        var writer = KeyedWriter(log)
        for i in 0..<60 { try await writer.write(["k\(i % 3)"]) }
        var policy = CompactionPolicy(minCleanableDirtyRatio: 1.0)
        let skipped = try await log.compact(policy, now: Date())
        try conform(!skipped.cleaned && skipped.recordsRemoved == 0, "a log at or under min.cleanable.dirty.ratio is not cleaned: \(skipped)")
        policy.maxCompactionLagMs = 1000
        let stats = try await log.compactionStats(policy, now: Date())
        try conform(stats.maxLagExceeded && stats.isDue(policy), "records older than max.compaction.lag.ms make the log due: \(stats)")
        let forced = try await log.compact(policy, now: Date())
        try conform(forced.cleaned && forced.recordsRemoved > 0, "max.compaction.lag.ms forces a clean: \(forced)")
        for i in 0..<40 { try await writer.write(["k\(i % 3)"]) }
        let later = try await log.compactionStats(policy, now: Date())
        try conform(later.cleanBytes > 0 && later.dirtyBytes > 0 && later.dirtyRatio > 0 && later.dirtyRatio < 1,
                    "after more writes the log is partly dirty: \(later)")
    }

    func compressedBatchesThroughCodec(_ storage: any LogStorage) async throws {
        let log = try await storage.open(TopicPartition("compact-codec", 0), config: Self.compactSegments)
        let codec = XorTestCodec()
        let keys = [["a", "b", "c"], ["a", "x"]]
        for group in keys {
            let base = try await log.offsets().logEndOffset
            let records = group.enumerated().map { Record(key: Array($1.utf8), value: Array("\($1)@\(base + Int64($0))".utf8), timestamp: 1_700_000_000_000) }
            _ = try await log.append([try XorTestCodec.compressed(RecordBatchBuilder().build(records))])
        }
        var writer = KeyedWriter(log)
        for i in 0..<30 { try await writer.write(["f\(i % 3)"]) }
        let before = try await readAll(log).map(bytesOf)
        try await conformThrows("compacting compressed batches without a codec", { try await log.compact(Self.eagerCompaction, now: Date()) }) { error in
            if case StorageError.compactionCodecMissing = error { return true }
            return false
        }
        try conform(try await readAll(log).map(bytesOf) == before, "a refused compaction must change nothing")
        var policy = Self.eagerCompaction
        policy.codec = codec
        _ = try await log.compact(policy, now: Date())
        let first = try await readAll(log).first
        try conform(first?.baseOffset == 0 && first?.lastOffset == 2 && first?.compression == .gzip, "the first batch is rewritten and keeps its codec and offsets, got \(String(describing: first))")
        let records = try await readRecords(log, codec: codec)
        try conform(records.prefix(4).map { text($0.record.value) ?? "nil" } == ["b@1", "c@2", "a@3", "x@4"],
                    "the compressed batches must hold b, c, a, x after cleaning, got \(records.prefix(4).map { text($0.record.value) ?? "nil" })")
    }

    func compactionSurvivesReopen() async throws {
        let tp = TopicPartition("compact-reopen", 0)
        var cleanedBytes: [[UInt8]] = []
        let policy = CompactionPolicy(deleteRetentionMs: 60_000, minCompactionLagMs: 0, minCleanableDirtyRatio: 0)
        let t0 = Date()
        try await withStorage { first in
            let log = try await first.open(tp, config: Self.compactSegments)
            var writer = KeyedWriter(log)
            for i in 0..<100 { try await writer.write(["k\(i % 5)"]) }
            try await writer.write(["k0"], tombstones: [0])
            for i in 0..<20 { try await writer.write(["f\(i % 2)"]) }
            _ = try await log.compact(policy, now: t0)
            cleanedBytes = try await readAll(log).map(bytesOf)
            try await log.flush()
        }
        try await withStorage { storage in
            let log = try await storage.open(tp, config: Self.compactSegments)
            try conform(try await readAll(log).map(bytesOf) == cleanedBytes, "a compacted log must read back byte-identical after reopening")
            let stats = try await log.compactionStats(policy, now: t0)
            try conform(stats.dirtyBytes == 0, "the cleaner's progress must survive reopening: \(stats)")
            let later = try await log.compactionStats(policy, now: t0.addingTimeInterval(61))
            try conform(later.deleteHorizonReached, "a pending delete horizon must survive reopening: \(later)")
            _ = try await log.compact(policy, now: t0.addingTimeInterval(61))
            try conform(!(try await readRecords(log)).contains { text($0.record.key) == "k0" }, "the tombstone is removed after its horizon")
        }
    }
}
