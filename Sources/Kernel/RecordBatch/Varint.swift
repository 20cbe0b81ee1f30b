import NIOCore

/// Zig-zag variable-length integers, as Kafka records and flexible message versions use.
extension ByteBuffer {
    /// Writes a zig-zag varint (Kafka `varint`/`varlong`).
    @discardableResult
    public mutating func writeVarint(_ value: Int64) -> Int {
        writeUnsignedVarint(UInt64(bitPattern: (value << 1) ^ (value >> 63)))
    }

    /// Writes an unsigned LEB128 varint (Kafka `unsigned_varint`).
    @discardableResult
    public mutating func writeUnsignedVarint(_ value: UInt64) -> Int {
        var v = value
        var written = 0
        while v >= 0x80 {
            written += writeInteger(UInt8(truncatingIfNeeded: v) | 0x80)
            v >>= 7
        }
        written += writeInteger(UInt8(v))
        return written
    }

    /// Reads a zig-zag varint; nil when the bytes end early or it runs past 10 bytes.
    public mutating func readVarint() -> Int64? {
        guard let raw = readUnsignedVarint() else { return nil }
        return Int64(bitPattern: raw >> 1) ^ -Int64(bitPattern: raw & 1)
    }

    /// Reads an unsigned LEB128 varint; nil when the bytes end early or it runs past 10 bytes.
    public mutating func readUnsignedVarint() -> UInt64? {
        var result: UInt64 = 0
        var shift: UInt64 = 0
        let start = readerIndex
        while shift < 70 {
            guard let byte: UInt8 = readInteger() else {
                moveReaderIndex(to: start)
                return nil
            }
            result |= UInt64(byte & 0x7F) << shift
            if byte & 0x80 == 0 { return result }
            shift += 7
        }
        moveReaderIndex(to: start)
        return nil
    }
}
