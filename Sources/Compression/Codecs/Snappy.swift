/// Kafka's snappy codec, in Swift (`SnappyBlock`). Encodes raw snappy, as librdkafka
/// does (the Java client, librdkafka and kafka-python all read it); decodes raw snappy
/// and the xerial framing (a magic header, then big-endian length-prefixed raw blocks)
/// that Java and kafka-python producers write.
enum Snappy {
    /// The first 8 bytes of a xerial snappy stream.
    static let xerialMagic: [UInt8] = [0x82, 0x53, 0x4e, 0x41, 0x50, 0x50, 0x59, 0x00]
    /// Magic, version (Int32) and compatible version (Int32).
    static let xerialHeaderSize = 16

    static func compress(_ input: [UInt8]) throws(CompressionError) -> [UInt8] {
        SnappyBlock.compress(input)
    }

    static func decompress(_ input: [UInt8], limit: Int) throws(CompressionError) -> [UInt8] {
        guard input.count >= xerialHeaderSize, Array(input[0..<8]) == xerialMagic else {
            return try SnappyBlock.decompress(input[...], limit: limit)
        }
        var output: [UInt8] = []
        var position = xerialHeaderSize
        while position < input.count {
            guard position + 4 <= input.count else { throw CompressionError(.snappy, "xerial block length is cut off") }
            let length = Int(input[position]) << 24 | Int(input[position + 1]) << 16 | Int(input[position + 2]) << 8 | Int(input[position + 3])
            position += 4
            guard position + length <= input.count else {
                throw CompressionError(.snappy, "xerial block of \(length) bytes runs past the data")
            }
            output += try SnappyBlock.decompress(input[position..<position + length], limit: limit - output.count)
            position += length
        }
        return output
    }
}
