import Foundation
import SluiceKernel

/// `sluice storage check DIR`: reads every file of a segment-log directory, changing
/// nothing, and reports whatever a healthy log could not hold — a batch whose CRC-32C
/// does not match, offsets that do not increase, segments that overlap, index entries
/// that point at no batch, torn tails, and `.cleaned`/`.swap` files a cleaner left
/// behind (start-up recovery finishes or discards those; a stopped log has none).
///
/// Meant for a directory no server is using: a running server may be half-way through an
/// append or a clean, which would read as a problem.
public enum SegmentLogChecker {
    /// What the check read and what it found.
    public struct Report: Sendable, CustomStringConvertible {
        public var partitions = 0
        public var segments = 0
        public var batches = 0
        /// Records counted from the batch headers.
        public var records: Int64 = 0
        /// Segment bytes read.
        public var bytes: Int64 = 0
        /// Each problem as one line naming its file.
        public var problems: [String] = []

        /// No problem found.
        public var isHealthy: Bool { problems.isEmpty }

        public var description: String {
            let summary = "\(partitions) partitions, \(segments) segments, \(batches) batches, \(records) records, \(bytes) bytes checked"
            if problems.isEmpty { return "ok: \(summary); every batch CRC, offset order, segment range and index entry is valid" }
            return (["\(problems.count) problem(s) found (\(summary)):"] + problems.map { "  - \($0)" }).joined(separator: "\n")
        }
    }

    /// Suffixes of the files a log cleaner writes aside and renames into place.
    static let cleanerSuffixes = [".cleaned", ".swap"]

    /// Checks every partition directory (`<topic>-<partition>`) under `directory`.
    /// Throws only when `directory` itself cannot be read.
    public static func check(directory: String) throws -> Report {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: directory, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw StorageError.io(path: directory, operation: "open directory", errno: ENOENT)
        }
        var report = Report()
        let names = try FileManager.default.contentsOfDirectory(atPath: directory).sorted()
        for name in names where isPartitionDirectoryName(name) {
            let path = directory + "/" + name
            guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), isDirectory.boolValue else { continue }
            checkPartition(path, into: &report)
        }
        return report
    }

    /// `<topic>-<partition>`, as `SegmentLogStorage.storedPartitions` reads them.
    static func isPartitionDirectoryName(_ name: String) -> Bool {
        guard let dash = name.lastIndex(of: "-"), let number = Int32(name[name.index(after: dash)...]), number >= 0 else { return false }
        return TopicConfigs.validateName(String(name[..<dash])) == nil
    }

    static func checkPartition(_ path: String, into report: inout Report) {
        let names = ((try? FileManager.default.contentsOfDirectory(atPath: path)) ?? []).sorted()
        let bases = names.compactMap { SegmentFiles.baseOffset(ofFileNamed: $0, suffix: SegmentFiles.logSuffix) }.sorted()
        for name in names where cleanerSuffixes.contains(where: { name.hasSuffix($0) }) {
            report.problems.append("\(path)/\(name): a cleaner's leftover file (an interrupted replacement that recovery has not finished or discarded)")
        }
        guard !bases.isEmpty else { return }
        report.partitions += 1
        var previousEnd: (offset: Int64, file: String)?
        for (index, base) in bases.enumerated() {
            let files = SegmentFiles(directory: path, baseOffset: base)
            let isLast = index == bases.count - 1
            var segment = SegmentFileCheck(files: files, baseOffset: base)
            segment.run()
            report.segments += 1
            report.batches += segment.batches
            report.records += segment.records
            report.bytes += segment.size
            report.problems += segment.problems
            if let previousEnd, base < previousEnd.offset {
                report.problems.append("\(files.log): starts at offset \(base) but \(previousEnd.file) holds offsets up to \(previousEnd.offset - 1): the segments overlap")
            }
            if let first = segment.firstOffset, let previousEnd, first < previousEnd.offset {
                report.problems.append("\(files.log): its first batch at offset \(first) is not after the previous segment's last offset \(previousEnd.offset - 1)")
            }
            if let next = segment.nextOffset { previousEnd = (next, files.log) }
            if segment.size == 0 && !isLast {
                // Kafka keeps no empty sealed segments either; harmless, but worth knowing.
                report.problems.append("\(files.log): an empty segment that is not the last one")
            }
        }
    }
}
