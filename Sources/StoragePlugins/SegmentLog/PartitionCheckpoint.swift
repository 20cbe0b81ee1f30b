import Foundation
import SluiceKernel

/// The small files of one partition directory that are not segments.
///
/// - `log-start-offset`: the log start set by DeleteRecords (Kafka's
///   log-start-offset-checkpoint), written atomically before the segments below it are
///   deleted; absent until the first one.
/// - `clean-shutdown` and `recovery-point`: how a partition recorded what to trust before
///   the storage-wide `recovery-checkpoint` (see `RecoveryCheckpoint`). Read only for a
///   partition that file has no summary of, then removed.
struct PartitionCheckpoint: Sendable {
    static let legacyCleanShutdownName = "clean-shutdown"
    static let legacyRecoveryPointName = "recovery-point"
    static let logStartOffsetName = "log-start-offset"
    static let producerScanStartName = "producer-scan-start"

    let directory: String
    var legacyCleanShutdownPath: String { directory + "/" + Self.legacyCleanShutdownName }
    var legacyRecoveryPointPath: String { directory + "/" + Self.legacyRecoveryPointName }
    var logStartOffsetPath: String { directory + "/" + Self.logStartOffsetName }

    var hasLegacyCleanShutdownMarker: Bool { access(legacyCleanShutdownPath, F_OK) == 0 }

    /// The legacy recovery point, nil when absent or unreadable (recover everything).
    func readLegacyRecoveryPoint() -> Int64? { readOffset(legacyRecoveryPointPath) }

    /// Removes the legacy files, durably: a crash later must not find a marker that
    /// vouches for segments being written to.
    func removeLegacyFiles() throws {
        guard access(legacyCleanShutdownPath, F_OK) == 0 || access(legacyRecoveryPointPath, F_OK) == 0 else { return }
        try FileIO.remove(legacyCleanShutdownPath)
        try FileIO.remove(legacyRecoveryPointPath)
        try FileIO.syncDirectory(directory)
    }

    /// The stored log start set by DeleteRecords, 0 when absent or unreadable.
    func readLogStartOffset() -> Int64 { readOffset(logStartOffsetPath) ?? 0 }

    /// Records the log start durably (file written aside, fsynced, renamed).
    func writeLogStartOffset(_ offset: Int64) throws {
        try FileIO.writeAtomically("\(offset)\n", to: logStartOffsetPath, directory: directory)
    }

    /// The kernel's producer-state scan start, nil when never stored.
    func readProducerScanStart() -> Int64? { readOffset(directory + "/" + Self.producerScanStartName) }

    func writeProducerScanStart(_ offset: Int64) throws {
        try FileIO.writeAtomically("\(offset)\n", to: directory + "/" + Self.producerScanStartName, directory: directory)
    }

    private func readOffset(_ path: String) -> Int64? {
        guard let bytes = try? FileIO.readFile(path) else { return nil }
        let text = String(decoding: bytes, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        return Int64(text).flatMap { $0 >= 0 ? $0 : nil }
    }
}
