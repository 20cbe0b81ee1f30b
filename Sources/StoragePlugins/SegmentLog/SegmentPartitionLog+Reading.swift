import Foundation
import NIOCore
import SluiceKernel

extension SegmentPartitionLog {
    func offsets() async throws -> LogOffsets {
        try checkOpen()
        return LogOffsets(logStartOffset: logStartOffset, logEndOffset: logEndOffset,
                          sizeBytes: segments.reduce(0) { $0 + $1.size })
    }

    /// Reads whole batches as a file region of one segment, for `sendfile`. A read that
    /// runs on into the next segment (once per segment) returns the bytes instead, so
    /// that `maxBytes` is honoured as the contract states.
    ///
    /// Reopening an evicted descriptor suspends; a truncation meanwhile starts the read
    /// over, so that it never returns bytes that were cut.
    func read(from offset: Int64, maxBytes: Int, maxOffset: Int64?, minOneBatch: Bool) async throws -> LogReadResult {
        while true {
            let truncationsAtStart = truncations
            if let result = try await read(from: offset, maxBytes: maxBytes, maxOffset: maxOffset, minOneBatch: minOneBatch,
                                           unless: truncationsAtStart) {
                return result
            }
        }
    }

    /// One attempt of `read`; nil when a truncation happened while a descriptor opened.
    private func read(from offset: Int64, maxBytes: Int, maxOffset: Int64?, minOneBatch: Bool,
                      unless truncationsAtStart: UInt64) async throws -> LogReadResult? {
        try checkOpen()
        let start = logStartOffset, end = logEndOffset
        guard offset >= start, offset <= end else {
            throw StorageError.offsetOutOfRange(requested: offset, logStartOffset: start, logEndOffset: end)
        }
        let limit = min(maxOffset ?? end, end)
        var regions: [LogFileRegion] = []
        var remaining = max(0, maxBytes)
        var next = offset
        var index = segmentIndex(containing: offset)
        while next < limit, index < segments.count {
            let segment = segments[index]
            let segmentFile = try await file(of: segment)
            try checkOpen()
            guard truncations == truncationsAtStart else { return nil }
            guard let (position, header) = try segment.locate(next, file: segmentFile) else {
                index += 1
                continue
            }
            var stop = try segment.endOfBatches(from: position, maxBytes: remaining, below: limit, file: segmentFile)
            if stop == position {
                guard regions.isEmpty, minOneBatch, header.lastOffset < limit else { break }
                stop = position + Int64(header.size)
            }
            regions.append(LogFileRegion(file: segmentFile, offset: position, length: Int(stop - position)))
            remaining -= Int(stop - position)
            guard stop == segment.size, remaining > 0 else { break }
            next = segment.nextOffset
            index += 1
        }
        return LogReadResult(payload: try payload(regions), logStartOffset: start, logEndOffset: end)
    }

    private func payload(_ regions: [LogFileRegion]) throws -> LogPayload {
        switch regions.count {
        case 0: return .empty
        case 1 where regions[0].length >= options.smallestFileRegion: return .file(regions[0])
        default:
            var bytes = ByteBufferAllocator().buffer(capacity: regions.reduce(0) { $0 + $1.length })
            for region in regions {
                var part = try region.load()
                bytes.writeBuffer(&part)
            }
            return .bytes(bytes)
        }
    }

    func batch(atOrAfterTimestamp timestamp: Int64) async throws -> LogBatchPosition? {
        try checkOpen()
        for segment in segments where segment.maxTimestamp >= timestamp {
            if let header = try segment.firstBatch(atOrAfter: timestamp, file: try await file(of: segment)) { return Self.position(header) }
        }
        return nil
    }

    func batchWithMaxTimestamp() async throws -> LogBatchPosition? {
        try checkOpen()
        var best: LogSegment?
        for segment in segments where segment.maxTimestamp >= 0 && segment.maxTimestamp > best?.maxTimestamp ?? -1 {
            best = segment
        }
        guard let best else { return nil }
        return try best.batchWithMaxTimestamp(file: try await file(of: best)).map(Self.position)
    }

    private static func position(_ header: BatchHeader) -> LogBatchPosition {
        LogBatchPosition(baseOffset: header.baseOffset, lastOffset: header.lastOffset, maxTimestamp: header.maxTimestamp)
    }

    /// The index of the last segment whose base offset is at or below `offset`.
    func segmentIndex(containing offset: Int64) -> Int {
        var low = 0, high = segments.count
        while low < high {
            let mid = (low + high) / 2
            if segments[mid].baseOffset <= offset { low = mid + 1 } else { high = mid }
        }
        return max(0, low - 1)
    }
}
