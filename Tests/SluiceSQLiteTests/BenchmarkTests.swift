import Foundation
import SluiceSQLite
import Testing

/// The offset-commit benchmark: a short run always (it must work and clean up), the
/// full run only on request, in release:
/// `SLUICE_SQLITE_BENCH=1 swift test -c release --filter SQLiteBenchmarkTests`.
@Suite struct SQLiteBenchmarkTests {
    @Test func aShortRunMeasuresBothKindsOfCommitAndRemovesItsFile() async throws {
        try await withTemporaryDirectory { dir in
            let result = try await SQLiteMetadataBenchmark.run(in: dir, singleCommits: 20, batchCommits: 5, batchSize: 100)
            #expect(result.singlePartitionCommitsPerSecond > 0)
            #expect(result.batchCommitsPerSecond > 0)
            #expect(result.batchOffsetsPerSecond == result.batchCommitsPerSecond * 100)
            #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path).isEmpty)
        }
    }

    @Test(.enabled(if: ProcessInfo.processInfo.environment["SLUICE_SQLITE_BENCH"] != nil),
          .timeLimit(.minutes(10)))
    func fullRun() async throws {
        let directory = ProcessInfo.processInfo.environment["SLUICE_SQLITE_BENCH_DIR"]
            .map { URL(fileURLWithPath: $0) } ?? FileManager.default.temporaryDirectory
        let result = try await SQLiteMetadataBenchmark.run(in: directory)
        print(result)
        #expect(result.singlePartitionCommitsPerSecond > 0 && result.batchCommitsPerSecond > 0)
    }
}
