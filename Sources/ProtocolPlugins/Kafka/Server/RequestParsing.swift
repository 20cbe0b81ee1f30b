import NIOCore

/// The server's request parsing without a broker behind it: frames are split off a byte
/// stream by the same `KafkaFrame.next` the channel's frame decoder calls, headers are
/// read and routed by `ApiRouter.readHeader`, and bodies are decoded by each route's
/// `checkBody`, the decoding `answer` does before it hands a request to its handler.
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
    /// - Parameter maxFrameBytes: the frame limit (`socketRequestMaxBytes`, default 100 MiB).
    package static func parse(stream bytes: ByteBuffer, maxFrameBytes: Int = KafkaConfiguration().socketRequestMaxBytes) -> StreamOutcome {
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
        switch ApiRouter.readHeader(frame, routes: routes) {
        case .close(let reason): return .closed(reason: reason)
        case .unsupportedApiVersions(let header): return .unsupportedApiVersions(version: header.apiVersion)
        case .routed(let request):
            if let reason = request.route.checkBody(request.header, request.body) { return .closed(reason: reason) }
            return .decoded(api: request.header.apiKey, version: request.header.apiVersion)
        }
    }

    private static let routes = Dictionary(uniqueKeysWithValues: ApiRoutes.all.map { ($0.apiKey, $0) })
}
