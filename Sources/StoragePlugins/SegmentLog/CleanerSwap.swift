import Foundation
import Logging
import SluiceKernel

/// The files of one replacement of cleaned segments, and how an interrupted one is
/// finished or discarded when the partition opens.
///
/// A clean writes its new segments aside as `<base>.log.cleaned` and fsyncs them, renames
/// them to `<base>.log.swap` and fsyncs the directory, then writes `cleaner-swap`
/// atomically: the commit point, naming the offset range replaced, the new segments and
/// the new cleaner checkpoint. Only then are the old segments of the range deleted and
/// the swaps renamed over their final names (indexes are written fresh for them), the
/// checkpoint stored in `cleaner-checkpoint`, and the marker removed, with a directory
/// fsync after each step. On open, a marker means "finish it"; no marker means every
/// `.cleaned` and `.swap` file is discarded (the old segments are still whole).
struct CleanerSwap: Sendable, Equatable {
    static let markerName = "cleaner-swap"
    static let checkpointName = "cleaner-checkpoint"
    static let cleanedSuffix = ".cleaned"
    static let swapSuffix = ".swap"

    /// Old segments with a base offset in [rangeStart, rangeEnd) are replaced.
    var rangeStart: Int64
    var rangeEnd: Int64
    /// Base offsets of the new segments (the first is `rangeStart`).
    var newBases: [Int64]
    /// The cleaner checkpoint once swapped.
    var cleanedUpTo: Int64
    /// The earliest pending delete horizon, -1 for none.
    var deleteHorizon: Int64

    var text: String { "\(rangeStart) \(rangeEnd) \(cleanedUpTo) \(deleteHorizon) \(newBases.map(String.init).joined(separator: ","))\n" }

    init(rangeStart: Int64, rangeEnd: Int64, newBases: [Int64], cleanedUpTo: Int64, deleteHorizon: Int64) {
        self.rangeStart = rangeStart
        self.rangeEnd = rangeEnd
        self.newBases = newBases
        self.cleanedUpTo = cleanedUpTo
        self.deleteHorizon = deleteHorizon
    }

    init?(text: String) {
        let parts = text.trimmingCharacters(in: .whitespacesAndNewlines).split(separator: " ")
        guard parts.count == 5, let start = Int64(parts[0]), let end = Int64(parts[1]), let upTo = Int64(parts[2]),
              let horizon = Int64(parts[3]) else { return nil }
        let bases = parts[4].split(separator: ",").compactMap { Int64($0) }
        guard !bases.isEmpty, bases.first == start else { return nil }
        self.init(rangeStart: start, rangeEnd: end, newBases: bases, cleanedUpTo: upTo, deleteHorizon: horizon)
    }

    static func cleanedPath(_ directory: String, _ base: Int64) -> String { SegmentFiles(directory: directory, baseOffset: base).log + cleanedSuffix }
    static func swapPath(_ directory: String, _ base: Int64) -> String { SegmentFiles(directory: directory, baseOffset: base).log + swapSuffix }

    /// Deletes the old segments of the range, renames every swap over its final name
    /// (removing the stale indexes of that name first), stores the checkpoint, removes
    /// the marker. Idempotent: recovery runs it again after a crash part-way.
    func complete(directory: String, existingBases: [Int64]) throws {
        for base in existingBases where base >= rangeStart && base < rangeEnd {
            let paths = SegmentFiles(directory: directory, baseOffset: base)
            try FileIO.remove(paths.offsetIndex)
            try FileIO.remove(paths.timeIndex)
            if !newBases.contains(base) { try FileIO.remove(paths.log) }
        }
        try FileIO.syncDirectory(directory)
        for base in newBases where access(Self.swapPath(directory, base), F_OK) == 0 {
            let paths = SegmentFiles(directory: directory, baseOffset: base)
            try FileIO.remove(paths.offsetIndex)
            try FileIO.remove(paths.timeIndex)
            guard rename(Self.swapPath(directory, base), paths.log) == 0 else { throw FileIO.error("rename", path: paths.log) }
        }
        try FileIO.syncDirectory(directory)
        try CleanerCheckpoint(cleanedUpTo: cleanedUpTo, deleteHorizon: deleteHorizon).write(directory: directory)
        try FileIO.remove(directory + "/" + Self.markerName)
        try FileIO.syncDirectory(directory)
    }

    /// Run when a partition opens, before its segments are loaded: finishes a committed
    /// swap, discards the files of an uncommitted one.
    static func recover(directory: String, logger: Logger) throws {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
        let markerPath = directory + "/" + markerName
        if let bytes = try FileIO.readFile(markerPath), let swap = CleanerSwap(text: String(decoding: bytes, as: UTF8.self)) {
            let bases = names.compactMap { SegmentFiles.baseOffset(ofFileNamed: $0, suffix: SegmentFiles.logSuffix) }
            logger.notice("finishing an interrupted cleaner swap", metadata: [
                "directory": "\(directory)", "range": "\(swap.rangeStart)..<\(swap.rangeEnd)", "segments": "\(swap.newBases.count)",
            ])
            try swap.complete(directory: directory, existingBases: bases)
        } else if access(markerPath, F_OK) == 0 {
            logger.warning("discarding an unreadable cleaner swap marker", metadata: ["file": "\(markerPath)"])
            try FileIO.remove(markerPath)
        }
        for name in names where name.hasSuffix(cleanedSuffix) || name.hasSuffix(swapSuffix) {
            let path = directory + "/" + name
            guard access(path, F_OK) == 0 else { continue }
            logger.info("discarding an unfinished cleaned segment", metadata: ["file": "\(path)"])
            try FileIO.remove(path)
        }
        try FileIO.syncDirectory(directory)
    }
}

/// `cleaner-checkpoint`: how far the log is clean (everything below `cleanedUpTo`) and the
/// earliest delete horizon still pending, so the dirty ratio is cheap and offset gaps
/// below the checkpoint are known to be the cleaner's.
struct CleanerCheckpoint: Sendable, Equatable {
    var cleanedUpTo: Int64
    /// -1 when no tombstone waits for its horizon.
    var deleteHorizon: Int64

    static func read(directory: String) -> CleanerCheckpoint {
        guard let bytes = try? FileIO.readFile(directory + "/" + CleanerSwap.checkpointName) else {
            return CleanerCheckpoint(cleanedUpTo: 0, deleteHorizon: -1)
        }
        let parts = String(decoding: bytes, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines).split(separator: " ")
        guard parts.count == 2, let upTo = Int64(parts[0]), let horizon = Int64(parts[1]), upTo >= 0 else {
            return CleanerCheckpoint(cleanedUpTo: 0, deleteHorizon: -1)
        }
        return CleanerCheckpoint(cleanedUpTo: upTo, deleteHorizon: horizon)
    }

    func write(directory: String) throws {
        try FileIO.writeAtomically("\(cleanedUpTo) \(deleteHorizon)\n", to: directory + "/" + CleanerSwap.checkpointName, directory: directory)
    }
}
