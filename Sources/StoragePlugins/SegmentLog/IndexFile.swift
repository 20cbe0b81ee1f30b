import Foundation
import SluiceKernel

/// A fixed-size entry of a segment index file, stored big-endian.
protocol IndexEntry: Equatable {
    static var size: Int { get }
    init(_ bytes: UnsafeRawBufferPointer)
    func store(into bytes: UnsafeMutableRawBufferPointer)
}

/// `.index`: relative offset (u32) → file position (u32) of a batch that starts there.
struct OffsetEntry: IndexEntry {
    static let size = 8
    var relativeOffset: UInt32
    var position: UInt32

    init(relativeOffset: UInt32, position: UInt32) {
        self.relativeOffset = relativeOffset
        self.position = position
    }
    init(_ bytes: UnsafeRawBufferPointer) {
        relativeOffset = UInt32(bigEndian: bytes.loadUnaligned(as: UInt32.self))
        position = UInt32(bigEndian: bytes.loadUnaligned(fromByteOffset: 4, as: UInt32.self))
    }
    func store(into bytes: UnsafeMutableRawBufferPointer) {
        bytes.storeBytes(of: relativeOffset.bigEndian, as: UInt32.self)
        bytes.storeBytes(of: position.bigEndian, toByteOffset: 4, as: UInt32.self)
    }
}

/// `.timeindex`: the segment's largest timestamp so far (ms) and the relative base
/// offset of the batch that carried it. Timestamps never decrease along the file.
struct TimeEntry: IndexEntry {
    static let size = 12
    var timestamp: Int64
    var relativeOffset: UInt32

    init(timestamp: Int64, relativeOffset: UInt32) {
        self.timestamp = timestamp
        self.relativeOffset = relativeOffset
    }
    init(_ bytes: UnsafeRawBufferPointer) {
        timestamp = Int64(bigEndian: bytes.loadUnaligned(as: Int64.self))
        relativeOffset = UInt32(bigEndian: bytes.loadUnaligned(fromByteOffset: 8, as: UInt32.self))
    }
    func store(into bytes: UnsafeMutableRawBufferPointer) {
        bytes.storeBytes(of: timestamp.bigEndian, as: Int64.self)
        bytes.storeBytes(of: relativeOffset.bigEndian, toByteOffset: 8, as: UInt32.self)
    }
}

/// One index file of a segment, its entries kept in memory once loaded.
///
/// Entries of old segments are loaded on first use, so a partition with many segments
/// costs memory only for the segments that are read. An index is never the source of
/// truth — recovery rebuilds the active segment's from the log — so new entries reach
/// the file a page at a time, and all of them when the segment is sealed (roll, clean
/// close), which is also when the file is fsynced.
///
/// Holds no descriptor between calls: each write opens the file for its duration, so
/// idle partitions cost no descriptors for their indexes.
final class IndexFile<Entry: IndexEntry> {
    let path: String
    private var loaded: [Entry]?
    /// How many of the entries are in the file; the rest are only in memory.
    private var persisted = 0
    /// Entries in the file before it is loaded, when a summary or a check counted them.
    private var knownCount: Int?
    /// Writes (or cuts) of the file not yet covered by an fsync.
    private(set) var unsynced = false
    /// Pending entries are written once there are this many (about a page).
    private static var writeThreshold: Int { max(1, 4096 / Entry.size) }

    /// - Parameter count: the entries the file holds, when known (not read until needed).
    init(path: String, count: Int? = nil) {
        self.path = path
        self.knownCount = count
    }

    /// Entries in the file (not those still pending in memory), without loading it when
    /// the count is known.
    func fileCount() throws -> Int {
        if loaded != nil { return persisted }
        if let knownCount { return knownCount }
        var info = stat()
        guard stat(path, &info) == 0 else {
            if errno == ENOENT { return 0 }
            throw FileIO.error("stat", path: path)
        }
        return Int(info.st_size) / Entry.size
    }

    /// Entries, reading the file on first use. A file whose size is not a whole number
    /// of entries loses its partial tail.
    func entries() throws -> [Entry] {
        if let loaded { return loaded }
        let bytes = try FileIO.readFile(path) ?? []
        let count = bytes.count / Entry.size
        let parsed = bytes.withUnsafeBytes { raw in
            (0..<count).map { Entry(UnsafeRawBufferPointer(rebasing: raw[($0 * Entry.size)..<(($0 + 1) * Entry.size)])) }
        }
        loaded = parsed
        persisted = count
        return parsed
    }

    /// The entry count and last entry of an index file without loading it; nil when the
    /// file is missing or not a whole number of entries.
    static func inspect(_ path: String) throws -> (count: Int, last: Entry?)? {
        let fd = path.withCString { Foundation.open($0, O_RDONLY | O_CLOEXEC) }
        guard fd >= 0 else {
            if errno == ENOENT { return nil }
            throw FileIO.error("open", path: path)
        }
        defer { _ = Foundation.close(fd) }
        let size = try FileIO.size(fd, path: path)
        guard size % Int64(Entry.size) == 0 else { return nil }
        let count = Int(size / Int64(Entry.size))
        guard count > 0 else { return (0, nil) }
        var bytes = [UInt8](repeating: 0, count: Entry.size)
        let got = try bytes.withUnsafeMutableBytes { (raw) in
            try FileIO.read(fd, into: raw, at: size - Int64(Entry.size), path: path)
        }
        guard got == Entry.size else { return nil }
        return (count, bytes.withUnsafeBytes { Entry($0) })
    }

