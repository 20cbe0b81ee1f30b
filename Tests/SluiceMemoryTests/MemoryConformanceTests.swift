import ConformanceKit
import LogStorageConformance
import MetadataStoreConformance
import SluiceKernel
import SluiceMemory
import Testing

@Suite("Memory plugins pass their conformance suites")
struct MemoryConformanceTests {
    @Test func memoryStoragePassesLogStorageConformance() async {
        let report = await LogStorageConformance(durable: false) { MemoryLogStorage() }.run()
        #expect(report.failures.isEmpty, "\(report)")
        #expect(report.passed.count == LogStorageConformance.checkNames.count - 6, "every check but the six reopen checks runs: \(report.passed)")
    }

    @Test func memoryMetadataPassesMetadataStoreConformance() async {
        let report = await MetadataStoreConformance(durable: false) { MemoryMetadataStore() }.run()
        #expect(report.failures.isEmpty, "\(report)")
        #expect(report.passed.count == MetadataStoreConformance.checkNames.count - 5, "every check but the five reopen checks runs: \(report.passed)")
    }
}

@Suite("Conformance suites catch broken plugins")
struct BrokenPluginTests {
    @Test func offByOneOffsetsAreCaught() async {
        let report = await LogStorageConformance(durable: false) { FaultyStorage(fault: .offByOneOffsets) }.run()
        #expect(report.failedChecks.contains("appendReadRoundTrip"), "\(report)")
        #expect(report.failedChecks.contains("offsetsContiguousAcrossBatches"), "\(report)")
    }

    @Test func droppedBatchesAreCaught() async {
        let report = await LogStorageConformance(durable: false) { FaultyStorage(fault: .dropEverySecondBatch) }.run()
        #expect(report.failedChecks.contains("offsetsContiguousAcrossBatches"), "\(report)")
        #expect(report.failedChecks.contains("concurrentAppendsToDifferentPartitions"), "\(report)")
    }

    @Test func ignoredByteLimitIsCaught() async {
        let report = await LogStorageConformance(durable: false) { FaultyStorage(fault: .ignoreByteLimit) }.run()
        #expect(report.failedChecks.contains("byteLimitWholeBatches"), "\(report)")
    }

    @Test func retentionThatDeletesEverythingIsCaught() async {
        let report = await LogStorageConformance(durable: false) { FaultyStorage(fault: .retentionDeletesActive) }.run()
        #expect(report.failedChecks.contains("retentionKeepsActiveData"), "\(report)")
    }

    @Test func hastyCompactionIsCaught() async {
        let report = await LogStorageConformance(durable: false) { FaultyStorage(fault: .compactionIgnoresLagAndHorizon) }.run()
        #expect(report.failedChecks.contains("tombstonesAfterDeleteHorizon"), "\(report)")
        #expect(report.failedChecks.contains("minCompactionLagHonoured"), "\(report)")
    }

    @Test func logStartThatDoesNotMoveIsCaught() async {
        let report = await LogStorageConformance(durable: false) { FaultyStorage(fault: .logStartNotMoved) }.run()
        #expect(report.failedChecks == ["advanceLogStart", "abortedTransactionIndex"], "\(report)")
    }

    @Test func truncateFullyAtTheWrongOffsetIsCaught() async {
        let report = await LogStorageConformance(durable: false) { FaultyStorage(fault: .truncateFullyRestartsAtZero) }.run()
        #expect(report.failedChecks == ["truncateFully"], "\(report)")
    }

    @Test func forgottenAbortedTransactionsAreCaught() async {
        let report = await LogStorageConformance(durable: false) { FaultyStorage(fault: .abortedTransactionsForgotten) }.run()
        #expect(report.failedChecks == ["abortedTransactionIndex"], "\(report)")
    }

    @Test func forgettingOnReopenIsCaught() async {
        // Claims durability but hands out a fresh, empty store each time.
        let report = await LogStorageConformance(durable: true) { MemoryLogStorage() }.run()
        #expect(report.failedChecks == ["reopenKeepsData", "openSeveralAtOnce", "logStartSurvivesReopen",
                                        "truncateFullySurvivesReopen", "abortedTransactionsSurviveReopen",
                                        "compactionSurvivesReopen", "compactedTransactionsSurviveReopen"], "\(report)")
    }

    @Test func metadataStoreThatLosesCommitsIsCaught() async {
        let report = await MetadataStoreConformance(durable: false) { FaultyMetadataStore() }.run()
        #expect(report.failedChecks.contains("committedOffsets"), "\(report)")
        #expect(report.failedChecks.contains("deleteTopic"), "\(report)")
        #expect(!report.failedChecks.contains("topicRegistry"), "topics are untouched by the fault: \(report)")
    }

    @Test func metadataStoreThatForgetsOnReopenIsCaught() async {
        let report = await MetadataStoreConformance(durable: true) { MemoryMetadataStore() }.run()
        #expect(report.failedChecks == ["reopenKeepsEverything", "reopenKeepsTransactions", "reopenKeepsClientQuotas", "reopenKeepsAcls",
                                      "reopenKeepsScramCredentials"], "\(report)")
    }
}
