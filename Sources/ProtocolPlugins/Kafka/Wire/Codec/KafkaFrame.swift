import NIOCore

/// Kafka's framing: every request and response is an int32 size followed by that many
/// bytes. These functions are the whole protocol codec's entry points; the server, the
/// client and the tests all go through them.
public enum KafkaFrame {
    /// Bytes of the size prefix.
    public static let sizePrefixBytes = 4
    /// The smallest request: api key, version, correlation id and a null client id.
    public static let minimumRequestBytes = 10

    /// Takes the next whole frame (without its size prefix) off the front of `buffer`, or
    /// returns nil when more bytes are needed. The size is checked before anything is
    /// allocated: a size outside `0...maxSize` throws `frameTooLarge` at once.
    ///
    /// - Parameter maxSize: the largest frame accepted, in bytes (`socketRequestMaxBytes`).
    public static func next(from buffer: inout ByteBuffer, maxSize: Int) throws(KafkaCodecError) -> ByteBuffer? {
        guard let size = buffer.getInteger(at: buffer.readerIndex, as: Int32.self) else { return nil }
        guard size >= 0, Int(size) <= maxSize else { throw .frameTooLarge(size: Int64(size), limit: maxSize) }
        guard buffer.readableBytes >= sizePrefixBytes + Int(size) else { return nil }
        buffer.moveReaderIndex(forwardBy: sizePrefixBytes)
        return buffer.readSlice(length: Int(size))!
    }

    /// A whole request frame: size, header (v1 or v2), body.
    public static func request<R: KafkaRequest>(_ request: R, version: Int16, correlationId: Int32, clientId: String?) -> WireWriter {
        var writer = WireWriter(capacity: 512)
        writer.integer(Int32(0))
        let header = RequestHeader(apiKey: R.apiKey, apiVersion: version, correlationId: correlationId, clientId: clientId)
        header.encode(to: &writer, headerVersion: R.requestHeaderVersion(version))
        request.encode(to: &writer, version: version, flexible: R.isFlexible(version))
        writer.patchFirstInt32(Int32(writer.byteCount - sizePrefixBytes), at: 0)
        return writer
    }

    /// A whole response frame: size, header (v0 or v1), body — possibly in several parts
    /// when record payloads are spliced in rather than copied.
    public static func response<R: KafkaRequest>(_ response: R.Response, to: R.Type, version: Int16, correlationId: Int32) -> WireWriter {
        var writer = WireWriter(capacity: 512)
        writer.integer(Int32(0))
        ResponseHeader(correlationId: correlationId).encode(to: &writer, headerVersion: R.responseHeaderVersion(version))
        response.encode(to: &writer, version: version, flexible: R.isFlexible(version))
        writer.patchFirstInt32(Int32(writer.byteCount - sizePrefixBytes), at: 0)
        return writer
    }

    /// Decodes a request frame's header and body (the frame without its size prefix).
    public static func decodeRequest<R: KafkaRequest>(_ frame: ByteBuffer, as: R.Type) throws(KafkaCodecError) -> (RequestHeader, R) {
        var reader = WireReader(frame)
        var header = try RequestHeader.decodePrefix(from: &reader)
        guard header.apiKey == R.apiKey else { throw .unknownApiKey(header.apiKey.rawValue) }
        guard R.validVersions.contains(header.apiVersion) else {
            throw .unsupportedVersion(api: R.apiKey, version: header.apiVersion)
        }
        try header.decodeRest(from: &reader, headerVersion: R.requestHeaderVersion(header.apiVersion))
        let body = try R.decode(from: &reader, version: header.apiVersion, flexible: R.isFlexible(header.apiVersion))
        return (header, body)
    }

    /// Decodes a response frame (without its size prefix) to a request of type `R` sent
    /// with `version`, checking the correlation id.
    public static func decodeResponse<R: KafkaRequest>(_ frame: ByteBuffer, to: R.Type, version: Int16,
                                                       correlationId: Int32) throws(KafkaCodecError) -> R.Response {
        var reader = WireReader(frame)
        let header = try ResponseHeader.decode(from: &reader, headerVersion: R.responseHeaderVersion(version))
        guard header.correlationId == correlationId else {
            throw .correlationMismatch(expected: correlationId, received: header.correlationId)
        }
        return try R.Response.decode(from: &reader, version: version, flexible: R.isFlexible(version))
    }
}
