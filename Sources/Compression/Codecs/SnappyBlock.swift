/// Snappy's block format ("raw snappy"), written in Swift so that Sluice needs no
/// libsnappy: a varint of the uncompressed length, then elements, each a literal run or
/// a copy of earlier output. The tag byte's low two bits say which:
/// - 0: literal; the length-1 is in the upper six bits, or, for 60–63, in the next
///   1–4 bytes (little-endian);
/// - 1: copy of 4–11 bytes, 11-bit offset (3 bits in the tag, 8 in the next byte);
/// - 2: copy of 1–64 bytes, 16-bit little-endian offset;
/// - 3: copy of 1–64 bytes, 32-bit little-endian offset.
enum SnappyBlock {
    /// Input is compressed in blocks of this many bytes, each matched only against
    /// itself, so every offset fits in 16 bits (snappy's own encoder does the same).
    static let blockSize = 1 << 16
    /// Hash table entries for finding 4-byte matches.
    private static let tableBits = 14

    /// The largest output `compress` can produce for `count` input bytes.
    static func maxCompressedLength(_ count: Int) -> Int { 32 + count + count / 6 }

    // MARK: Compression

    static func compress(_ input: [UInt8]) -> [UInt8] {
        var output = [UInt8]()
        output.reserveCapacity(maxCompressedLength(input.count))
        writeVarint(UInt32(truncatingIfNeeded: input.count), to: &output)
        input.withUnsafeBufferPointer { source in
            var table = [UInt16](repeating: 0, count: 1 << tableBits)
            var start = 0
            while start < source.count {
                let end = min(start + blockSize, source.count)
                compressBlock(source, start, end, &table, &output)
                start = end
            }
        }
        return output
    }

    /// Greedy matching on a hash of 4-byte sequences, skipping faster through data that
    /// finds no match (1 byte per step at first, one more per 32 misses).
    private static func compressBlock(_ source: UnsafeBufferPointer<UInt8>, _ start: Int, _ end: Int,
                                      _ table: inout [UInt16], _ output: inout [UInt8]) {
        var emitted = start
        // Leave 4 bytes at the end: a match needs 4 bytes to compare.
        guard end - start >= 16 else {
            writeLiteral(source, start, end, to: &output)
            return
        }
        for index in table.indices { table[index] = 0 }
        let limit = end - 4
        var position = start + 1
        var misses = 32
        while position <= limit {
            let current = load32(source, position)
            let hash = Int((current &* 0x1E35_A7BD) >> (32 - UInt32(tableBits)))
            let candidate = start + Int(table[hash])
            table[hash] = UInt16(position - start)
            guard candidate < position, load32(source, candidate) == current else {
                position += misses >> 5
                misses += 1
                continue
            }
            misses = 32
            if emitted < position { writeLiteral(source, emitted, position, to: &output) }
            var length = 4
            while position + length < end && source[candidate + length] == source[position + length] { length += 1 }
            writeCopy(offset: position - candidate, length: length, to: &output)
            position += length
            emitted = position
        }
        if emitted < end { writeLiteral(source, emitted, end, to: &output) }
    }

    private static func load32(_ source: UnsafeBufferPointer<UInt8>, _ at: Int) -> UInt32 {
        UInt32(source[at]) | UInt32(source[at + 1]) << 8 | UInt32(source[at + 2]) << 16 | UInt32(source[at + 3]) << 24
    }

    private static func writeVarint(_ value: UInt32, to output: inout [UInt8]) {
        var value = value
        while value >= 0x80 {
            output.append(UInt8(value & 0x7F) | 0x80)
            value >>= 7
        }
        output.append(UInt8(value))
    }

    private static func writeLiteral(_ source: UnsafeBufferPointer<UInt8>, _ from: Int, _ to: Int, to output: inout [UInt8]) {
        let lengthMinusOne = to - from - 1
        if lengthMinusOne < 60 {
            output.append(UInt8(lengthMinusOne << 2))
        } else {
            var extra = 1
            while extra < 4 && lengthMinusOne >> (8 * extra) != 0 { extra += 1 }
            output.append(UInt8((59 + extra) << 2))
            for byte in 0..<extra { output.append(UInt8(truncatingIfNeeded: lengthMinusOne >> (8 * byte))) }
        }
        output.append(contentsOf: UnsafeBufferPointer(rebasing: source[from..<to]))
    }

