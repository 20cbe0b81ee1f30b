import Foundation
import SluiceKernel

/// `.txnindex`: the aborted transactions whose abort marker is in the segment, in marker
/// order (Kafka's transaction index, same 34-byte entries: version i16 0, producer id,
/// first offset, marker offset, last stable offset, big-endian). The file exists only
/// once a segment holds such a marker; read on first use, then kept in memory.
struct TransactionIndexEntry: IndexEntry {
    static let size = 34
    var entry: AbortedTransactionEntry

    init(_ entry: AbortedTransactionEntry) { self.entry = entry }
    init(_ bytes: UnsafeRawBufferPointer) {
        entry = AbortedTransactionEntry(producerId: Int64(bigEndian: bytes.loadUnaligned(fromByteOffset: 2, as: Int64.self)),
                                        firstOffset: Int64(bigEndian: bytes.loadUnaligned(fromByteOffset: 10, as: Int64.self)),
                                        lastOffset: Int64(bigEndian: bytes.loadUnaligned(fromByteOffset: 18, as: Int64.self)),
                                        lastStableOffset: Int64(bigEndian: bytes.loadUnaligned(fromByteOffset: 26, as: Int64.self)))
    }
    func store(into bytes: UnsafeMutableRawBufferPointer) {
        bytes.storeBytes(of: Int16(0).bigEndian, as: Int16.self)
        bytes.storeBytes(of: entry.producerId.bigEndian, toByteOffset: 2, as: Int64.self)
        bytes.storeBytes(of: entry.firstOffset.bigEndian, toByteOffset: 10, as: Int64.self)
        bytes.storeBytes(of: entry.lastOffset.bigEndian, toByteOffset: 18, as: Int64.self)
        bytes.storeBytes(of: entry.lastStableOffset.bigEndian, toByteOffset: 26, as: Int64.self)
    }
}

extension LogSegment {
    /// The segment's aborted transactions (reads `.txnindex` on first use).
    func abortedTransactions() throws -> [AbortedTransactionEntry] {
        try transactionIndex.entries().map(\.entry)
    }

    /// Adds an entry (a no-op when held) and makes it durable before returning: unlike the
    /// offset and time indexes, this one is not rebuilt from the log by recovery.
    func recordAbortedTransaction(_ entry: AbortedTransactionEntry, directory: String) throws {
        let held = try transactionIndex.entries()
        guard !held.contains(where: { $0.entry.producerId == entry.producerId && $0.entry.lastOffset == entry.lastOffset }) else { return }
        let created = held.isEmpty && access(transactionIndex.path, F_OK) != 0
        try transactionIndex.append([TransactionIndexEntry(entry)])
        try transactionIndex.persist()
        let handle = try transactionIndex.syncHandle()
        try FileIO.sync(handle.descriptor, path: handle.path)
        if created { try FileIO.syncDirectory(directory) }
    }

    /// Keeps only the entries `keep` accepts, rewriting the file when one goes.
    func filterAbortedTransactions(_ keep: (AbortedTransactionEntry) -> Bool) throws {
        let held = try transactionIndex.entries()
        let kept = held.filter { keep($0.entry) }
        guard kept.count != held.count else { return }
        try transactionIndex.rewrite(kept)
        let handle = try transactionIndex.syncHandle()
        try FileIO.sync(handle.descriptor, path: handle.path)
    }

    /// Makes the index hold exactly `entries` (in marker order), durably; no file is
    /// created for none.
    func replaceAbortedTransactions(_ entries: [AbortedTransactionEntry]) throws {
        let wanted = entries.sorted { $0.lastOffset < $1.lastOffset }
        guard try abortedTransactions() != wanted else { return }
        try transactionIndex.rewrite(wanted.map(TransactionIndexEntry.init))
        let handle = try transactionIndex.syncHandle()
        try FileIO.sync(handle.descriptor, path: handle.path)
    }

    /// Adds entries found elsewhere (an orphan index, cleaned segments merged into this
    /// one), keeping marker order and no duplicates.
    func mergeAbortedTransactions(_ entries: [AbortedTransactionEntry]) throws {
        guard !entries.isEmpty else { return }
        var all = try abortedTransactions()
        for entry in entries where !all.contains(where: { $0.producerId == entry.producerId && $0.lastOffset == entry.lastOffset }) {
            all.append(entry)
        }
        all.sort { $0.lastOffset < $1.lastOffset }
        try transactionIndex.rewrite(all.map(TransactionIndexEntry.init))
        let handle = try transactionIndex.syncHandle()
        try FileIO.sync(handle.descriptor, path: handle.path)
    }
}
