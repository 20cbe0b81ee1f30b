import ConformanceKit
import Foundation
import LogStorageConformance
import SluiceKernel
import Testing
@testable import SluiceSegmentLog

@Suite("segment-log passes the LogStorage conformance suite")
struct ConformanceTests {
    /// Every check, reopen included, against real files in one directory that each check
    /// reopens (and so re-locks and, after close, finds sealed).
    @Test(arguments: [FlushPolicy.interval, .always, .never])
    func passesEveryCheck(flush: FlushPolicy) async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let config = testConfiguration(segmentBytes: 1 << 20, indexIntervalBytes: 4096, flush: flush)
        let report = await LogStorageConformance(durable: true) {
            try SegmentLogStorage(configuration: config, directory: dir.url, logger: quietLogger)
        }.run()
        #expect(report.failures.isEmpty, "\(report)")
        #expect(report.passed.count == LogStorageConformance.checkNames.count, "every check ran: \(report.passed)")
    }

    /// The same with tiny segments and a dense index, so every check crosses segments.
    @Test func passesEveryCheckWithTinySegments() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let config = testConfiguration(segmentBytes: 1024, indexIntervalBytes: 64, flush: .never)
        let report = await LogStorageConformance(durable: true) {
            try SegmentLogStorage(configuration: config, directory: dir.url, logger: quietLogger)
        }.run()
        #expect(report.failures.isEmpty, "\(report)")
        #expect(report.passed.count == LogStorageConformance.checkNames.count, "every check ran: \(report.passed)")
    }
}
