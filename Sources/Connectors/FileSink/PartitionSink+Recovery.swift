import Logging
import SluiceKernel

/// Getting back to a committed state: at start, after a crash, and after every error.
extension PartitionSink {
    /// Restores the stored position, or stores a first one from `startFrom`:
    ///
    /// - the file the position names is cut back to its committed length (a torn or
    ///   uncommitted tail goes);
    /// - files created after it (their first offset is at or past the stored next
    ///   offset) hold only uncommitted records and are deleted;
    /// - older files are complete and left alone.
    func recover() async throws(FileSinkError) {
        closeFile()
        pending.removeAll(keepingCapacity: true)
        try directory.create()
        if let stored = try await positions.load(topicPartition) {
            try restore(stored)
        } else {
            let start = try await startOffset()
            try await startFresh(at: start)
            logger.info("file sink starting at offset \(start) (startFrom \(settings.startFrom.rawValue))", metadata: ["path": "\(directory.path)"])
        }
        nextOffset = committed.nextOffset
        uncommitted = false
        lastFlush = .now
    }

    private func restore(_ stored: SinkPosition) throws(FileSinkError) {
        for candidate in try directory.logFiles() where candidate.name != stored.file && candidate.firstOffset >= stored.nextOffset {
            try directory.remove(candidate.name)
            logger.info("removed \(candidate.name): it holds only records after the stored position (offset \(stored.nextOffset)); they are written again")
        }
        if let name = stored.file {
            if let size = try directory.size(of: name) {
                let reopened = try SinkFile.open(name, in: directory.path, createdMs: stored.fileCreatedMs)
                if size > stored.fileBytes {
                    try reopened.truncate(to: stored.fileBytes)
                    logger.info("cut \(size - stored.fileBytes) uncommitted bytes off \(name) (back to \(stored.fileBytes) bytes); their records are written again")
                } else if size < stored.fileBytes {
                    logger.error("\(reopened.path) holds \(size) bytes but \(stored.fileBytes) were committed: it was shortened outside sluice, and the records in the missing bytes are not in the files. Appending after what is left.")
                }
                file = reopened
            } else if stored.fileBytes > 0 {
                logger.error("\(directory.path)/\(name) is missing but its position says it held \(stored.fileBytes) bytes: it was removed outside sluice. Records from offset \(stored.nextOffset) go to a new file.")
            }
        }
        committed = stored
    }

    /// Starts the partition at `offset` with no current file, setting aside (never
    /// deleting) files at or after it, which no stored position accounts for: they were
    /// left by an earlier run whose positions are gone, or by a log that was reset.
    func startFresh(at offset: Int64) async throws(FileSinkError) {
        closeFile()
        pending.removeAll(keepingCapacity: true)
        for candidate in try directory.logFiles() where candidate.firstOffset >= offset {
            let newName = try directory.setAside(candidate.name, nowMs: settings.nowMs())
            logger.warning("\(directory.path)/\(candidate.name) holds records no stored position accounts for; renamed it to \(newName) so nothing is overwritten")
        }
        let position = SinkPosition(nextOffset: offset, file: nil, fileBytes: 0, fileCreatedMs: 0)
        try await positions.store(position, for: topicPartition)
        committed = position
        nextOffset = offset
        uncommitted = false
    }

    /// The first offset for a partition without a stored position.
    private func startOffset() async throws(FileSinkError) -> Int64 {
        do {
            return try await reader.listOffset(topicPartition, settings.startFrom == .earliest ? .earliest : .latest).offset
        } catch {
            throw .fetch(topicPartition, reason: error.description)
        }
    }

    /// The stored offset is outside the log: below its start (retention deleted records
    /// before they were sunk) or past its end (the broker's log lost records).
    func outOfRange(requested: Int64, logStart: Int64, logEnd: Int64) async throws(FileSinkError) {
        if requested < logStart {
            logger.warning("records \(requested)..<\(logStart) were deleted by retention before they were sunk; continuing at \(logStart). Raise the topic's retention or find why the sink fell behind.")
            try writePending()
            nextOffset = logStart
            uncommitted = true
            try await flush()
        } else {
            logger.error("the stored position \(requested) is past the log end \(logEnd): the broker lost records it had. Continuing at \(logEnd) in new files; the old files are kept.")
            try await flush()
            try await startFresh(at: logEnd)
        }
    }

    /// True when the partition's topic was deleted or shrank: the sink then ends.
    func partitionIsGone() async -> Bool {
        guard let topic = await topics.topic(named: topicPartition.topic), topicPartition.partition < topic.partitionCount else {
            logger.notice("the partition no longer exists; its file sink stops (files and position are kept)")
            return true
        }
        return false
    }
}
