import Foundation
import NIOCore

/// Reads Kafka's primitive types from the bytes of one message, throwing instead of
/// trapping on short or malformed input. Lengths are checked against the bytes left
/// before anything is allocated, so a hostile count cannot make the reader reserve memory.
public struct WireReader: Sendable {
    public private(set) var buffer: ByteBuffer

    /// Reads from the readable bytes of `buffer` (no copy).
    public init(_ buffer: ByteBuffer) { self.buffer = buffer }

    /// Bytes not yet read.
    public var remaining: Int { buffer.readableBytes }

    private func require(_ count: Int) throws(KafkaCodecError) {
        guard buffer.readableBytes >= count else {
            throw .truncated(needed: count, available: buffer.readableBytes)
        }
    }

    public mutating func integer<T: FixedWidthInteger>(_: T.Type = T.self) throws(KafkaCodecError) -> T {
        try require(MemoryLayout<T>.size)
        return buffer.readInteger(as: T.self)!
    }

    public mutating func bool() throws(KafkaCodecError) -> Bool { try integer(UInt8.self) != 0 }

    public mutating func float64() throws(KafkaCodecError) -> Double {
        Double(bitPattern: try integer(UInt64.self))
    }

    public mutating func uuid() throws(KafkaCodecError) -> UUID {
        try require(16)
        let b = buffer.readBytes(length: 16)!
        return UUID(uuid: (b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7],
                           b[8], b[9], b[10], b[11], b[12], b[13], b[14], b[15]))
    }

    /// An unsigned LEB128 varint of at most 5 bytes (Kafka `unsigned_varint`).
    public mutating func unsignedVarint() throws(KafkaCodecError) -> UInt32 {
        var result: UInt32 = 0
        for shift in stride(from: 0, to: 35, by: 7) {
            let byte = try integer(UInt8.self)
            result |= UInt32(byte & 0x7F) << UInt32(shift)
            if byte & 0x80 == 0 { return result }
        }
        throw .invalidVarint
    }

    /// A length (or count) prefix: int16/int32 in classic versions, `unsigned_varint`
    /// of length + 1 in flexible ones. Returns nil for the null marker.
    mutating func lengthPrefix(flexible: Bool, classicWidth: Int) throws(KafkaCodecError) -> Int? {
        let length: Int64
        if flexible {
            length = Int64(try unsignedVarint()) - 1
        } else if classicWidth == 2 {
            length = Int64(try integer(Int16.self))
        } else {
            length = Int64(try integer(Int32.self))
        }
        if length == -1 { return nil }
        guard length >= 0 else { throw .invalidLength(length) }
        return Int(length)
    }

    /// A count of array elements; every element takes at least one byte, so a count larger
    /// than the bytes left is refused before any element is decoded.
    mutating func arrayCount(flexible: Bool) throws(KafkaCodecError) -> Int? {
        guard let count = try lengthPrefix(flexible: flexible, classicWidth: 4) else { return nil }
        guard count <= buffer.readableBytes else { throw .invalidLength(Int64(count)) }
        return count
    }

    public mutating func string(flexible: Bool) throws(KafkaCodecError) -> String? {
        guard let length = try lengthPrefix(flexible: flexible, classicWidth: 2) else { return nil }
        try require(length)
        return buffer.readString(length: length)!
    }

    public mutating func bytes(flexible: Bool) throws(KafkaCodecError) -> ByteBuffer? {
        guard let length = try lengthPrefix(flexible: flexible, classicWidth: 4) else { return nil }
        return try slice(length)
    }

    /// The next `length` bytes, without copying.
    public mutating func slice(_ length: Int) throws(KafkaCodecError) -> ByteBuffer {
        try require(length)
        return buffer.readSlice(length: length)!
    }

    public mutating func skip(_ length: Int) throws(KafkaCodecError) {
        try require(length)
        buffer.moveReaderIndex(forwardBy: length)
    }
}
