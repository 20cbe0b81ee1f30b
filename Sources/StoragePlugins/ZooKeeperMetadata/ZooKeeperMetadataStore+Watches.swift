import SluiceKernel

/// Turns ZooKeeper's one-shot watches into `ClusterEvent`s and keeps them armed.
///
/// Every watch is re-set by the read that follows it firing, and the event is published
/// after that read, so a change between the two is never missed (receivers re-read).
/// After a reconnect or a new session, every watch is set again and a conservative set
/// of events is published: events may be coalesced, never lost.
extension ZooKeeperMetadataStore {
    func received(_ notification: ZooKeeperNotification) async {
        guard !closed else { return }
        switch notification {
        case .connected(let reconnected):
            if reconnected { await rearmAfterGap() }
        case .disconnected:
            break
        case .sessionReplaced:
            logger[metadataKey: "zk.session"] = "\(sessionHex(await client.sessionID))"
            logger.warning("ZooKeeper session expired: this broker's registration and controller claim are gone")
            publish(.sessionExpired)
            await rearmAfterGap()
        case .watch(let type, let path):
            do {
                try await watchFired(type: type, path: path)
            } catch {
                logger.warning("could not re-set the watch on \(path): \(error); re-setting all watches")
                await rearmAfterGap()
            }
        }
    }

    /// Sets every watch again and tells subscribers to re-read everything.
    private func rearmAfterGap() async {
        let before = knownStates
        do {
            try await armAllWatches()
        } catch {
            guard !closed else { return }
            logger.warning("could not set the ZooKeeper watches: \(error); trying again in 1 s")
            Task {
                try? await Task.sleep(for: .seconds(1))
                await self.rearmAfterGap()
            }
            return
        }
        publish(.brokersChanged)
        publish(.controllerChanged)
        publish(.topicsChanged)
        var partitions = Set<TopicPartition>()
        for (topic, indexes) in before.merging(knownStates, uniquingKeysWith: { $0.union($1) }) {
            for index in indexes { partitions.insert(TopicPartition(ZNodeLayout.decode(topic), index)) }
        }
        for partition in partitions.sorted() { publish(.partitionStateChanged(partition)) }
    }

    /// Sets the watch on every znode `events()` reports from.
    func armAllWatches() async throws {
        _ = try await client.children(ZNodeLayout.brokerIDs, watch: true)
        _ = try await client.exists(ZNodeLayout.controller, watch: true)
        try await armTopics()
        let stateTopics = try await client.children(ZNodeLayout.partitions, watch: true)
        knownStates = knownStates.filter { stateTopics.contains($0.key) }
        for topic in stateTopics { _ = try await armStates(topic) }
    }

    private func armTopics() async throws {
        let names = Set(try await client.children(ZNodeLayout.topics, watch: true))
        for name in names where !watchedTopics.contains(name) {
            _ = try await client.exists("\(ZNodeLayout.topics)/\(name)", watch: true)
        }
        watchedTopics = names
    }

    /// Watches `/partitions/<topic>` and each state in it; returns the partitions that
    /// appeared or vanished since the last look.
    private func armStates(_ topic: String) async throws -> Set<Int32> {
        let parent = "\(ZNodeLayout.partitions)/\(topic)"
        let old = knownStates[topic] ?? []
        let names: [String]
        do {
            names = try await client.children(parent, watch: true)
        } catch ZooKeeperError.noNode {
            knownStates.removeValue(forKey: topic)
            return old
        }
        let now = Set(names.compactMap { Int32($0) })
        for partition in now.subtracting(old) { _ = try await client.exists("\(parent)/\(partition)", watch: true) }
        knownStates[topic] = now
        return now.symmetricDifference(old)
    }

    private func watchFired(type: WatchEventType, path: String) async throws {
        let parts = path.split(separator: "/").map(String.init)
        switch parts.count {
        case 2 where path == ZNodeLayout.brokerIDs:
            _ = try await client.children(path, watch: true)
            publish(.brokersChanged)
        case 1 where path == ZNodeLayout.controller:
            _ = try await client.exists(path, watch: true)
            publish(.controllerChanged)
        case 1 where path == ZNodeLayout.topics:
            try await armTopics()
            publish(.topicsChanged)
        case 2 where parts[0] == "topics":
            if type != .deleted { _ = try await client.exists(path, watch: true) }
            publish(.topicsChanged)
        case 1 where path == ZNodeLayout.partitions:
            let topics = Set(try await client.children(path, watch: true))
            var changed: [TopicPartition] = []
            for topic in topics.union(knownStates.keys) {
                guard !topics.contains(topic) || knownStates[topic] == nil else { continue }
                for partition in try await armStates(topic) { changed.append(TopicPartition(ZNodeLayout.decode(topic), partition)) }
            }
            for partition in changed.sorted() { publish(.partitionStateChanged(partition)) }
        case 2 where parts[0] == "partitions":
            for partition in try await armStates(parts[1]).sorted() {
                publish(.partitionStateChanged(TopicPartition(ZNodeLayout.decode(parts[1]), partition)))
            }
        case 3 where parts[0] == "partitions":
            guard let partition = Int32(parts[2]) else { return }
            if type != .deleted { _ = try await client.exists(path, watch: true) }
            publish(.partitionStateChanged(TopicPartition(ZNodeLayout.decode(parts[1]), partition)))
        default:
            logger.debug("ignoring a watch on \(path)")
        }
    }
}