    /// The last entry for which `isBefore` holds, assuming it holds for a prefix of the
    /// entries (binary search).
    func last(where isBefore: (Entry) -> Bool) throws -> Entry? {
        let all = try entries()
        var low = 0, high = all.count
        while low < high {
            let mid = (low + high) / 2
            if isBefore(all[mid]) { low = mid + 1 } else { high = mid }
        }
        return low == 0 ? nil : all[low - 1]
    }

    /// Appends entries, writing the pending ones once there are enough of them; on
    /// failure nothing changes.
    func append(_ new: [Entry]) throws {
        guard !new.isEmpty else { return }
        if loaded == nil { _ = try entries() }
        let before = loaded!.count
        // In place: no other reference to the array is alive here, so no copy.
        loaded!.append(contentsOf: new)
        guard loaded!.count - persisted >= Self.writeThreshold else { return }
        do {
            try persist()
        } catch {
            loaded!.removeSubrange(before...)
            throw error
        }
    }

    /// Writes every pending entry to the file.
    func persist() throws {
        guard let loaded, loaded.count > persisted else { return }
        let file = try openFile()
        defer { withExtendedLifetime(file) {} }
        let fd = file.descriptor
        let pending = loaded[persisted...]
        var bytes = [UInt8](repeating: 0, count: pending.count * Entry.size)
        bytes.withUnsafeMutableBytes { raw in
            for (i, entry) in pending.enumerated() {
                entry.store(into: UnsafeMutableRawBufferPointer(rebasing: raw[(i * Entry.size)...]))
            }
        }
        let at = Int64(persisted * Entry.size)
        unsynced = true
        do {
            try bytes.withUnsafeBytes { (raw) in try FileIO.write(fd, raw, at: at, path: path) }
        } catch {
            try? FileIO.truncate(fd, to: at, path: path)
            throw error
        }
        persisted = loaded.count
    }

    /// Writes the pending entries and returns a descriptor to fsync when the file changed
    /// since the last `noteSynced()`; nil when it is already durable.
    func persistForSync() throws -> LogFileHandle? {
        try persist()
        return unsynced ? try openFile() : nil
    }

    /// An fsync covered every write so far.
    func noteSynced() { unsynced = false }

    /// How many entries there are (loads the file on first use).
    func count() throws -> Int { try entries().count }

    /// Keeps only the first `count` entries.
    func truncate(toCount count: Int) throws {
        guard count < (try self.count()) else { return }
        if count < persisted {
            unsynced = true
            let file = try openFile()
            try withExtendedLifetime(file) { try FileIO.truncate(file.descriptor, to: Int64(count * Entry.size), path: path) }
            persisted = count
        }
        loaded!.removeSubrange(count...)
    }

    /// Replaces the whole file with `entries` (a rebuild).
    func rewrite(_ entries: [Entry]) throws {
        let file = try openFile()
        try withExtendedLifetime(file) { try FileIO.truncate(file.descriptor, to: 0, path: path) }
        unsynced = true
        persisted = 0
        loaded = entries
        try persist()
    }

    /// A descriptor of the file for an fsync when the segment is sealed (an fsync through
    /// any descriptor covers the writes made through earlier ones).
    func syncHandle() throws -> LogFileHandle { try openFile() }

    /// A short-lived descriptor, closed when the handle goes away.
    private func openFile() throws -> LogFileHandle {
        LogFileHandle(descriptor: try FileIO.open(path, create: true), path: path)
    }
}

/// Decides which batches get index entries, the same way on append and on rebuild:
/// an offset entry once `interval` bytes passed since the last one, a time entry when a
/// batch raises the segment's max timestamp and `interval` bytes passed since the last.
///
/// Time entries spaced this way bound a timestamp lookup's scan to about `interval`
/// bytes past the entry it starts from.
struct IndexBuilder {
    let baseOffset: Int64
    let interval: Int
    var bytesSinceOffsetEntry: Int
    var bytesSinceTimeEntry: Int
    var maxTimestamp: Int64
    var offsetOfMaxTimestamp: Int64
    var offsetEntries: [OffsetEntry] = []
    var timeEntries: [TimeEntry] = []

    /// Continues after a segment's state; a fresh segment starts with -1 timestamps.
    init(baseOffset: Int64, interval: Int, bytesSinceOffsetEntry: Int = 0, bytesSinceTimeEntry: Int? = nil,
         maxTimestamp: Int64 = -1, offsetOfMaxTimestamp: Int64 = -1) {
        self.baseOffset = baseOffset
        self.interval = interval
        self.bytesSinceOffsetEntry = bytesSinceOffsetEntry
        self.bytesSinceTimeEntry = bytesSinceTimeEntry ?? interval
        self.maxTimestamp = maxTimestamp
        self.offsetOfMaxTimestamp = offsetOfMaxTimestamp
    }

    /// Accounts for a batch of `size` bytes at `position` starting at offset `base`.
    mutating func add(base: Int64, maxTimestamp batchMax: Int64, size: Int, position: Int64) {
        let relative = UInt32(base - baseOffset)
        if bytesSinceOffsetEntry >= interval {
            offsetEntries.append(OffsetEntry(relativeOffset: relative, position: UInt32(position)))
            bytesSinceOffsetEntry = 0
        }
        if batchMax > maxTimestamp {
            maxTimestamp = batchMax
            offsetOfMaxTimestamp = base
            if bytesSinceTimeEntry >= interval {
                timeEntries.append(TimeEntry(timestamp: batchMax, relativeOffset: relative))
                bytesSinceTimeEntry = 0
            }
        }
        bytesSinceOffsetEntry += size
        bytesSinceTimeEntry += size
    }
}
