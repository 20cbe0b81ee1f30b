import Foundation
import Logging
import SluiceKernel

/// Opens the segments of one partition directory at start-up: trusts what its summary
/// vouches for, checks the ones that can be trusted cheaply, recovers the rest, and
/// makes sure offsets run contiguously.
///
/// It never refuses to start because of damaged data: a torn or corrupt tail is cut,
/// bad indexes are rebuilt, and segments that no longer follow on from the data before
/// them (their predecessor lost its tail) are deleted — each logged.
struct PartitionLoader {
    let directory: String
    let indexIntervalBytes: Int
    let now: Int64
    let logger: Logger
    /// The cleaner checkpoint: segments below it may hold offset gaps (removed records).
    var cleanedUpTo: Int64 = 0

    /// How a partition was opened.
    struct Outcome {
        /// Oldest first; never empty.
        var segments: [LogSegment] = []
        /// Segments whose files were read (checked, tail validated or rebuilt).
        var recoveredSegments = 0
        /// Bytes of batches validated.
        var scannedBytes: Int64 = 0
    }

    /// What opening a partition read, for the storage's statistics.
    struct Read: Sendable {
        /// The directory did not exist: an empty partition was created.
        var created = false
        var recoveredSegments = 0
        var scannedBytes: Int64 = 0
    }

    /// Where a partition's trust comes from.
    enum Trust {
        /// The storage-wide summary of its durable segments (`clean-shutdown` or
        /// `recovery-checkpoint`): those that still match are opened without a read, the
        /// bytes after a summary are validated, and segments it does not vouch for are rebuilt.
        case summary([SegmentSummary])
        /// A data directory from before storage-wide summaries: the partition's own
        /// `clean-shutdown` marker (every segment sealed: cheap checks) or `recovery-point`.
        case legacy(cleanShutdown: Bool, recoveryPoint: Int64?)
    }

    func load(_ trust: Trust) throws -> Outcome {
        let listing = try list()
        let bases = listing.bases
        guard !bases.isEmpty else {
            return Outcome(segments: [try LogSegment.create(baseOffset: 0, directory: directory, indexIntervalBytes: indexIntervalBytes, now: now)])
        }
        var summaries: [Int64: SegmentSummary] = [:]
        // Segments from this index on are validated batch by batch (legacy trust only).
        var recoverFrom = bases.count
        switch trust {
        case .summary(let segments):
            for segment in segments { summaries[segment.baseOffset] = segment }
        case .legacy(let clean, let recoveryPoint):
            if !clean {
                recoverFrom = recoveryPoint.flatMap { point in bases.lastIndex { $0 <= point } } ?? 0
                logger.notice("recovering after an unclean shutdown", metadata: [
                    "directory": "\(directory)", "fromSegment": "\(SegmentFiles.name(bases[recoverFrom]))",
                ])
            }
        }
        var outcome = Outcome()
        for (i, base) in bases.enumerated() {
            if let previous = outcome.segments.last, previous.nextOffset > base || (previous.nextOffset < base && previous.baseOffset >= cleanedUpTo) {
                logger.error("deleting segments that no longer follow on from the data before them", metadata: [
                    "directory": "\(directory)", "missingOffsets": "\(previous.nextOffset)..<\(base)",
                    "segments": "\(bases[i...].map(SegmentFiles.name))",
                ])
                for later in bases[i...] { try deleteFiles(of: later) }
                break
            }
            let allowGaps = base < cleanedUpTo
            if case .summary = trust {
                let (segment, scanned) = try open(base, summary: summaries[base], listing: listing, allowGaps: allowGaps)
                outcome.segments.append(segment)
                if let scanned {
                    outcome.recoveredSegments += 1
                    outcome.scannedBytes += scanned
                }
                continue
            }
            var segment: LogSegment?
            var reason = "unclean shutdown"
            if i < recoverFrom {
                switch try SegmentCheck.open(baseOffset: base, directory: directory, indexIntervalBytes: indexIntervalBytes, now: now,
                                             allowGaps: allowGaps) {
                case .valid(let checked): segment = checked
                case .invalid(let why): reason = why
                }
            }
            outcome.recoveredSegments += 1
            if let segment {
                segment.durable = try segment.summary()
                outcome.segments.append(segment)
            } else {
                let (recovered, scanned) = try SegmentRecovery.recover(baseOffset: base, directory: directory, indexIntervalBytes: indexIntervalBytes,
                                                                       now: now, reason: reason, logger: logger, allowGaps: allowGaps)
                outcome.segments.append(recovered)
                outcome.scannedBytes += scanned
            }
        }
        try foldTransactionIndexes(listing.orphanTransactionIndexes, into: outcome.segments)
        if outcome.recoveredSegments > 0, let last = outcome.segments.last {
            // A marker lost with a torn tail takes its entry with it.
            try last.filterAbortedTransactions { $0.lastOffset < last.nextOffset }
        }
        return outcome
    }

    /// `.txnindex` files whose segment is gone (merged by the cleaner, or a crash before
    /// their entries were moved): their entries join the segment that now holds each
    /// marker; entries whose marker is no longer stored are dropped.
    private func foldTransactionIndexes(_ bases: [Int64], into segments: [LogSegment]) throws {
        for base in bases {
            let path = SegmentFiles(directory: directory, baseOffset: base).transactionIndex
            let entries = try IndexFile<TransactionIndexEntry>(path: path).entries().map(\.entry)
            for (i, segment) in segments.enumerated() {
                let end = i + 1 < segments.count ? segments[i + 1].baseOffset : segment.nextOffset
                try segment.mergeAbortedTransactions(entries.filter { $0.lastOffset >= segment.baseOffset && $0.lastOffset < end })
            }
            logger.info("folded a leftover transaction index into the segments holding its markers", metadata: ["file": "\(path)"])
            try FileIO.remove(path)
        }
    }

