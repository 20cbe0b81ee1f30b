import Logging
import SluiceKernel

extension Server {
    /// Raises the soft open-file limit to the hard one before any partition opens, as Go's
    /// runtime and many servers do; the segment log sizes its descriptor cache from it.
    func raiseOpenFileLimit() -> OpenFileLimit? {
        guard let (before, after) = OpenFileLimit.raiseSoftToHard() else {
            logger.warning("could not read the open-file limit (RLIMIT_NOFILE)")
            return nil
        }
        if before != after {
            logger.info("raised the open-file limit", metadata: ["before": "\(before)", "now": "\(after)"])
        }
        return after
    }

    /// Logs the limit beside what the partitions this broker holds need, and warns when
    /// they leave little room.
    func reportOpenFileNeeds(_ limit: OpenFileLimit?, broker: Broker, storage: any LogStorage) async {
        guard let limit else { return }
        let partitions = await broker.localPartitions().count
        let needed = partitions * storage.descriptorsPerPartition + storage.descriptorBudget
        let metadata: Logger.Metadata = ["limit": "\(limit)", "partitions": "\(partitions)",
                                         "descriptorsNeeded": "\(needed)",
                                         "descriptorsOpen": "\(OpenFileLimit.openDescriptors().map(String.init) ?? "unknown")"]
        if let soft = limit.soft, UInt64(needed) * 10 > soft * 8 {
            logger.warning("the partitions held need most of the open-file limit; raise it (ulimit -Hn, systemd LimitNOFILE=) before adding more",
                           metadata: metadata)
        } else {
            logger.info("open-file limit", metadata: metadata)
        }
    }
}
