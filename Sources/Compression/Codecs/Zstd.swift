import CZstd

/// Kafka's zstd codec: zstd frames, decoded by streaming since Java producers do not
/// record the content size in the frame header.
enum Zstd {
    /// zstd's default level, as librdkafka and the Java client use.
    private static let level: Int32 = 3

    static func compress(_ input: [UInt8]) throws(CompressionError) -> [UInt8] {
        let bound = ZSTD_compressBound(input.count)
        var output = [UInt8](repeating: 0, count: bound)
        let written = output.withUnsafeMutableBytes { out in
            input.withUnsafeBytes { source in ZSTD_compress(out.baseAddress, bound, source.baseAddress, source.count, level) }
        }
        if ZSTD_isError(written) != 0 { throw CompressionError(.zstd, String(cString: ZSTD_getErrorName(written))) }
        output.removeLast(bound - written)
        return output
    }

    static func decompress(_ input: [UInt8], limit: Int) throws(CompressionError) -> [UInt8] {
        guard let stream = ZSTD_createDStream() else { throw CompressionError(.zstd, "zstd could not allocate a decoder") }
        defer { ZSTD_freeDStream(stream) }
        ZSTD_initDStream(stream)
        var output: [UInt8] = []
        output.reserveCapacity(max(1024, input.count * 4))
        var chunk = [UInt8](repeating: 0, count: 128 * 1024)
        var position = 0
        var remaining = 0
        repeat {
            var produced = 0
            let result: Int = chunk.withUnsafeMutableBytes { out in
                input.withUnsafeBytes { source in
                    var inBuffer = ZSTD_inBuffer(src: source.baseAddress, size: source.count, pos: position)
                    var outBuffer = ZSTD_outBuffer(dst: out.baseAddress, size: out.count, pos: 0)
                    let result = ZSTD_decompressStream(stream, &outBuffer, &inBuffer)
                    position = inBuffer.pos
                    produced = outBuffer.pos
                    return result
                }
            }
            if ZSTD_isError(result) != 0 { throw CompressionError(.zstd, "corrupt zstd data: " + String(cString: ZSTD_getErrorName(result))) }
            output.append(contentsOf: chunk[0..<produced])
            if output.count > limit { throw CompressionError(.zstd, "decompressed data exceeds \(limit) bytes") }
            remaining = result
            if position == input.count && produced < chunk.count && remaining != 0 {
                throw CompressionError(.zstd, "the zstd frame ends early")
            }
        } while position < input.count || remaining != 0
        return output
    }
}
