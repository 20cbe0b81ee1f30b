import NIOCore

/// Bytes of an open file that go into a frame without being read into memory: a log
/// segment's record batches, which the connection's writer sends with `sendfile` (NIO's
/// `FileRegion`). The codec only counts them, and loads them when asked; it never knows
/// where they come from. The Kafka plugin makes the kernel's `LogFileRegion` one.
public protocol WireFileRegion: Sendable {
    /// The open file descriptor the bytes are in. The conforming value owns it and keeps
    /// it open while the value lives: a writer holds the value until the send ends and
    /// never closes the descriptor itself.
    var fileDescriptor: CInt { get }
    /// Where the region starts, in bytes from the start of the file.
    var fileOffset: Int64 { get }
    /// The region's length in bytes.
    var byteCount: Int { get }
    /// Reads the region into memory.
    func load() throws -> ByteBuffer
}
