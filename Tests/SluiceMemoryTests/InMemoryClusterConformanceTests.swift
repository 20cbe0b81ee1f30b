import ClusterCoordinatorConformance
import ConformanceKit
import SluiceKernel
import SluiceMemory
import Testing

/// The kernel's in-process coordinator against the contract it defines.
@Suite struct InMemoryClusterConformanceTests {
    @Test func inMemoryClusterPassesClusterCoordinatorConformance() async {
        let report = await ClusterCoordinatorConformance {
            let cluster = InMemoryCluster()
            return .init(newSession: {
                let session = cluster.session()
                return .init(coordinator: session, end: { await session.expire() })
            }, changeTopics: { await cluster.topicsChanged() })
        }.run()
        #expect(report.failures.isEmpty, "\(report)")
        #expect(report.passed.count == ClusterCoordinatorConformance.checkNames.count, "every check runs: \(report.passed)")
    }

    @Test func aCoordinatorThatForgetsEndedSessionsIsCaught() async {
        // Ending a session that does nothing: its broker and claim stay.
        let report = await ClusterCoordinatorConformance(eventTimeout: .milliseconds(300)) {
            let cluster = InMemoryCluster()
            return .init(newSession: { .init(coordinator: cluster.session(), end: {}) }, changeTopics: { await cluster.topicsChanged() })
        }.run()
        #expect(report.failedChecks.contains("sessionEndRemovesBrokerAndController"), "\(report)")
        #expect(report.failedChecks.contains("epochsIncreaseAcrossElections"), "\(report)")
        #expect(!report.failedChecks.contains("partitionStateLifecycle"), "\(report)")
    }
}
