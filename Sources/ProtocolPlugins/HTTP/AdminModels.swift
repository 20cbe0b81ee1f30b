import Foundation

/// The JSON shapes of the admin API (`/api/...`); field names are part of the API.

/// One topic of `GET /api/topics`.
struct TopicInfo: Codable, Sendable, Equatable {
    var name: String
    var partitions: [PartitionInfo]
    /// Topic-level configs that differ from the broker's defaults.
    var configs: [String: String]
}

/// One partition of a topic: offsets and bytes stored.
struct PartitionInfo: Codable, Sendable, Equatable {
    var partition: Int32
    var logStartOffset: Int64
    var logEndOffset: Int64
    var sizeBytes: Int64
}

/// One consumer group of `GET /api/groups`.
struct GroupInfo: Codable, Sendable, Equatable {
    var group: String
    /// Kafka's group state name: Empty, PreparingRebalance, CompletingRebalance, Stable, Dead.
    var state: String
    var members: [MemberInfo]
    var offsets: [GroupOffsetInfo]
}

/// A live member of a group.
struct MemberInfo: Codable, Sendable, Equatable {
    var memberId: String
    var clientId: String
    var clientHost: String
}

/// A committed offset with the partition's log end and the lag between them; log end
/// and lag are null when the partition no longer exists.
struct GroupOffsetInfo: Codable, Sendable, Equatable {
    var topic: String
    var partition: Int32
    var committed: Int64
    var logEndOffset: Int64?
    var lag: Int64?
}

/// One plugin instance of `GET /api/connectors` (connectors first, then every other service).
struct ConnectorInfo: Codable, Sendable, Equatable {
    var name: String
    var plugin: String
    /// "source", "sink", or the role of a non-connector service.
    var kind: String
    /// starting, running, stopped or failed.
    var state: String
    /// The connector's stored position (its own keys, e.g. "logs-0" → next offset).
    var position: [String: String]
    var lastError: String?
}

/// `GET /api/topics/{name}/partitions/{p}/records`.
struct RecordPage: Codable, Sendable {
    var topic: String
    var partition: Int32
    var logStartOffset: Int64
    var logEndOffset: Int64
    /// The offset to ask for next to continue after this page.
    var nextOffset: Int64
    var records: [RecordInfo]
}

/// One record, or (with `undecodable` set) the metadata of a batch whose codec the
/// server cannot decode.
struct RecordInfo: Codable, Sendable {
    var offset: Int64
    /// Milliseconds since the epoch.
    var timestamp: Int64
    var key: EncodedBytes?
    var value: EncodedBytes?
    var headers: [HeaderInfo]
    /// The codec of the batch the record is stored in: none, gzip, snappy, lz4 or zstd.
    var compression: String
    /// Set on a compressed batch the server cannot decode: why, and the batch's offsets.
    var undecodable: String?
    var lastOffset: Int64?
    var recordCount: Int32?
}

struct HeaderInfo: Codable, Sendable {
    var key: String
    var value: EncodedBytes?
}

/// Bytes as text when they are valid UTF-8, else as base64; cut to a limit and marked so.
struct EncodedBytes: Codable, Sendable, Equatable {
    /// "utf8" or "base64".
    var encoding: String
    var data: String
    /// The full size in bytes.
    var size: Int
    /// True when `data` holds only the first `limit` bytes.
    var truncated: Bool

    /// Values over 64 KiB are cut to their first 64 KiB.
    static let limit = 64 * 1024

    init(_ bytes: [UInt8], limit: Int = EncodedBytes.limit) {
        size = bytes.count
        truncated = bytes.count > limit
        if let text = String(validating: bytes, as: UTF8.self) {
            encoding = "utf8"
            data = truncated ? String(text.utf8.prefix(limit)) ?? String(decoding: bytes.prefix(limit), as: UTF8.self) : text
        } else {
            encoding = "base64"
            data = Data(bytes.prefix(limit)).base64EncodedString()
        }
    }
}
