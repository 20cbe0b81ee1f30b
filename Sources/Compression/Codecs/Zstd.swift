import SluiceKernel

/// Kafka's zstd codec: zstd frames, decoded by streaming since Java producers do not
/// record the content size in the frame header. The functions come from libzstd.so.1,
/// loaded at run time (`ZstdLibrary`).
enum Zstd {
    /// zstd's default level, as librdkafka and the Java client use.
    private static let level: Int32 = 3

    static func compress(_ input: [UInt8]) throws(CompressionError) -> [UInt8] {
        let zstd = try ZstdLibrary.shared.get()
        let bound = zstd.compressBound(input.count)
        var output = [UInt8](repeating: 0, count: bound)
        let written = output.withUnsafeMutableBytes { out in
            input.withUnsafeBytes { source in zstd.compress(out.baseAddress, bound, source.baseAddress, source.count, level) }
        }
        if zstd.isError(written) != 0 { throw CompressionError(.zstd, zstd.errorName(written)) }
        output.removeLast(bound - written)
        return output
    }

    static func decompress(_ input: [UInt8], limit: Int) throws(CompressionError) -> [UInt8] {
        let zstd = try ZstdLibrary.shared.get()
        guard let stream = zstd.createDStream() else { throw CompressionError(.zstd, "zstd could not allocate a decoder") }
        defer { _ = zstd.freeDStream(stream) }
        _ = zstd.initDStream(stream)
        var output: [UInt8] = []
        output.reserveCapacity(max(1024, input.count * 4))
        var chunk = [UInt8](repeating: 0, count: 128 * 1024)
        var position = 0
        var remaining = 0
        repeat {
            var produced = 0
            let result: Int = chunk.withUnsafeMutableBytes { out in
                input.withUnsafeBytes { source in
                    var inBuffer = ZstdLibrary.Buffer(pointer: source.baseAddress, size: source.count, position: position)
                    var outBuffer = ZstdLibrary.Buffer(pointer: out.baseAddress, size: out.count, position: 0)
                    let result = withUnsafeMutablePointer(to: &outBuffer) { outPointer in
                        withUnsafeMutablePointer(to: &inBuffer) { inPointer in
                            zstd.decompressStream(stream, UnsafeMutableRawPointer(outPointer), UnsafeMutableRawPointer(inPointer))
                        }
                    }
                    position = inBuffer.position
                    produced = outBuffer.position
                    return result
                }
            }
            if zstd.isError(result) != 0 { throw CompressionError(.zstd, "corrupt zstd data: " + zstd.errorName(result)) }
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

/// The zstd functions of libzstd.so.1 (Debian: libzstd1), resolved once, on first use.
struct ZstdLibrary: Sendable {
    /// The library, or why it could not be loaded; loaded on first use.
    static let shared: Result<ZstdLibrary, CompressionError> = NativeLibrary
        .open(["libzstd.so.1", "libzstd.so", "libzstd.1.dylib"], codec: .zstd, package: "libzstd1")
        .flatMap { library in Result { () throws(CompressionError) in try ZstdLibrary(library) } }

    /// `ZSTD_inBuffer` / `ZSTD_outBuffer`: a pointer, its size and the position reached,
    /// three machine words in C; Swift lays out a struct of three word-sized stored
    /// properties the same way.
    struct Buffer {
        var pointer: UnsafeRawPointer?
        var size: Int
        var position: Int

        init(pointer: UnsafeRawPointer?, size: Int, position: Int) {
            self.pointer = pointer
            self.size = size
            self.position = position
        }
    }

    let compressBound: @Sendable @convention(c) (Int) -> Int
    let compress: @Sendable @convention(c) (UnsafeMutableRawPointer?, Int, UnsafeRawPointer?, Int, Int32) -> Int
    let isError: @Sendable @convention(c) (Int) -> UInt32
    let getErrorName: @Sendable @convention(c) (Int) -> UnsafePointer<CChar>?
    let createDStream: @Sendable @convention(c) () -> OpaquePointer?
    let freeDStream: @Sendable @convention(c) (OpaquePointer?) -> Int
    let initDStream: @Sendable @convention(c) (OpaquePointer?) -> Int
    let decompressStream: @Sendable @convention(c) (OpaquePointer?, UnsafeMutableRawPointer?, UnsafeMutableRawPointer?) -> Int

    private init(_ library: NativeLibrary) throws(CompressionError) {
        compressBound = try library.function("ZSTD_compressBound")
        compress = try library.function("ZSTD_compress")
        isError = try library.function("ZSTD_isError")
        getErrorName = try library.function("ZSTD_getErrorName")
        createDStream = try library.function("ZSTD_createDStream")
        freeDStream = try library.function("ZSTD_freeDStream")
        initDStream = try library.function("ZSTD_initDStream")
        decompressStream = try library.function("ZSTD_decompressStream")
    }

    func errorName(_ code: Int) -> String { getErrorName(code).map { String(cString: $0) } ?? "zstd error \(code)" }
}
