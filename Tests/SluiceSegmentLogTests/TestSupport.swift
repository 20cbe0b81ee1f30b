import Foundation
import Logging
import NIOConcurrencyHelpers
import NIOCore
import SluiceKernel
@testable import SluiceSegmentLog

/// A fresh directory under the system temp directory, removed by `remove()`.
struct TemporaryDirectory {
    let url: URL
    var path: String { url.path }

    init(_ label: String = #function) throws {
        let name = "sluice-segment-log-\(label.filter { $0.isLetter || $0.isNumber })-\(UUID().uuidString.prefix(8))"
        url = FileManager.default.temporaryDirectory.appendingPathComponent(name)
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }

    func remove() { try? FileManager.default.removeItem(at: url) }

    /// The directory of one partition.
    func partition(_ tp: TopicPartition) -> String { path + "/" + tp.description }

    /// Segment log files of a partition, sorted.
    func logFiles(_ tp: TopicPartition) throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: partition(tp)).filter { $0.hasSuffix(".log") }.sorted()
    }
}

/// Configuration for tests: small segments and index intervals, no background fsync.
func testConfiguration(segmentBytes: Int = 1 << 20, indexIntervalBytes: Int = 256,
                       flush: FlushPolicy = .never) -> SegmentLogStorageFactory.Configuration {
    var config = SegmentLogStorageFactory.Configuration()
    config.segmentBytes = segmentBytes
    config.indexIntervalBytes = indexIntervalBytes
    config.flush = flush
    return config
}

let quietLogger = Logger(label: "segment-log-tests") { _ in SwiftLogNoOpLogHandler() }

/// A log handler that keeps messages so tests can check what recovery reported.
struct CapturingLogHandler: LogHandler {
    let store: MessageStore
    var metadata: Logger.Metadata = [:]
    var logLevel: Logger.Level = .trace
    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }
    func log(event: LogEvent) {
        let fields = (event.metadata ?? [:]).map { "\($0.key)=\($0.value)" }.sorted().joined(separator: " ")
        store.add("\(event.level) \(event.message) \(fields)")
    }
}

/// Log lines captured by `CapturingLogHandler`.
final class MessageStore: Sendable {
    private let lines = NIOLockedValueBox<[String]>([])
    func add(_ line: String) { lines.withLockedValue { $0.append(line) } }
    var messages: [String] { lines.withLockedValue { $0 } }
    var logger: Logger { Logger(label: "captured") { _ in CapturingLogHandler(store: self) } }
}

func openStorage(_ dir: TemporaryDirectory, _ config: SegmentLogStorageFactory.Configuration = testConfiguration(),
                 logger: Logger = quietLogger,
                 clock: @escaping @Sendable () -> Date = { Date() }) throws -> SegmentLogStorage {
    try SegmentLogStorage(configuration: config, directory: dir.url, logger: logger, clock: clock)
}

/// A batch of `count` records whose values identify it; timestamps start at `timestamp`.
func batch(_ count: Int, tag: String, timestamp: Int64 = 1_700_000_000_000, valueSize: Int = 32) -> RecordBatch {
    let records = (0..<count).map { i in
        Record(key: Array("\(tag)-k\(i)".utf8),
               value: Array("\(tag)-v\(i)-".utf8) + [UInt8](repeating: UInt8(truncatingIfNeeded: i &* 7), count: valueSize),
               timestamp: timestamp + Int64(i))
    }
    return RecordBatchBuilder().build(records)
}

/// The bytes a batch is stored as once it has `baseOffset`.
func storedBytes(_ batch: RecordBatch, baseOffset: Int64) -> [UInt8] {
    var copy = batch
    copy.setBaseOffset(baseOffset)
    return Array(buffer: copy.buffer)
}

/// Every batch from `offset` to the log end, following reads across segments.
func readAll(_ log: any PartitionLog, from offset: Int64 = 0, maxBytes: Int = 1 << 20) async throws -> [RecordBatch] {
    var all: [RecordBatch] = []
    var next = offset
    for _ in 0..<100_000 {
        let result = try await log.read(from: next, maxBytes: maxBytes, maxOffset: nil, minOneBatch: true)
        let got = try RecordBatch.parse(result.payload.load())
        guard let last = got.last else { return all }
        all.append(contentsOf: got)
        next = last.lastOffset + 1
    }
    throw StorageError.corrupt(path: "", detail: "reading the whole log did not finish")
}

/// Appends `batches` one append each, returning their base offsets.
@discardableResult
func appendEach(_ log: any PartitionLog, _ batches: [RecordBatch]) async throws -> [Int64] {
    var offsets: [Int64] = []
    for batch in batches { offsets.append(try await log.append([batch]).firstOffset) }
    return offsets
}

func fileSize(_ path: String) throws -> Int64 {
    (try FileManager.default.attributesOfItem(atPath: path)[.size] as? NSNumber)?.int64Value ?? -1
}

/// Appends raw bytes to the end of a file (a torn write or garbage left by a crash).
func appendBytes(_ bytes: [UInt8], to path: String) throws {
    let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
    try handle.seekToEnd()
    try handle.write(contentsOf: Data(bytes))
    try handle.close()
}

/// Opens the storage of a directory whose previous storage was dropped without `close()`
/// (a simulated crash). A flush round of the dropped one may still hold it, and its lock,
/// for a moment: retries `locked` for up to 10 s.
func openStorageAfterCrash(_ dir: TemporaryDirectory, _ config: SegmentLogStorageFactory.Configuration = testConfiguration(),
                           logger: Logger = quietLogger) async throws -> SegmentLogStorage {
    for _ in 0..<200 {
        do { return try openStorage(dir, config, logger: logger) } catch StorageError.locked {
            try await Task.sleep(for: .milliseconds(50))
        }
    }
    return try openStorage(dir, config, logger: logger)
}
