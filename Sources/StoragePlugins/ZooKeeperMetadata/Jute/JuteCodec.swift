import NIOCore

/// Why bytes from a ZooKeeper server could not be decoded as jute.
struct JuteDecodingError: Error, Sendable, Equatable, CustomStringConvertible {
    /// What was being read ("ReplyHeader.err", "string length", …).
    var field: String
    /// What was wrong with it.
    var problem: String

    var description: String { "cannot decode \(field): \(problem)" }

    static func truncated(_ field: String) -> JuteDecodingError {
        JuteDecodingError(field: field, problem: "the frame ends before it")
    }
}

/// Jute, the binary record encoding of ZooKeeper's client protocol, over `ByteBuffer`.
///
/// Big-endian integers; `boolean` as one byte; `buffer` and `ustring` as a 4-byte length
/// (-1 for null) and the bytes (UTF-8 for strings); `vector` as a 4-byte count (-1 for
/// null) and the elements. Sans-io: no channel, no event loop, so the same code is driven
/// by the connection and by unit tests with golden bytes.
extension ByteBuffer {
    mutating func writeJuteInt(_ value: Int32) { writeInteger(value, endianness: .big) }
    mutating func writeJuteLong(_ value: Int64) { writeInteger(value, endianness: .big) }
    mutating func writeJuteBool(_ value: Bool) { writeInteger(UInt8(value ? 1 : 0)) }

    /// A `buffer`: length and bytes; nil is written as length -1.
    mutating func writeJuteBuffer(_ bytes: [UInt8]?) {
        guard let bytes else { return writeJuteInt(-1) }
        writeJuteInt(Int32(bytes.count))
        writeBytes(bytes)
    }

    /// A `ustring`: its UTF-8 length and bytes; nil is written as length -1.
    mutating func writeJuteString(_ string: String?) {
        guard let string else { return writeJuteInt(-1) }
        let utf8 = Array(string.utf8)
        writeJuteInt(Int32(utf8.count))
        writeBytes(utf8)
    }

    /// A `vector<ustring>`.
    mutating func writeJuteStrings(_ strings: [String]) {
        writeJuteInt(Int32(strings.count))
        for string in strings { writeJuteString(string) }
    }

    mutating func readJuteInt(_ field: String) throws -> Int32 {
        guard let value = readInteger(endianness: .big, as: Int32.self) else { throw JuteDecodingError.truncated(field) }
        return value
    }

    mutating func readJuteLong(_ field: String) throws -> Int64 {
        guard let value = readInteger(endianness: .big, as: Int64.self) else { throw JuteDecodingError.truncated(field) }
        return value
    }

    mutating func readJuteBool(_ field: String) throws -> Bool {
        guard let value = readInteger(as: UInt8.self) else { throw JuteDecodingError.truncated(field) }
        return value != 0
    }

    /// A `buffer`; nil when the length is -1.
    mutating func readJuteBuffer(_ field: String) throws -> [UInt8]? {
        let length = try readJuteInt(field + " length")
        if length < 0 { return nil }
        guard let bytes = readBytes(length: Int(length)) else { throw JuteDecodingError.truncated(field) }
        return bytes
    }

    /// A `ustring`; nil when the length is -1.
    mutating func readJuteString(_ field: String) throws -> String? {
        try readJuteBuffer(field).map { String(decoding: $0, as: UTF8.self) }
    }

    /// A `vector<ustring>`; a null vector reads as empty, as the Java client treats it.
    mutating func readJuteStrings(_ field: String) throws -> [String] {
        let count = try readJuteInt(field + " count")
        guard count > 0 else { return [] }
        // Each element takes at least its 4-byte length: a count beyond that is garbage.
        guard Int(count) <= readableBytes / 4 else {
            throw JuteDecodingError(field: field, problem: "\(count) elements cannot fit in \(readableBytes) bytes")
        }
        return try (0..<Int(count)).map { _ in try readJuteString(field) ?? "" }
    }
}

/// The framing of the client protocol: every packet in either direction is a 4-byte
/// big-endian length followed by that many bytes.
enum ZooKeeperFrame {
    /// Frames larger than this are refused as garbage: the server's own limit
    /// (`jute.maxbuffer`) is 1 MiB by default.
    static let maxLength = 64 * 1024 * 1024

    /// A frame whose body `write` produces; the length prefix is filled in afterwards.
    static func make(allocator: ByteBufferAllocator = ByteBufferAllocator(), _ write: (inout ByteBuffer) -> Void) -> ByteBuffer {
        var buffer = allocator.buffer(capacity: 64)
        buffer.writeJuteInt(0)
        write(&buffer)
        buffer.setInteger(Int32(buffer.readableBytes - 4), at: buffer.readerIndex, endianness: .big)
        return buffer
    }

    /// Splits one whole frame's body off the front of `buffer`, or returns nil when the
    /// frame has not fully arrived yet.
    /// - Throws: when the length is negative or beyond `maxLength`.
    static func split(_ buffer: inout ByteBuffer) throws -> ByteBuffer? {
        guard let length = buffer.getInteger(at: buffer.readerIndex, endianness: .big, as: Int32.self) else { return nil }
        guard length >= 0, Int(length) <= maxLength else {
            throw JuteDecodingError(field: "frame length", problem: "\(length) is outside 0...\(maxLength)")
        }
        guard buffer.readableBytes >= 4 + Int(length) else { return nil }
        buffer.moveReaderIndex(forwardBy: 4)
        return buffer.readSlice(length: Int(length))
    }
}
