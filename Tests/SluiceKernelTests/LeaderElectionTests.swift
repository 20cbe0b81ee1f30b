import Testing

@testable import SluiceKernel

/// The controller's election rules: unclean elections only when a topic allows them (or an
/// operator asks), and Kafka's outcomes for ElectLeaders.
@Suite struct LeaderElectionTests {
    let tp = TopicPartition("t", 0)

    @Test func noOutOfSyncReplicaLeadsUnlessTheTopicAllowsIt() {
        // Brokers 1 and 2 (the ISR) are gone; 3 is live but out of sync.
        let state = PartitionState(leader: 1, leaderEpoch: 4, isr: [1, 2], controllerEpoch: 1)
        let clean = ClusterController.decide(state, replicas: [1, 2, 3], live: [3], controllerEpoch: 2)
        #expect(clean == PartitionState(leader: -1, leaderEpoch: 5, isr: [1, 2], controllerEpoch: 2))
        let offline = clean!
        #expect(ClusterController.decide(offline, replicas: [1, 2, 3], live: [3], controllerEpoch: 2) == nil)
        // unclean.leader.election.enable=true: broker 3 leads alone, a new epoch.
        let unclean = ClusterController.decide(offline, replicas: [1, 2, 3], live: [3], controllerEpoch: 2, unclean: true)
        #expect(unclean == PartitionState(leader: 3, leaderEpoch: 6, isr: [3], controllerEpoch: 2))
        // While an in-sync replica lives, unclean changes nothing.
        let healthy = PartitionState(leader: 2, leaderEpoch: 4, isr: [1, 2], controllerEpoch: 1)
        #expect(ClusterController.decide(healthy, replicas: [1, 2, 3], live: [2, 3], controllerEpoch: 2, unclean: true)
            == ClusterController.decide(healthy, replicas: [1, 2, 3], live: [2, 3], controllerEpoch: 2))
        // No live replica at all: offline either way.
        #expect(ClusterController.decide(state, replicas: [1, 2, 3], live: [], controllerEpoch: 2, unclean: true)?.leader == -1)
    }

    @Test func topicConfigSaysWhetherUncleanIsAllowed() {
        #expect(!ClusterController.uncleanElectionEnabled([:]))
        #expect(!ClusterController.uncleanElectionEnabled(["unclean.leader.election.enable": "false"]))
        #expect(ClusterController.uncleanElectionEnabled(["unclean.leader.election.enable": "true"]))
        #expect(ClusterController.uncleanElectionEnabled(["unclean.leader.election.enable": "TRUE"]))
    }

    @Test func preferredElections() {
        let notPreferred = PartitionState(leader: 2, leaderEpoch: 5, isr: [1, 2, 3], controllerEpoch: 1)
        #expect(ClusterController.elect(.preferred, tp, notPreferred, replicas: [1, 2, 3], live: [1, 2, 3], controllerEpoch: 2)
            == .success(PartitionState(leader: 1, leaderEpoch: 6, isr: [1, 2, 3], controllerEpoch: 2)))
        let preferred = PartitionState(leader: 1, leaderEpoch: 5, isr: [1, 2, 3], controllerEpoch: 1)
        #expect(ClusterController.elect(.preferred, tp, preferred, replicas: [1, 2, 3], live: [1, 2, 3], controllerEpoch: 2)
            == .failure(.electionNotNeeded(tp)))
        let lagging = PartitionState(leader: 2, leaderEpoch: 5, isr: [2, 3], controllerEpoch: 1)
        #expect(ClusterController.elect(.preferred, tp, lagging, replicas: [1, 2, 3], live: [1, 2, 3], controllerEpoch: 2)
            == .failure(.preferredLeaderNotAvailable(tp, preferred: 1)))
        #expect(ClusterController.elect(.preferred, tp, notPreferred, replicas: [1, 2, 3], live: [2, 3], controllerEpoch: 2)
            == .failure(.preferredLeaderNotAvailable(tp, preferred: 1)))
    }

    @Test func uncleanElections() {
        let led = PartitionState(leader: 2, leaderEpoch: 5, isr: [2], controllerEpoch: 1)
        #expect(ClusterController.elect(.unclean, tp, led, replicas: [1, 2, 3], live: [1, 2, 3], controllerEpoch: 2)
            == .failure(.electionNotNeeded(tp)))
        let offline = PartitionState(leader: -1, leaderEpoch: 5, isr: [1, 2], controllerEpoch: 1)
        // An in-sync replica back: it is chosen before any out-of-sync one.
        #expect(ClusterController.elect(.unclean, tp, offline, replicas: [3, 2, 1], live: [2, 3], controllerEpoch: 2)
            == .success(PartitionState(leader: 2, leaderEpoch: 6, isr: [2], controllerEpoch: 2)))
        // None in sync: the first live replica leads alone.
        #expect(ClusterController.elect(.unclean, tp, offline, replicas: [1, 2, 3], live: [3], controllerEpoch: 2)
            == .success(PartitionState(leader: 3, leaderEpoch: 6, isr: [3], controllerEpoch: 2)))
        #expect(ClusterController.elect(.unclean, tp, offline, replicas: [1, 2, 3], live: [4], controllerEpoch: 2)
            == .failure(.eligibleLeadersNotAvailable(tp)))
    }
}
