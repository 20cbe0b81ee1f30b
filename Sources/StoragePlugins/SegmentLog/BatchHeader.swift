import SluiceKernel

/// The fields of a stored v2 batch header the log needs to find its way through a
/// segment: where the batch ends, which offsets it holds, its max timestamp.
struct BatchHeader: Equatable {
    /// Bytes needed to read every field below (through `maxTimestamp`).
    static let prefixSize = 43
    /// The smallest possible batch: a header with no records.
    static let minimumSize = RecordBatch.headerSize

    var baseOffset: Int64
    /// Total bytes of the batch, length prefix included.
    var size: Int
    var lastOffsetDelta: Int32
    /// Milliseconds since the epoch.
    var maxTimestamp: Int64

    var lastOffset: Int64 { baseOffset + Int64(lastOffsetDelta) }
    var nextOffset: Int64 { lastOffset + 1 }

    /// Parses the header at the start of `bytes`; nil when the bytes cannot be a v2 batch
    /// header (too short, impossible length, wrong magic, negative offset delta).
    init?(_ bytes: UnsafeRawBufferPointer) {
        guard bytes.count >= Self.prefixSize else { return nil }
        func int64(_ at: Int) -> Int64 { Int64(bigEndian: bytes.loadUnaligned(fromByteOffset: at, as: Int64.self)) }
        func int32(_ at: Int) -> Int32 { Int32(bigEndian: bytes.loadUnaligned(fromByteOffset: at, as: Int32.self)) }
        let length = int32(8)
        guard length >= Int32(RecordBatch.headerSize - RecordBatch.lengthPrefixSize), bytes[16] == 2 else { return nil }
        let delta = int32(23)
        guard delta >= 0 else { return nil }
        baseOffset = int64(0)
        size = Int(length) + RecordBatch.lengthPrefixSize
        lastOffsetDelta = delta
        maxTimestamp = int64(35)
    }
}

/// Walks the batch headers of one segment file through a small read-ahead window, so a
/// scan over many small batches costs a few `pread`s rather than one per batch.
///
/// Reads only headers: it trusts that the bytes between them belong to the batches,
/// which holds for data that recovery has validated.
struct BatchHeaderReader: ~Copyable {
    private let fd: CInt
    private let path: String
    /// The readable end of the segment (its size when the reader was made).
    let end: Int64
    private let window: UnsafeMutableRawBufferPointer
    private var windowStart: Int64 = 0
    private var windowCount = 0

    init(fd: CInt, path: String, end: Int64, windowSize: Int = 16 * 1024) {
        self.fd = fd
        self.path = path
        self.end = end
        self.window = .allocate(byteCount: max(windowSize, BatchHeader.prefixSize), alignment: 8)
    }

    deinit { window.deallocate() }

    /// The header of the batch at `position`; nil when no whole batch starts there
    /// (end of the segment, a torn tail, or bytes that are no batch).
    mutating func header(at position: Int64) throws -> BatchHeader? {
        guard position + Int64(BatchHeader.minimumSize) <= end else { return nil }
        if position < windowStart || position + Int64(BatchHeader.prefixSize) > windowStart + Int64(windowCount) {
            let wanted = Int(min(Int64(window.count), end - position))
            windowCount = try FileIO.read(fd, into: UnsafeMutableRawBufferPointer(rebasing: window[..<wanted]),
                                          at: position, path: path)
            windowStart = position
        }
        let from = Int(position - windowStart)
        guard let header = BatchHeader(UnsafeRawBufferPointer(rebasing: window[from..<windowCount])),
              position + Int64(header.size) <= end else { return nil }
        return header
    }

    /// Walks from `position` (a batch start) while `keepGoing` says so, returning the
    /// position where it stopped: at the batch it refused or at the end of whole batches.
    mutating func scan(from position: Int64,
                       while keepGoing: (BatchHeader, Int64) throws -> Bool) throws -> Int64 {
        var at = position
        while let header = try header(at: at), try keepGoing(header, at) {
            at += Int64(header.size)
        }
        return at
    }
}
