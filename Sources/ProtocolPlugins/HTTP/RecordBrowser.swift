import NIOCore
import SluiceCompression
import SluiceKernel

/// `GET /api/topics/{name}/partitions/{p}/records?offset=&timestamp=&limit=`: the
/// records of one partition from an offset (default: the log start) or from the first
/// record at or after a timestamp in milliseconds.
struct RecordBrowser: Sendable {
    let reader: any RecordReader
    let observation: any BrokerObservation

    /// Records per page when `limit` is absent.
    static let defaultLimit = 50
    /// The largest `limit` honoured; larger values are capped.
    static let maxLimit = 500
    /// Bytes read per storage call while filling a page.
    static let readBytes = 1 << 20
    /// Largest decompressed batch body accepted (64 MiB).
    static let maxInflatedBytes = 64 << 20

    struct Query {
        var offset: Int64?
        var timestamp: Int64?
        var limit: Int

        /// Parses the query string, naming the bad parameter and what would be valid.
        init(offset: String?, timestamp: String?, limit: String?) throws(APIError) {
            if let offset {
                guard let value = Int64(offset), value >= 0 else {
                    throw .badRequest("offset must be a non-negative integer, got '\(offset)'")
                }
                self.offset = value
            }
            if let timestamp {
                guard let value = Int64(timestamp), value >= 0 else {
                    throw .badRequest("timestamp must be milliseconds since the epoch (a non-negative integer), got '\(timestamp)'")
                }
                self.timestamp = value
            }
            if self.offset != nil && self.timestamp != nil {
                throw .badRequest("give offset or timestamp, not both")
            }
            if let limit {
                guard let value = Int(limit), value >= 1 else { throw .badRequest("limit must be a positive integer, got '\(limit)'") }
                self.limit = min(value, RecordBrowser.maxLimit)
            } else {
                self.limit = RecordBrowser.defaultLimit
            }
        }
    }

    func page(topic: String, partition: Int32, query: Query) async throws(APIError) -> RecordPage {
        guard let record = await observation.topic(named: topic) else { throw .notFound("unknown topic '\(topic)'") }
        let tp = TopicPartition(topic, partition)
        guard let log = await observation.partitionSnapshot(tp) else {
            let count = record.partitionCount
            throw .notFound("topic '\(topic)' has no partition \(partition) (partitions 0–\(count - 1))")
        }
        let start = log.logStartOffset
        let end = log.highWatermark
        var offset = query.offset ?? start
        if let timestamp = query.timestamp {
            do {
                let found = try await reader.listOffset(tp, .timestamp(timestamp))
                offset = found.offset < 0 ? end : found.offset
            } catch {
                throw .unavailable("cannot look up timestamp \(timestamp) in \(tp): \(error)")
            }
        }
        guard offset >= start && offset <= end else {
            throw .badRequest("offset \(offset) is outside \(tp)'s log [\(start), \(end)]; ask for an offset in that range")
        }
        var records: [RecordInfo] = []
        var next = offset
        while records.count < query.limit && next < end {
            let read: LogReadResult
            do {
                read = try await reader.browse(tp, from: next, maxBytes: Self.readBytes)
            } catch .offsetOutOfRange {
                break  // retention moved the log start while paging
            } catch {
                throw .unavailable("reading \(tp) at offset \(next) failed: \(error)")
            }
            let batches: [RecordBatch]
            do {
                batches = try RecordBatch.parse(read.payload.load(), verifyCRC: false)
            } catch {
                throw .unavailable("stored data of \(tp) at offset \(next) is unreadable: \(error)")
            }
            guard !batches.isEmpty else { break }
            for batch in batches where records.count < query.limit {
                let decoded = Self.decode(batch, from: next, limit: query.limit - records.count)
                records += decoded
                if records.count >= query.limit, let last = decoded.last {
                    next = (last.lastOffset ?? last.offset) + 1  // the page ends inside this batch
                } else {
                    next = max(next, batch.lastOffset + 1)
                }
            }
        }
        return RecordPage(topic: topic, partition: partition, logStartOffset: start, logEndOffset: end, nextOffset: next, records: records)
    }

    /// The records of `batch` at or after `offset`, at most `limit`; a batch that cannot be
    /// decoded (corrupt, or inflating past the limit) becomes one entry with its metadata and the reason.
    static func decode(_ batch: RecordBatch, from offset: Int64, limit: Int) -> [RecordInfo] {
        if batch.isControl { return [] }
        let decoded: [Record]
        do {
            decoded = try batch.records { codec, compressed in try BatchCodec.decompress(codec, compressed, limit: maxInflatedBytes) }
        } catch {
            return [marker(batch, "batch \(batch.baseOffset)–\(batch.lastOffset) could not be decoded: \(error)")]
        }
        return decoded.lazy.filter { $0.offset >= offset }.prefix(limit).map { record in
            RecordInfo(offset: record.offset, timestamp: record.timestamp,
                       key: record.key.map { EncodedBytes($0) }, value: record.value.map { EncodedBytes($0) },
                       headers: record.headers.map { HeaderInfo(key: $0.key, value: $0.value.map { EncodedBytes($0) }) },
                       compression: batch.compression.description)
        }
    }

    private static func marker(_ batch: RecordBatch, _ reason: String) -> RecordInfo {
        RecordInfo(offset: batch.baseOffset, timestamp: batch.maxTimestamp, key: nil, value: nil, headers: [],
                   compression: batch.compression.description, undecodable: reason, lastOffset: batch.lastOffset, recordCount: batch.recordCount)
    }
}
