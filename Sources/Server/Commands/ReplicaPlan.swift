/// Replica moves the `sluice cluster` tools plan: pure functions over an assignment
/// (partition → replicas, preferred leader first) and the live broker ids.
struct ReplicaPlan {
    /// Partition → replicas, preferred leader first.
    var assignment: [PartitionKey: [Int32]]

    struct PartitionKey: Hashable, Comparable, CustomStringConvertible {
        var topic: String
        var partition: Int32
        static func < (a: Self, b: Self) -> Bool { (a.topic, a.partition) < (b.topic, b.partition) }
        var description: String { "\(topic)-\(partition)" }
    }

    /// Replicas per broker (every broker in `brokers` listed, also with 0).
    func replicaCounts(_ brokers: [Int32]) -> [Int32: Int] {
        var counts = Dictionary(uniqueKeysWithValues: brokers.map { ($0, 0) })
        for replicas in assignment.values { for id in replicas where counts[id] != nil { counts[id]! += 1 } }
        return counts
    }

    /// Preferred leaders per broker.
    func leaderCounts(_ brokers: [Int32]) -> [Int32: Int] {
        var counts = Dictionary(uniqueKeysWithValues: brokers.map { ($0, 0) })
        for replicas in assignment.values { if let first = replicas.first, counts[first] != nil { counts[first]! += 1 } }
        return counts
    }

    /// Moves every replica off `broker` onto the live broker with the fewest replicas that
    /// does not hold the partition yet (keeping its position, so a preferred leader's
    /// replacement becomes the preferred leader).
    mutating func drain(_ broker: Int32, live: [Int32]) throws(PlanError) {
        let targets = live.filter { $0 != broker }
        for key in assignment.keys.sorted() where assignment[key]!.contains(broker) {
            let replicas = assignment[key]!
            let counts = replicaCounts(targets)
            guard let next = targets.filter({ !replicas.contains($0) }).min(by: { (counts[$0]!, $0) < (counts[$1]!, $1) }) else {
                throw .noRoom(key.description, replicas: replicas)
            }
            assignment[key] = replicas.map { $0 == broker ? next : $0 }
        }
    }

    /// Evens replicas, then preferred leaders, across `live` to within one per broker:
    /// repeatedly moves a replica from the fullest broker to the emptiest one that does not
    /// hold that partition, then swaps leader positions inside partitions. Replicas on
    /// brokers that are not live are left alone (drain them first).
    mutating func rebalance(live: [Int32]) {
        guard live.count > 1 else { return }
        for _ in 0..<100_000 {
            let counts = replicaCounts(live)
            let order = live.sorted { (counts[$0]!, $0) < (counts[$1]!, $1) }
            guard let low = order.first, let high = order.last, counts[high]! - counts[low]! > 1 else { break }
            guard let key = assignment.keys.sorted().first(where: { assignment[$0]!.contains(high) && !assignment[$0]!.contains(low) })
            else { break }
            assignment[key] = assignment[key]!.map { $0 == high ? low : $0 }
        }
        for _ in 0..<100_000 {
            let counts = leaderCounts(live)
            let order = live.sorted { (counts[$0]!, $0) < (counts[$1]!, $1) }
            guard let low = order.first, let high = order.last, counts[high]! - counts[low]! > 1 else { break }
            guard let key = assignment.keys.sorted().first(where: { assignment[$0]!.first == high && assignment[$0]!.contains(low) })
            else { break }
            var replicas = assignment[key]!
            let at = replicas.firstIndex(of: low)!
            replicas.swapAt(0, at)
            assignment[key] = replicas
        }
    }

    /// Partitions whose replicas differ from `before`, sorted.
    func changes(from before: ReplicaPlan) -> [(PartitionKey, from: [Int32], to: [Int32])] {
        assignment.keys.sorted().compactMap { key in
            let old = before.assignment[key] ?? []
            return old == assignment[key]! ? nil : (key, old, assignment[key]!)
        }
    }

    enum PlanError: Error, CustomStringConvertible {
        case noRoom(String, replicas: [Int32])
        var description: String {
            switch self {
            case .noRoom(let partition, let replicas):
                "partition \(partition) (replicas \(replicas)) has no other live broker to move to; start another broker first"
            }
        }
    }
}
