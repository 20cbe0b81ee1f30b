import CSnappy

/// Kafka's snappy codec. Encodes raw snappy, as librdkafka does (the Java client,
/// librdkafka and kafka-python all read it); decodes raw snappy and the xerial framing
/// (a magic header, then length-prefixed raw blocks) that Java and kafka-python producers write.
enum Snappy {
    /// The first 8 bytes of a xerial snappy stream.
    static let xerialMagic: [UInt8] = [0x82, 0x53, 0x4e, 0x41, 0x50, 0x50, 0x59, 0x00]
    /// Magic, version (Int32) and compatible version (Int32).
    static let xerialHeaderSize = 16

    static func compress(_ input: [UInt8]) throws(CompressionError) -> [UInt8] {
        var length = snappy_max_compressed_length(input.count)
        var output = [UInt8](repeating: 0, count: length)
        let capacity = length
        let status = output.withUnsafeMutableBytes { out in
            input.withUnsafeBytes { source in
                snappy_compress(source.baseAddress?.assumingMemoryBound(to: CChar.self), source.count,
                                out.baseAddress!.assumingMemoryBound(to: CChar.self), &length)
            }
        }
        guard status == SNAPPY_OK else { throw CompressionError(.snappy, "snappy could not compress (status \(status.rawValue))") }
        output.removeLast(capacity - length)
        return output
    }

    static func decompress(_ input: [UInt8], limit: Int) throws(CompressionError) -> [UInt8] {
        guard input.count >= xerialHeaderSize, Array(input[0..<8]) == xerialMagic else {
            return try raw(input[...], limit: limit)
        }
        var output: [UInt8] = []
        var position = xerialHeaderSize
        while position < input.count {
            guard position + 4 <= input.count else { throw CompressionError(.snappy, "xerial block length is cut off") }
            let length = Int(input[position]) << 24 | Int(input[position + 1]) << 16 | Int(input[position + 2]) << 8 | Int(input[position + 3])
            position += 4
            guard length >= 0, position + length <= input.count else {
                throw CompressionError(.snappy, "xerial block of \(length) bytes runs past the data")
            }
            output += try raw(input[position..<position + length], limit: limit - output.count)
            position += length
        }
        return output
    }

    private static func raw(_ input: ArraySlice<UInt8>, limit: Int) throws(CompressionError) -> [UInt8] {
        var length = 0
        let probed = input.withUnsafeBytes { source in
            snappy_uncompressed_length(source.baseAddress?.assumingMemoryBound(to: CChar.self), source.count, &length)
        }
        guard probed == SNAPPY_OK else { throw CompressionError(.snappy, "corrupt snappy data (no valid length)") }
        guard length <= limit else { throw CompressionError(.snappy, "decompressed data exceeds \(limit) bytes") }
        var output = [UInt8](repeating: 0, count: max(length, 1))
        let status = output.withUnsafeMutableBytes { out in
            input.withUnsafeBytes { source in
                snappy_uncompress(source.baseAddress?.assumingMemoryBound(to: CChar.self), source.count,
                                  out.baseAddress!.assumingMemoryBound(to: CChar.self), &length)
            }
        }
        guard status == SNAPPY_OK else { throw CompressionError(.snappy, "corrupt snappy data") }
        output.removeLast(output.count - length)
        return output
    }
}
