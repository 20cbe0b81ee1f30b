import SluiceKernel

/// Kafka's lz4 codec: the LZ4 frame format with independent blocks and no content
/// checksum, which the Java client, librdkafka and kafka-python all read. The frame
/// functions come from liblz4.so.1, loaded at run time (`LZ4Library`).
enum LZ4Frame {
    static func compress(_ input: [UInt8]) throws(CompressionError) -> [UInt8] {
        let lz4 = try LZ4Library.shared.get()
        var output: [UInt8] = []
        let written = LZ4Library.independentBlocks.withUnsafeBytes { preferences in
            let bound = lz4.compressFrameBound(input.count, preferences.baseAddress)
            output = [UInt8](repeating: 0, count: bound)
            return output.withUnsafeMutableBytes { out in
                input.withUnsafeBytes { source in
                    lz4.compressFrame(out.baseAddress, bound, source.baseAddress, source.count, preferences.baseAddress)
                }
            }
        }
        if lz4.isError(written) != 0 { throw CompressionError(.lz4, lz4.errorName(written)) }
        output.removeLast(output.count - written)
        return output
    }

    static func decompress(_ input: [UInt8], limit: Int) throws(CompressionError) -> [UInt8] {
        let lz4 = try LZ4Library.shared.get()
        var context: OpaquePointer?
        let created = lz4.createDecompressionContext(&context, LZ4Library.frameVersion)
        if lz4.isError(created) != 0 { throw CompressionError(.lz4, lz4.errorName(created)) }
        defer { _ = lz4.freeDecompressionContext(context) }
        var output: [UInt8] = []
        output.reserveCapacity(max(1024, input.count * 4))
        var chunk = [UInt8](repeating: 0, count: 64 * 1024)
        var consumed = 0
        while true {
            var sourceSize = input.count - consumed
            var produced = chunk.count
            let hint = chunk.withUnsafeMutableBytes { out in
                input.withUnsafeBytes { source in
                    lz4.decompress(context, out.baseAddress, &produced, source.baseAddress.map { $0 + consumed }, &sourceSize, nil)
                }
            }
            if lz4.isError(hint) != 0 { throw CompressionError(.lz4, "corrupt lz4 frame: " + lz4.errorName(hint)) }
            consumed += sourceSize
            output.append(contentsOf: chunk[0..<produced])
            if output.count > limit { throw CompressionError(.lz4, "decompressed data exceeds \(limit) bytes") }
            if hint == 0 && consumed == input.count { return output }
            // hint == 0 with bytes left: a further frame follows (concatenated frames are
            // valid LZ4, and the context resets itself after a frame).
            if hint != 0 && sourceSize == 0 && produced == 0 {
                throw CompressionError(.lz4, "the lz4 frame ends early (\(hint) more bytes expected)")
            }
        }
    }
}

/// The LZ4 frame functions of liblz4.so.1 (Debian: liblz4-1), resolved once, on first use.
struct LZ4Library: Sendable {
    /// `LZ4F_VERSION` of lz4frame.h: the frame API version a context is created for.
    static let frameVersion: UInt32 = 100
    /// The library, or why it could not be loaded; loaded on first use.
    static let shared: Result<LZ4Library, CompressionError> = NativeLibrary
        .open(["liblz4.so.1", "liblz4.so", "liblz4.1.dylib"], codec: .lz4, package: "liblz4-1")
        .flatMap { library in Result { () throws(CompressionError) in try LZ4Library(library) } }

    let compressFrameBound: @Sendable @convention(c) (Int, UnsafeRawPointer?) -> Int
    let compressFrame: @Sendable @convention(c) (UnsafeMutableRawPointer?, Int, UnsafeRawPointer?, Int, UnsafeRawPointer?) -> Int
    let isError: @Sendable @convention(c) (Int) -> UInt32
    let getErrorName: @Sendable @convention(c) (Int) -> UnsafePointer<CChar>?
    let createDecompressionContext: @Sendable @convention(c) (UnsafeMutablePointer<OpaquePointer?>?, UInt32) -> Int
    let freeDecompressionContext: @Sendable @convention(c) (OpaquePointer?) -> Int
    let decompress: @Sendable @convention(c) (OpaquePointer?, UnsafeMutableRawPointer?, UnsafeMutablePointer<Int>?,
                                              UnsafeRawPointer?, UnsafeMutablePointer<Int>?, UnsafeRawPointer?) -> Int

    private init(_ library: NativeLibrary) throws(CompressionError) {
        compressFrameBound = try library.function("LZ4F_compressFrameBound")
        compressFrame = try library.function("LZ4F_compressFrame")
        isError = try library.function("LZ4F_isError")
        getErrorName = try library.function("LZ4F_getErrorName")
        createDecompressionContext = try library.function("LZ4F_createDecompressionContext")
        freeDecompressionContext = try library.function("LZ4F_freeDecompressionContext")
        decompress = try library.function("LZ4F_decompress")
    }

    func errorName(_ code: Int) -> String { getErrorName(code).map { String(cString: $0) } ?? "lz4 error \(code)" }

    /// An `LZ4F_preferences_t` with `frameInfo.blockMode = LZ4F_blockIndependent` and
    /// every other field zero (lz4's defaults: 64 KiB blocks, level 0, no checksum).
    /// The struct is 56 bytes: frameInfo (blockSizeID, blockMode, contentChecksumFlag,
    /// frameType as 4-byte enums, an 8-byte contentSize, dictID, blockChecksumFlag) then
    /// compressionLevel, autoFlush, favorDecSpeed and 3 reserved words; 64 are given.
    static let independentBlocks: [UInt32] = [0, 1] + [UInt32](repeating: 0, count: 14)
}