    /// One segment under summary trust: from its summary alone when its files are as the
    /// summary says (nil scanned bytes), its tail validated when it grew, rebuilt when it
    /// has no summary or its files disagree with it.
    private func open(_ base: Int64, summary: SegmentSummary?, listing: Listing,
                      allowGaps: Bool) throws -> (LogSegment, scanned: Int64?) {
        let paths = SegmentFiles(directory: directory, baseOffset: base)
        var reason = "no durable summary (written after the last flush)"
        if let summary {
            let log = try FileIO.identity(atPath: paths.log)
            let offsetIndex = listing.indexes.contains(base) ? try FileIO.identity(atPath: paths.offsetIndex) : nil
            let timeIndex = listing.timeIndexes.contains(base) ? try FileIO.identity(atPath: paths.timeIndex) : nil
            let offsetBytes = Int64(summary.offsetEntries * OffsetEntry.size), timeBytes = Int64(summary.timeEntries * TimeEntry.size)
            if let log, log.inode == summary.inode, log.size >= summary.size,
               let offsetIndex, offsetIndex.size >= offsetBytes, let timeIndex, timeIndex.size >= timeBytes {
                if log.size == summary.size, offsetIndex.size == offsetBytes, timeIndex.size == timeBytes {
                    let segment = LogSegment(baseOffset: base, directory: directory,
                                             offsetIndex: IndexFile(path: paths.offsetIndex, count: summary.offsetEntries),
                                             timeIndex: IndexFile(path: paths.timeIndex, count: summary.timeEntries),
                                             indexIntervalBytes: indexIntervalBytes, inode: summary.inode, state: summary.state(now: now))
                    segment.durable = summary
                    return (segment, nil)
                }
                let (segment, scanned) = try SegmentRecovery.recover(baseOffset: base, directory: directory, indexIntervalBytes: indexIntervalBytes,
                                                                     now: now, reason: "bytes after the last flush", logger: logger,
                                                                     allowGaps: allowGaps, after: summary)
                return (segment, scanned)
            }
            reason = "its files differ from its durable summary"
            logger.warning("a segment's files differ from its durable summary; validating all of it", metadata: [
                "file": "\(paths.log)", "summary": "\(summary.size) bytes, inode \(summary.inode)",
                "found": "\(log.map { "\($0.size) bytes, inode \($0.inode)" } ?? "no file")",
            ])
        }
        let (segment, scanned) = try SegmentRecovery.recover(baseOffset: base, directory: directory, indexIntervalBytes: indexIntervalBytes,
                                                             now: now, reason: reason, logger: logger, allowGaps: allowGaps)
        return (segment, scanned)
    }

    /// The segment files of the directory.
    struct Listing {
        var bases: [Int64] = []
        var indexes: Set<Int64> = []
        var timeIndexes: Set<Int64> = []
        /// `.txnindex` files of no segment.
        var orphanTransactionIndexes: [Int64] = []
    }

    /// Base offsets of the `.log` files, sorted; removes leftovers that belong to none
    /// (index files of a deleted segment, temporary files of an interrupted write).
    private func list() throws -> Listing {
        let names: [String]
        do { names = try FileManager.default.contentsOfDirectory(atPath: directory) } catch {
            throw StorageError.io(path: directory, operation: "list", errno: (error as NSError).code == NSFileReadNoSuchFileError ? ENOENT : EIO)
        }
        let bases = Set(names.compactMap { SegmentFiles.baseOffset(ofFileNamed: $0, suffix: SegmentFiles.logSuffix) })
        var listing = Listing(bases: bases.sorted())
        for name in names {
            if let base = SegmentFiles.baseOffset(ofFileNamed: name, suffix: SegmentFiles.offsetIndexSuffix), bases.contains(base) {
                listing.indexes.insert(base)
                continue
            }
            if let base = SegmentFiles.baseOffset(ofFileNamed: name, suffix: SegmentFiles.timeIndexSuffix), bases.contains(base) {
                listing.timeIndexes.insert(base)
                continue
            }
            let orphanIndex = [SegmentFiles.offsetIndexSuffix, SegmentFiles.timeIndexSuffix].contains { suffix in
                SegmentFiles.baseOffset(ofFileNamed: name, suffix: suffix) != nil
            }
            if orphanIndex || name.hasSuffix(".tmp") {
                logger.info("removing leftover file", metadata: ["file": "\(directory)/\(name)"])
                try FileIO.remove(directory + "/" + name)
            }
        }
        listing.orphanTransactionIndexes = names.compactMap { SegmentFiles.baseOffset(ofFileNamed: $0, suffix: SegmentFiles.transactionIndexSuffix) }
            .filter { !bases.contains($0) }.sorted()
        return listing
    }

    private func deleteFiles(of base: Int64) throws {
        let paths = SegmentFiles(directory: directory, baseOffset: base)
        try FileIO.remove(paths.log)
        try FileIO.remove(paths.offsetIndex)
        try FileIO.remove(paths.timeIndex)
        try FileIO.remove(paths.transactionIndex)
    }
}
