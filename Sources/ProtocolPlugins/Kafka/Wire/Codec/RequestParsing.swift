import NIOCore

/// Request parsing with no server behind it, as the Kafka plugin's server parses a
/// connection's input: frames are split off a byte stream by `KafkaFrame.next` (the
/// channel's frame decoder calls it too), the header is read in the version the API and
/// version demand, and the body is decoded by the request's declaration. Every request in
/// `DeclaredRequests` is routed, in every version its spec declares — what the server
/// accepts (the plugin's tests check that its routes say the same).
/// The fuzz target and its regression tests drive this; nothing here allocates beyond
/// what the server itself would for the same bytes.
package enum RequestParsing {
    /// What became of one frame.
    package enum FrameOutcome: Sendable, Equatable {
        /// The header and body decoded: the server would hand this request to its handler.
        case decoded(api: ApiKey, version: Int16)
        /// ApiVersions in an unknown version: answered with UNSUPPORTED_VERSION.
        case unsupportedApiVersions(version: Int16)
        /// The server closes the connection, for this reason.
        case closed(reason: String)
    }

    /// What became of a whole byte stream.
    package struct StreamOutcome: Sendable, Equatable {
        /// One entry per whole frame, in order, up to the first that closes the connection.
        package var frames: [FrameOutcome] = []
        /// The frame-size error that closes the connection, if the stream has one.
        package var framingError: KafkaCodecError?
        /// Bytes of a trailing partial frame (the server waits for more).
        package var leftoverBytes = 0
    }

    /// Parses `bytes` as the server reads a connection's input.
    ///
    /// - Parameter maxFrameBytes: the frame limit in bytes (the server's
    ///   `socketRequestMaxBytes`, default 100 MiB).
    package static func parse(stream bytes: ByteBuffer, maxFrameBytes: Int = 104_857_600) -> StreamOutcome {
        var buffer = bytes
        var outcome = StreamOutcome()
        while true {
            let frame: ByteBuffer
            do {
                guard let next = try KafkaFrame.next(from: &buffer, maxSize: maxFrameBytes) else { break }
                frame = next
            } catch {
                outcome.framingError = error
                return outcome
            }
            let result = parse(frame: frame)
            outcome.frames.append(result)
            if case .closed = result { return outcome }
        }
        outcome.leftoverBytes = buffer.readableBytes
        return outcome
    }

    /// Parses one request frame (without its size prefix).
    package static func parse(frame: ByteBuffer) -> FrameOutcome {
        var reader = WireReader(frame)
        var header: RequestHeader
        do {
            header = try RequestHeader.decodePrefix(from: &reader)
        } catch {
            return .closed(reason: "request of \(frame.readableBytes) bytes is too short for a header: \(error)")
        }
        guard let request = requests[header.apiKey] else {
            return .closed(reason: "unknown api key \(header.apiKey.rawValue) (correlation id \(header.correlationId))")
        }
        return parse(request, header: &header, rest: reader)
    }

    private static func parse<R: KafkaRequest>(_: R.Type, header: inout RequestHeader, rest: WireReader) -> FrameOutcome {
        var reader = rest
        let version = header.apiVersion
        do {
            try header.decodeRest(from: &reader, headerVersion: R.requestHeaderVersion(version))
        } catch {
            return .closed(reason: "malformed \(R.apiKey) v\(version) request header: \(error)")
        }
        guard R.validVersions.contains(version) else {
            if R.apiKey == .apiVersions { return .unsupportedApiVersions(version: version) }
            return .closed(reason: "\(R.apiKey) v\(version) is not supported (accepted: \(R.validVersions))")
        }
        do {
            _ = try R.decode(from: &reader, version: version, flexible: R.isFlexible(version))
        } catch {
            return .closed(reason: "malformed \(R.apiKey) v\(version) request: \(error)")
        }
        return .decoded(api: R.apiKey, version: version)
    }

    private static let requests = Dictionary(uniqueKeysWithValues: DeclaredRequests.all.map { ($0.apiKey, $0) })
}
