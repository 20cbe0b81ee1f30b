import Foundation
import Testing
@testable import SluiceSegmentLog

@Suite("benchmark")
struct BenchmarkTests {
    /// A very short run: every case is measured and reported, and the scratch data is gone.
    @Test func aShortRunReportsEveryCaseAndCleansUp() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        var options = SegmentLogBenchmark.Options(directory: dir.url.appendingPathComponent("bench"))
        options.secondsPerCase = 0.05
        options.recordSizes = [100, 1024]
        options.flushIntervalMs = 20
        options.concurrentPartitions = 2
        options.rawReadBytes = 4 << 20
        options.cleanerBytes = 1 << 20
        options.cleanerOffsetMapBytes = 1 << 20
        let report = try await SegmentLogBenchmark.run(options)
        #expect(report.appends.map(\.policy) == [.always, .interval, .never, .always, .interval, .never])
        #expect(report.appends.map(\.recordSize) == [100, 100, 100, 1024, 1024, 1024])
        #expect(report.appends.allSatisfy { $0.log.bytes > 0 && $0.raw.bytes > 0 && $0.log.records > 0 })
        #expect(report.appends[0].log.records % 163 == 0, "163 records of 100 B per 16 KiB batch")
        #expect(report.reads.count == 3 && report.reads.allSatisfy { $0.bytes > 0 })
        #expect(report.groupCommit.map { $0.records > 0 } == true)
        #expect(report.cleaner.map { $0.bytes > 0 && $0.records > 0 } == true && report.cleanerKeysPerPass == 39_321)
        #expect(report.description.contains("cleaner offset map for 10M keys"))
        #expect(report.description.contains("never, 1024 B records"))
        #expect(try FileManager.default.contentsOfDirectory(atPath: options.directory.path).filter { !$0.hasPrefix(".") }.isEmpty)
    }
}
