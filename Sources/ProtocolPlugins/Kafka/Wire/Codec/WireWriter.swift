import Foundation
import NIOCore

/// One piece of an encoded frame: bytes, or a region of a log file that the server sends
/// with `sendfile` without reading it into memory.
public enum FramePart: Sendable {
    case bytes(ByteBuffer)
    case file(any WireFileRegion)

    /// The part's length in bytes.
    public var byteCount: Int {
        switch self {
        case .bytes(let buffer): buffer.readableBytes
        case .file(let region): region.byteCount
        }
    }
}

/// Writes Kafka's primitive types. Record payloads that are large or live in a file are
/// kept as separate parts instead of being copied into the message buffer.
public struct WireWriter: Sendable {
    /// Payloads at least this large (bytes) are kept as their own part rather than copied.
    static let spliceThreshold = 16 * 1024

    public private(set) var buffer: ByteBuffer
    private var finished: [FramePart] = []

    /// - Parameter capacity: initial buffer capacity in bytes.
    public init(capacity: Int = 256) {
        buffer = ByteBufferAllocator().buffer(capacity: capacity)
    }

    /// Bytes written so far, across every part.
    public var byteCount: Int { finished.reduce(buffer.readableBytes) { $0 + $1.byteCount } }

    /// The parts written so far, in order.
    public var parts: [FramePart] {
        buffer.readableBytes > 0 || finished.isEmpty ? finished + [.bytes(buffer)] : finished
    }

    public mutating func integer<T: FixedWidthInteger>(_ value: T) { buffer.writeInteger(value) }

    public mutating func bool(_ value: Bool) { buffer.writeInteger(UInt8(value ? 1 : 0)) }

    public mutating func float64(_ value: Double) { buffer.writeInteger(value.bitPattern) }

    public mutating func uuid(_ value: UUID) {
        withUnsafeBytes(of: value.uuid) { _ = buffer.writeBytes($0) }
    }

    public mutating func unsignedVarint(_ value: UInt32) {
        var v = value
        while v >= 0x80 {
            buffer.writeInteger(UInt8(truncatingIfNeeded: v) | 0x80)
            v >>= 7
        }
        buffer.writeInteger(UInt8(v))
    }

    /// A length or count prefix (nil writes the null marker); see `WireReader.lengthPrefix`.
    mutating func lengthPrefix(_ length: Int?, flexible: Bool, classicWidth: Int) {
        if flexible {
            unsignedVarint(UInt32(truncatingIfNeeded: (length ?? -1) + 1))
        } else if classicWidth == 2 {
            buffer.writeInteger(Int16(truncatingIfNeeded: length ?? -1))
        } else {
            buffer.writeInteger(Int32(truncatingIfNeeded: length ?? -1))
        }
    }

    public mutating func string(_ value: String?, flexible: Bool) {
        guard let value else { return lengthPrefix(nil, flexible: flexible, classicWidth: 2) }
        lengthPrefix(value.utf8.count, flexible: flexible, classicWidth: 2)
        buffer.writeString(value)
    }

    public mutating func bytes(_ value: ByteBuffer?, flexible: Bool) {
        lengthPrefix(value?.readableBytes, flexible: flexible, classicWidth: 4)
        if let value { append(.bytes(value)) }
    }

    /// Appends raw bytes or a file region with no length prefix.
    public mutating func append(_ part: FramePart) {
        switch part {
        case .bytes(var bytes) where bytes.readableBytes < Self.spliceThreshold:
            buffer.writeBuffer(&bytes)
        default:
            if buffer.readableBytes > 0 {
                finished.append(.bytes(buffer))
                buffer = ByteBufferAllocator().buffer(capacity: 256)
            }
            finished.append(part)
        }
    }

    /// Appends everything another writer wrote.
    public mutating func append(_ other: WireWriter) {
        for part in other.parts { append(part) }
    }

    /// Writes a big-endian int32 at absolute byte `index` of the first part (used to
    /// patch a frame's size prefix once the size is known).
    mutating func patchFirstInt32(_ value: Int32, at index: Int) {
        if finished.isEmpty {
            buffer.setInteger(value, at: buffer.readerIndex + index)
        } else if case .bytes(var first) = finished[0] {
            first.setInteger(value, at: first.readerIndex + index)
            finished[0] = .bytes(first)
        }
    }
}
