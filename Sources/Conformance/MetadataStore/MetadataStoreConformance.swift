import ConformanceKit
import Foundation
import SluiceKernel

/// The `MetadataStore` contract as executable checks. Every metadata plugin's tests run
/// it with their own factory:
///
/// ```swift
/// let report = await MetadataStoreConformance(durable: true) { try await MyStore(path: file) }.run()
/// #expect(report.failures.isEmpty, "\(report)")
/// ```
///
/// Each check opens a store with `makeStore`, uses names of its own and closes it;
/// `makeStore` must reopen the same data each call (the reopen check relies on it).
public struct MetadataStoreConformance: Sendable {
    public typealias Factory = @Sendable () async throws -> any MetadataStore
    public var durable: Bool
    public var makeStore: Factory

    public init(durable: Bool, makeStore: @escaping Factory) {
        self.durable = durable
        self.makeStore = makeStore
    }

    public static let checkNames = [
        "topicRegistry", "duplicateTopicRejected", "deleteTopic", "partitionCount", "topicConfigs",
        "committedOffsets", "commitMetadataExact", "groupsIsolated", "deleteOffsetsAndGroups", "groupState", "connectorPositions",
        "transactionState", "stagedOffsets", "clientQuotas", "aclStorage", "scramCredentials", "reopenKeepsEverything", "reopenKeepsTransactions",
        "reopenKeepsClientQuotas", "reopenKeepsAcls", "reopenKeepsScramCredentials", "concurrentCommits", "closedStoreThrows",
    ]

    public func run() async -> ConformanceReport {
        var report = ConformanceReport()
        await report.check("topicRegistry") { try await withStore(topicRegistry) }
        await report.check("duplicateTopicRejected") { try await withStore(duplicateTopic) }
        await report.check("deleteTopic") { try await withStore(deleteTopic) }
        await report.check("partitionCount") { try await withStore(partitionCount) }
        await report.check("topicConfigs") { try await withStore(topicConfigs) }
        await report.check("committedOffsets") { try await withStore(committedOffsets) }
        await report.check("commitMetadataExact") { try await withStore(commitMetadataExact) }
        await report.check("groupsIsolated") { try await withStore(groupsIsolated) }
        await report.check("deleteOffsetsAndGroups") { try await withStore(deleteOffsetsAndGroups) }
        await report.check("groupState") { try await withStore(groupState) }
        await report.check("connectorPositions") { try await withStore(connectorPositions) }
        await report.check("transactionState") { try await withStore(transactionState) }
        await report.check("stagedOffsets") { try await withStore(stagedOffsets) }
        await report.check("clientQuotas") { try await withStore(clientQuotas) }
        await report.check("aclStorage") { try await withStore(aclStorage) }
        await report.check("scramCredentials") { try await withStore(scramCredentials) }
        if durable {
            await report.check("reopenKeepsEverything") { try await reopenKeepsEverything() }
            await report.check("reopenKeepsTransactions") { try await reopenKeepsTransactions() }
            await report.check("reopenKeepsClientQuotas") { try await reopenKeepsClientQuotas() }
            await report.check("reopenKeepsAcls") { try await reopenKeepsAcls() }
            await report.check("reopenKeepsScramCredentials") { try await reopenKeepsScramCredentials() }
        }
        await report.check("concurrentCommits") { try await withStore(concurrentCommits) }
        await report.check("closedStoreThrows") { try await closedStoreThrows() }
        return report
    }

    func withStore(_ body: (any MetadataStore) async throws -> Void) async throws {
        let store = try await makeStore()
        do {
            try await body(store)
        } catch {
            try? await store.close()
            throw error
        }
        try await store.close()
    }
}

/// Dates are compared to the millisecond: stores may keep no finer precision.
func sameMillisecond(_ a: Date, _ b: Date) -> Bool {
    abs(a.timeIntervalSince1970 - b.timeIntervalSince1970) < 0.001
}

func sameOffset(_ a: CommittedOffset?, _ b: CommittedOffset) -> Bool {
    guard let a else { return false }
    return a.offset == b.offset && a.leaderEpoch == b.leaderEpoch && a.metadata == b.metadata && sameMillisecond(a.commitTime, b.commitTime)
}

/// A fixed date with whole milliseconds.
let referenceDate = Date(timeIntervalSince1970: 1_700_000_000.123)
