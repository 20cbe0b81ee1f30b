import Foundation
import SluiceKernel

/// The aborted-transaction index of the segment log: one `.txnindex` per segment holding
/// the entries whose abort marker is in that segment, so retention and truncation drop
/// them with their segment and a read_committed fetch reads only the segments it covers.
extension SegmentPartitionLog {
    func recordAbortedTransaction(_ entry: AbortedTransactionEntry) async throws {
        try checkOpen()
        await acquireWriter()
        defer { releaseWriter() }
        try checkOpen()
        guard entry.lastOffset >= logStartOffset, entry.lastOffset < logEndOffset else {
            throw StorageError.offsetOutOfRange(requested: entry.lastOffset, logStartOffset: logStartOffset, logEndOffset: logEndOffset)
        }
        try segments[segmentIndex(containing: entry.lastOffset)].recordAbortedTransaction(entry, directory: directory)
    }

    func abortedTransactions(from offset: Int64, upTo end: Int64) async throws -> [AbortedTransactionEntry] {
        try checkOpen()
        guard end > offset else { return [] }
        // Every segment from the one holding `offset`: a transaction that began before
        // `end` may have its marker in any later one.
        var found: [AbortedTransactionEntry] = []
        for segment in segments[segmentIndex(containing: offset)...] {
            found += try segment.abortedTransactions().filter { $0.overlaps(from: offset, upTo: end) }
        }
        return found
    }

    /// In `producer-scan-start`, written atomically.
    func storeProducerStateScanStart(_ offset: Int64) async throws {
        try checkOpen()
        let checkpoint = checkpoint
        try await committer.run { try checkpoint.writeProducerScanStart(offset) }
    }

    func producerStateScanStart() async throws -> Int64? {
        try checkOpen()
        return checkpoint.readProducerScanStart()
    }

    /// After cleaned segments replaced `replaced`: each fresh segment's index holds exactly
    /// the entries whose marker falls in its range, less those whose transaction the clean
    /// found without data (`endedMarkers`: a fresh segment may reuse an old one's file).
    func carryAbortedTransactions(from replaced: [LogSegment], into fresh: [LogSegment], endedMarkers: Set<Int64> = []) throws {
        let entries = try replaced.flatMap { try $0.abortedTransactions() }.filter { !endedMarkers.contains($0.lastOffset) }
        for (i, segment) in fresh.enumerated() {
            let end = i + 1 < fresh.count ? fresh[i + 1].baseOffset : Int64.max
            try segment.replaceAbortedTransactions(entries.filter { $0.lastOffset >= segment.baseOffset && $0.lastOffset < end })
        }
        // A fresh segment's index may be a new file.
        if !entries.isEmpty { try FileIO.syncDirectory(directory) }
        for old in replaced where !fresh.contains(where: { $0.baseOffset == old.baseOffset }) {
            try FileIO.remove(old.transactionIndex.path)
        }
    }
}
