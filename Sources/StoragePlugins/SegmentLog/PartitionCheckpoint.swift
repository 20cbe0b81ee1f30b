import Foundation
import SluiceKernel

/// The two small files that tell a reopening partition how much to trust its segments.
///
/// - `clean-shutdown`: present only between a clean close and the next open. When it is
///   there, every segment was sealed (indexes complete, everything fsynced) and only a
///   cheap consistency check of the indexes runs.
/// - `recovery-point`: an offset below which every byte is known durable and valid,
///   written atomically. After an unclean stop, recovery validates every batch of the
///   segment holding that offset and of every later segment; earlier ones get the
///   cheap check.
/// - `log-start-offset`: the log start set by DeleteRecords (Kafka's
///   log-start-offset-checkpoint), written atomically before the segments below it are
///   deleted; absent until the first one.
struct PartitionCheckpoint: Sendable {
    static let cleanShutdownName = "clean-shutdown"
    static let recoveryPointName = "recovery-point"
    static let logStartOffsetName = "log-start-offset"
    static let producerScanStartName = "producer-scan-start"

    let directory: String
    var cleanShutdownPath: String { directory + "/" + Self.cleanShutdownName }
    var recoveryPointPath: String { directory + "/" + Self.recoveryPointName }
    var logStartOffsetPath: String { directory + "/" + Self.logStartOffsetName }

    var hasCleanShutdownMarker: Bool { access(cleanShutdownPath, F_OK) == 0 }

    /// The stored recovery point, nil when absent or unreadable (recover everything).
    func readRecoveryPoint() -> Int64? { readOffset(recoveryPointPath) }

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

    func writeRecoveryPoint(_ offset: Int64) throws {
        try FileIO.writeAtomically("\(offset)\n", to: recoveryPointPath, directory: directory)
    }

    /// Written last on a clean close, after the recovery point.
    func writeCleanShutdownMarker() throws {
        try FileIO.writeAtomically("clean\n", to: cleanShutdownPath, directory: directory)
    }

    /// Removed, durably, before the first write after opening: a crash after that must
    /// not find a marker that vouches for segments being written to.
    func removeCleanShutdownMarker() throws {
        try FileIO.remove(cleanShutdownPath)
        try FileIO.syncDirectory(directory)
    }
}
