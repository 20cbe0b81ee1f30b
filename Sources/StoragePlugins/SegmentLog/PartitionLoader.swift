import Foundation
import Logging
import SluiceKernel

/// Opens the segments of one partition directory at start-up: checks the ones that
/// can be trusted cheaply, recovers the rest, and makes sure offsets run contiguously.
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

    /// The segments, oldest first; never empty.
    func load(cleanShutdown: Bool, recoveryPoint: Int64?) throws -> [LogSegment] {
        let (bases, orphanTransactionIndexes) = try segmentBases()
        guard !bases.isEmpty else {
            return [try LogSegment.create(baseOffset: 0, directory: directory, indexIntervalBytes: indexIntervalBytes, now: now)]
        }
        // Segments from this index on are validated batch by batch.
        let recoverFrom: Int
        if cleanShutdown {
            recoverFrom = bases.count
        } else {
            recoverFrom = recoveryPoint.flatMap { point in bases.lastIndex { $0 <= point } } ?? 0
            logger.notice("recovering after an unclean shutdown", metadata: [
                "directory": "\(directory)", "fromSegment": "\(SegmentFiles.name(bases[recoverFrom]))",
            ])
        }
        var segments: [LogSegment] = []
        for (i, base) in bases.enumerated() {
            if let previous = segments.last, previous.nextOffset > base || (previous.nextOffset < base && previous.baseOffset >= cleanedUpTo) {
                logger.error("deleting segments that no longer follow on from the data before them", metadata: [
                    "directory": "\(directory)", "missingOffsets": "\(previous.nextOffset)..<\(base)",
                    "segments": "\(bases[i...].map(SegmentFiles.name))",
                ])
                for later in bases[i...] { try deleteFiles(of: later) }
                break
            }
            var segment: LogSegment?
            var reason = "unclean shutdown"
            if i < recoverFrom {
                switch try SegmentCheck.open(baseOffset: base, directory: directory, indexIntervalBytes: indexIntervalBytes, now: now,
                                             allowGaps: base < cleanedUpTo) {
                case .valid(let checked): segment = checked
                case .invalid(let why): reason = why
                }
            }
            let loaded = try segment ?? SegmentRecovery.recover(baseOffset: base, directory: directory, indexIntervalBytes: indexIntervalBytes,
                                                               now: now, reason: reason, logger: logger, allowGaps: base < cleanedUpTo)
            segments.append(loaded)
        }
        try foldTransactionIndexes(orphanTransactionIndexes, into: segments)
        if !cleanShutdown, let last = segments.last {
            // A marker lost with a torn tail takes its entry with it.
            try last.filterAbortedTransactions { $0.lastOffset < last.nextOffset }
        }
        return segments
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

    /// Base offsets of the `.log` files, sorted; removes leftovers that belong to none
    /// (index files of a deleted segment, temporary files of an interrupted write).
    private func segmentBases() throws -> (bases: [Int64], orphanTransactionIndexes: [Int64]) {
        let names: [String]
        do { names = try FileManager.default.contentsOfDirectory(atPath: directory) } catch {
            throw StorageError.io(path: directory, operation: "list", errno: (error as NSError).code == NSFileReadNoSuchFileError ? ENOENT : EIO)
        }
        let bases = Set(names.compactMap { SegmentFiles.baseOffset(ofFileNamed: $0, suffix: SegmentFiles.logSuffix) })
        for name in names {
            let orphanIndex = [SegmentFiles.offsetIndexSuffix, SegmentFiles.timeIndexSuffix].contains { suffix in
                SegmentFiles.baseOffset(ofFileNamed: name, suffix: suffix).map { !bases.contains($0) } ?? false
            }
            if orphanIndex || name.hasSuffix(".tmp") {
                logger.info("removing leftover file", metadata: ["file": "\(directory)/\(name)"])
                try FileIO.remove(directory + "/" + name)
            }
        }
        let orphanTransactionIndexes = names.compactMap { SegmentFiles.baseOffset(ofFileNamed: $0, suffix: SegmentFiles.transactionIndexSuffix) }
            .filter { !bases.contains($0) }
        return (bases.sorted(), orphanTransactionIndexes.sorted())
    }

    private func deleteFiles(of base: Int64) throws {
        let paths = SegmentFiles(directory: directory, baseOffset: base)
        try FileIO.remove(paths.log)
        try FileIO.remove(paths.offsetIndex)
        try FileIO.remove(paths.timeIndex)
        try FileIO.remove(paths.transactionIndex)
    }
}
