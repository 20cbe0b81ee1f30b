/// Where the replicas of new partitions go.
enum ReplicaAssignment {
    /// Kafka's rack-unaware placement: partition p's first replica (its preferred leader)
    /// is broker (p + start) mod n, so leaders spread evenly; the other replicas follow at
    /// a shift that grows once every n partitions, so followers spread as well. `start` and
    /// the first shift are random, so several topics do not all pile onto broker 0.
    static func spread(partitions: Range<Int32>, replicationFactor: Int, brokers: [Int32],
                       start: Int = Int.random(in: 0..<1_000_000), shift: Int = Int.random(in: 0..<1_000_000)) -> [[Int32]] {
        let n = brokers.count
        precondition(n > 0 && (1...n).contains(replicationFactor))
        var result: [[Int32]] = []
        for p in partitions.map(Int.init) {
            let first = (p + start) % n
            let replicaShift = shift + p / n
            var replicas = [brokers[first]]
            for j in 0..<(replicationFactor - 1) {
                replicas.append(brokers[(first + 1 + (replicaShift + j) % (n - 1)) % n])
            }
            result.append(replicas)
        }
        return result
    }

    /// Checks an explicit assignment: every partition names at least one broker, no broker
    /// twice, only live brokers, and the same number of replicas everywhere.
    static func validate(_ assignment: [[Int32]], liveBrokers: [Int32]) throws(BrokerError) {
        guard let size = assignment.first?.count else {
            throw .invalidReplicaAssignment("the assignment names no partitions")
        }
        for (index, replicas) in assignment.enumerated() {
            guard !replicas.isEmpty else { throw .invalidReplicaAssignment("partition \(index) has no replicas") }
            guard Set(replicas).count == replicas.count else {
                throw .invalidReplicaAssignment("partition \(index) names a broker twice: \(replicas)")
            }
            guard replicas.count == size else {
                throw .invalidReplicaAssignment("every partition needs the same number of replicas; partition \(index) has \(replicas.count), partition 0 has \(size)")
            }
            if let unknown = replicas.first(where: { !liveBrokers.contains($0) }) {
                throw .invalidReplicaAssignment("partition \(index) names broker \(unknown), which is not a live broker (live: \(liveBrokers))")
            }
        }
    }
}
