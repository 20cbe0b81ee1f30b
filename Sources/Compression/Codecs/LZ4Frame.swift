import CLZ4

/// Kafka's lz4 codec: the LZ4 frame format (lz4frame.h) with independent blocks and no
/// content checksum, which the Java client, librdkafka and kafka-python all read.
enum LZ4Frame {
    static func compress(_ input: [UInt8]) throws(CompressionError) -> [UInt8] {
        var preferences = LZ4F_preferences_t()
        preferences.frameInfo.blockMode = LZ4F_blockIndependent
        let bound = LZ4F_compressFrameBound(input.count, &preferences)
        var output = [UInt8](repeating: 0, count: bound)
        let written = output.withUnsafeMutableBytes { out in
            input.withUnsafeBytes { source in
                LZ4F_compressFrame(out.baseAddress, bound, source.baseAddress, source.count, &preferences)
            }
        }
        if LZ4F_isError(written) != 0 { throw CompressionError(.lz4, String(cString: LZ4F_getErrorName(written))) }
        output.removeLast(bound - written)
        return output
    }

    static func decompress(_ input: [UInt8], limit: Int) throws(CompressionError) -> [UInt8] {
        var context: OpaquePointer?
        let created = LZ4F_createDecompressionContext(&context, UInt32(LZ4F_VERSION))
        if LZ4F_isError(created) != 0 { throw CompressionError(.lz4, String(cString: LZ4F_getErrorName(created))) }
        defer { LZ4F_freeDecompressionContext(context) }
        var output: [UInt8] = []
        output.reserveCapacity(max(1024, input.count * 4))
        var chunk = [UInt8](repeating: 0, count: 64 * 1024)
        var consumed = 0
        var hint = 1
        while true {
            var sourceSize = input.count - consumed
            var produced = chunk.count
            let result = chunk.withUnsafeMutableBytes { out in
                input.withUnsafeBytes { source in
                    LZ4F_decompress(context, out.baseAddress, &produced, source.baseAddress! + consumed, &sourceSize, nil)
                }
            }
            if LZ4F_isError(result) != 0 { throw CompressionError(.lz4, "corrupt lz4 frame: " + String(cString: LZ4F_getErrorName(result))) }
            consumed += sourceSize
            output.append(contentsOf: chunk[0..<produced])
            if output.count > limit { throw CompressionError(.lz4, "decompressed data exceeds \(limit) bytes") }
            hint = result
            if hint == 0 && consumed == input.count { return output }
            if hint == 0 {
                // One frame ended and more bytes follow: a further frame, as concatenated
                // frames are valid LZ4 (the context resets itself after a frame).
                continue
            }
            if sourceSize == 0 && produced == 0 {
                throw CompressionError(.lz4, "the lz4 frame ends early (\(hint) more bytes expected)")
            }
        }
    }
}
