import NIOCore

/// One record as producers and consumers see it: key, value, headers, timestamp.
public struct Record: Sendable, Equatable {
    /// A record header: a UTF-8 key and opaque value bytes.
    public struct Header: Sendable, Equatable {
        public var key: String
        public var value: [UInt8]?
        public init(key: String, value: [UInt8]?) {
            self.key = key
            self.value = value
        }
    }

    public var key: [UInt8]?
    public var value: [UInt8]?
    public var headers: [Header]
    /// Milliseconds since the epoch.
    public var timestamp: Int64
    /// Assigned by the log; meaningful only for records read back.
    public var offset: Int64

    public init(key: [UInt8]? = nil, value: [UInt8]?, headers: [Header] = [], timestamp: Int64, offset: Int64 = 0) {
        self.key = key
        self.value = value
        self.headers = headers
        self.timestamp = timestamp
        self.offset = offset
    }
}
