import ConformanceKit
import Foundation
import SluiceKernel

extension LogStorageConformance {
    /// `open` of several partitions at once: the logs come back in the order asked for,
    /// an already open partition's log is the same one, each log works, and (durable
    /// storage) every one of them is there after a reopen.
    func openSeveralAtOnce() async throws {
        let already = TopicPartition("several", 0)
        let partitions = (0..<24).map { TopicPartition("several", Int32($0)) }
        try await withStorage { storage in
            let first = try await storage.open(already, config: storage.defaultLogConfig)
            _ = try await first.append([makeBatch(1, tag: "before")])
            let open = try await storage.open(partitions.map { ($0, storage.defaultLogConfig) })
            try conform(open.map(\.topicPartition) == partitions,
                        "open(several) must return the logs in the order asked for, got \(open.map(\.topicPartition))")
            try conform(open[0] === first, "open(several) must return an already open partition's log")
            for (index, log) in open.enumerated() {
                let info = try await log.append([makeBatch(2, tag: "p\(index)")])
                let expected: Int64 = index == 0 ? 1 : 0
                try conform(info.firstOffset == expected, "\(log.topicPartition): first offset \(expected), got \(info.firstOffset)")
                try await log.flush()
            }
        }
        guard durable else { return }
        try await withStorage { storage in
            let stored = Set(try await storage.storedPartitions())
            try conform(stored.isSuperset(of: partitions), "after a reopen every partition opened at once is stored, got \(stored.sorted())")
            for log in try await storage.open(partitions.map { ($0, storage.defaultLogConfig) }) {
                let end = try await log.offsets().logEndOffset
                let expected: Int64 = log.topicPartition == already ? 3 : 2
                try conform(end == expected, "\(log.topicPartition) must end at \(expected) after a reopen, got \(end)")
            }
        }
    }
}
