import KafkaWire
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix
import SluiceKernel

/// A Kafka client on the same codec as the server: one connection to one broker,
/// requests pipelined (sent without waiting) and answered in order. At connect it asks
/// ApiVersions and then sends every request in the highest version both sides speak.
///
/// The operations (`metadata`, `produce`, `fetch`, `listOffset`, topic admin) are in
/// extensions; `send` reaches any declared API.
public final class KafkaClient: Sendable {
    /// The address connected to.
    public let address: HostPort
    /// The client id sent in every request header. Default "sluice".
    public let clientId: String
    /// The broker's supported versions per API, from ApiVersions.
    public let brokerVersions: [ApiKey: ClosedRange<Int16>]

    private let channel: any Channel
    private let nextCorrelationId: NIOLockedValueBox<Int32>

    private init(address: HostPort, clientId: String, channel: any Channel, brokerVersions: [ApiKey: ClosedRange<Int16>],
                 correlationIds: NIOLockedValueBox<Int32> = NIOLockedValueBox(1)) {
        self.address = address
        self.clientId = clientId
        self.channel = channel
        self.brokerVersions = brokerVersions
        self.nextCorrelationId = correlationIds
    }

    /// Connects and negotiates versions.
    /// - Parameters:
    ///   - maxResponseBytes: largest response accepted, in bytes. Default 1 GiB.
    public static func connect(host: String, port: Int, clientId: String = "sluice",
                               maxResponseBytes: Int = 1 << 30,
                               group: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton) async throws -> KafkaClient {
        let address = HostPort(host: host, port: port)
        let channel: any Channel
        do {
            channel = try await ClientBootstrap(group: group)
                .channelOption(.socketOption(.tcp_nodelay), value: 1)
                .connectTimeout(.seconds(10))
                .channelInitializer { channel in
                    channel.eventLoop.makeCompletedFuture {
                        try channel.pipeline.syncOperations.addHandler(ByteToMessageHandler(KafkaFrameDecoder(maxFrameBytes: maxResponseBytes)))
                        try channel.pipeline.syncOperations.addHandler(FramePartsWriter())
                        try channel.pipeline.syncOperations.addHandler(ClientChannelHandler())
                    }
                }
                .connect(host: host, port: port).get()
        } catch {
            throw KafkaClientError.connectionFailed(address: "\(address)", reason: "\(error)")
        }
        let probe = KafkaClient(address: address, clientId: clientId, channel: channel, brokerVersions: [:])
        do {
            let versions = try await probe.negotiateVersions()
            return KafkaClient(address: address, clientId: clientId, channel: channel, brokerVersions: versions,
                               correlationIds: probe.nextCorrelationId)
        } catch {
            try? await channel.close()
            throw error
        }
    }

    /// Closes the connection; pending requests fail with `connectionClosed`.
    public func close() async {
        try? await channel.close()
    }

    /// The version `R` is sent in: the highest both this codec and the broker speak.
    public func version<R: KafkaRequest>(for _: R.Type) throws(KafkaClientError) -> Int16 {
        guard let broker = brokerVersions[R.apiKey] else { throw .unsupportedApi(R.apiKey, broker: nil) }
        let highest = min(broker.upperBound, R.validVersions.highest)
        guard highest >= max(broker.lowerBound, R.validVersions.lowest) else { throw .unsupportedApi(R.apiKey, broker: broker) }
        return highest
    }

    /// Sends a request and waits for its response.
    /// - Parameter version: the version to use; default: the negotiated one.
    public func send<R: KafkaRequest>(_ request: R, version: Int16? = nil) async throws -> R.Response {
        let version = try version ?? self.version(for: R.self)
        let (frame, correlationId) = try await exchange(request, version: version)
        do {
            return try KafkaFrame.decodeResponse(frame, to: R.self, version: version, correlationId: correlationId)
        } catch {
            throw KafkaClientError.codec(error)
        }
    }

    /// Sends a request that gets no response (Produce with acks=0).
    public func sendWithoutResponse<R: KafkaRequest>(_ request: R, version: Int16? = nil) async throws {
        let version = try version ?? self.version(for: R.self)
        let frame = KafkaFrame.request(request, version: version, correlationId: takeCorrelationId(), clientId: clientId)
        do {
            try await channel.writeAndFlush(OutgoingRequest(parts: frame.parts, response: nil))
        } catch {
            throw Self.clientError(error)
        }
    }

    /// Sends raw bytes as they are (for tests of hostile input) and returns the next
    /// response frame, if the request expects one.
    public func sendRaw(_ bytes: ByteBuffer, expectResponse: Bool) async throws -> ByteBuffer? {
        let promise = expectResponse ? channel.eventLoop.makePromise(of: ByteBuffer.self) : nil
        do {
            try await channel.writeAndFlush(OutgoingRequest(parts: [.bytes(bytes)], response: promise))
        } catch {
            promise?.fail(Self.clientError(error))
            throw Self.clientError(error)
        }
        return try await promise?.futureResult.get()
    }

    private func exchange<R: KafkaRequest>(_ request: R, version: Int16) async throws -> (ByteBuffer, Int32) {
        let correlationId = takeCorrelationId()
        let frame = KafkaFrame.request(request, version: version, correlationId: correlationId, clientId: clientId)
        let promise = channel.eventLoop.makePromise(of: ByteBuffer.self)
        // A write that fails before it reaches the handler (the channel is already closed)
        // must fail the response too, or the caller would wait forever.
        let written = channel.eventLoop.makePromise(of: Void.self)
        written.futureResult.whenFailure { promise.fail(Self.clientError($0)) }
        channel.writeAndFlush(OutgoingRequest(parts: frame.parts, response: promise), promise: written)
        return (try await promise.futureResult.get(), correlationId)
    }

    /// Writing to a connection the broker already closed is `connectionClosed`; any other
    /// channel failure is `connectionLost`, so callers handle one error type.
    private static func clientError(_ error: any Error) -> KafkaClientError {
        if let error = error as? KafkaClientError { return error }
        return (error as? ChannelError) == .ioOnClosedChannel ? .connectionClosed : .connectionLost(reason: "\(error)")
    }

    private func takeCorrelationId() -> Int32 {
        nextCorrelationId.withLockedValue { id in
            defer { id = id == .max ? 1 : id + 1 }
            return id
        }
    }

    /// ApiVersions v3; a broker that does not speak v3 answers UNSUPPORTED_VERSION in the
    /// v0 format, which is read as such.
    private func negotiateVersions() async throws -> [ApiKey: ClosedRange<Int16>] {
        var request = ApiVersionsRequest()
        request.clientSoftwareName = "sluice-swift"
        request.clientSoftwareVersion = "1"
        let (frame, correlationId) = try await exchange(request, version: 3)
        var errorPeek = WireReader(frame)
        _ = try? errorPeek.skip(4)
        let version: Int16 = (try? errorPeek.integer(Int16.self)) == KafkaErrorCode.unsupportedVersion.rawValue ? 0 : 3
        let response: ApiVersionsResponse
        do {
            response = try KafkaFrame.decodeResponse(frame, to: ApiVersionsRequest.self, version: version, correlationId: correlationId)
        } catch {
            throw KafkaClientError.codec(error)
        }
        var versions: [ApiKey: ClosedRange<Int16>] = [:]
        for entry in response.apiKeys where entry.minVersion <= entry.maxVersion {
            versions[ApiKey(rawValue: entry.apiKey)] = entry.minVersion...entry.maxVersion
        }
        return versions
    }
}