    /// Copies longer than 64 bytes are split; the last piece is kept at 4 bytes or more
    /// so that it can use the short form when its offset allows.
    private static func writeCopy(offset: Int, length: Int, to output: inout [UInt8]) {
        var length = length
        while length >= 68 {
            writeCopyElement(offset: offset, length: 64, to: &output)
            length -= 64
        }
        if length > 64 {
            writeCopyElement(offset: offset, length: 60, to: &output)
            length -= 60
        }
        writeCopyElement(offset: offset, length: length, to: &output)
    }

    private static func writeCopyElement(offset: Int, length: Int, to output: inout [UInt8]) {
        if length >= 4 && length < 12 && offset < 2048 {
            output.append(UInt8(1 | (length - 4) << 2 | (offset >> 8) << 5))
            output.append(UInt8(truncatingIfNeeded: offset))
        } else {
            output.append(UInt8(2 | (length - 1) << 2))
            output.append(UInt8(truncatingIfNeeded: offset))
            output.append(UInt8(truncatingIfNeeded: offset >> 8))
        }
    }

    // MARK: Decompression

    /// Decodes one raw snappy block.
    /// - Parameter limit: the largest uncompressed length accepted, in bytes.
    static func decompress(_ input: ArraySlice<UInt8>, limit: Int) throws(CompressionError) -> [UInt8] {
        var position = input.startIndex
        var declared = 0
        var shift = 0
        while true {
            guard position < input.endIndex, shift <= 28 else { throw corrupt("no valid length") }
            let byte = input[position]
            position += 1
            declared |= Int(byte & 0x7F) << shift
            if byte < 0x80 { break }
            shift += 7
        }
        guard declared <= UInt32.max else { throw corrupt("no valid length") }
        guard declared <= limit else { throw CompressionError(.snappy, "decompressed data exceeds \(limit) bytes") }
        var failure: String?
        let output = [UInt8](unsafeUninitializedCapacity: declared) { out, count in
            failure = decodeElements(input, from: position, into: out, count: &count)
        }
        if let failure { throw corrupt(failure) }
        return output
    }

    /// Decodes the elements into `out`, whose capacity is the declared length; returns
    /// why the data is corrupt, or nil when it filled `out` exactly.
    private static func decodeElements(_ input: ArraySlice<UInt8>, from start: Int,
                                       into out: UnsafeMutableBufferPointer<UInt8>, count: inout Int) -> String? {
        var position = start
        let end = input.endIndex
        func little(_ bytes: Int) -> Int? {
            guard end - position >= bytes else { return nil }
            var value = 0
            for index in 0..<bytes { value |= Int(input[position + index]) << (8 * index) }
            position += bytes
            return value
        }
        while position < end {
            let tag = input[position]
            position += 1
            let length: Int, offset: Int
            switch tag & 3 {
            case 0:
                var lengthMinusOne = Int(tag >> 2)
                if lengthMinusOne >= 60 {
                    guard let long = little(lengthMinusOne - 59) else { return "a literal's length is cut off" }
                    lengthMinusOne = long
                }
                let literal = lengthMinusOne + 1
                guard end - position >= literal else { return "a literal runs past the data" }
                guard out.count - count >= literal else { return "the data is longer than its declared length" }
                for index in 0..<literal { out[count + index] = input[position + index] }
                count += literal
                position += literal
                continue
            case 1:
                guard position < end else { return "a copy's offset is cut off" }
                length = 4 + Int((tag >> 2) & 7)
                offset = Int(tag >> 5) << 8 | Int(input[position])
                position += 1
            case 2:
                length = 1 + Int(tag >> 2)
                guard let value = little(2) else { return "a copy's offset is cut off" }
                offset = value
            default:
                length = 1 + Int(tag >> 2)
                guard let value = little(4) else { return "a copy's offset is cut off" }
                offset = value
            }
            guard offset > 0, offset <= count else { return "a copy refers to \(offset) bytes back, before the start" }
            guard out.count - count >= length else { return "the data is longer than its declared length" }
            // Byte by byte: a copy may overlap its own output (a repeated run).
            for index in 0..<length { out[count + index] = out[count - offset + index] }
            count += length
        }
        return count == out.count ? nil : "the data is shorter than its declared length"
    }

    private static func corrupt(_ reason: String) -> CompressionError {
        CompressionError(.snappy, "corrupt snappy data: \(reason)")
    }
}
