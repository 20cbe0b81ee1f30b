import NIOCore
import NIOPosix

/// One TCP connection to the test server that sends raw HTTP/1.1 bytes and reads raw
/// responses, for what a high-level client hides: keep-alive reuse, pipelining and who
/// closes the connection. Every read is bounded by `timeout`.
struct RawHTTPConnection {
    /// One parsed response.
    struct Response {
        var status: Int
        var headers: [String: String]
        var body: String
    }

    enum Failure: Error { case timedOut, malformed(String) }

    private let channel: any Channel
    private let outbound: NIOAsyncChannelOutboundWriter<ByteBuffer>
    private var inbound: NIOAsyncChannelInboundStream<ByteBuffer>.AsyncIterator
    private var pending = ByteBuffer()
    let timeout: Duration

    /// Connects to 127.0.0.1:`port`, runs `body` on the connection, then closes it.
    static func with<T>(port: Int, timeout: Duration = .seconds(10),
                        _ body: (inout RawHTTPConnection) async throws -> T) async throws -> T {
        let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .connect(host: "127.0.0.1", port: port) { channel in
                channel.eventLoop.makeCompletedFuture {
                    try NIOAsyncChannel<ByteBuffer, ByteBuffer>(wrappingChannelSynchronously: channel)
                }
            }
        return try await channel.executeThenClose { inbound, outbound in
            var connection = RawHTTPConnection(channel: channel.channel, outbound: outbound,
                                               inbound: inbound.makeAsyncIterator(), timeout: timeout)
            return try await body(&connection)
        }
    }

    /// Sends `text` as it is (several requests in one write pipeline them).
    func send(_ text: String) async throws {
        try await outbound.write(ByteBuffer(string: text))
    }

    /// The next complete response (headers plus a `Content-Length` body).
    mutating func response() async throws -> Response {
        while true {
            if let response = try parse() { return response }
            guard let more = try await nextBytes() else { throw Failure.malformed("connection closed mid-response") }
            pending.writeImmutableBuffer(more)
        }
    }

    /// True when the server closes the connection (within `timeout`) without sending more.
    mutating func closedByServer() async throws -> Bool {
        try await nextBytes() == nil
    }

    private mutating func nextBytes() async throws -> ByteBuffer? {
        var iterator = inbound
        let channel = self.channel
        let result = try await withThrowingTaskGroup(of: Bool.self) { group in
            group.addTask { [timeout] in
                try? await Task.sleep(for: timeout)
                if Task.isCancelled { return false }
                channel.close(promise: nil)
                return true
            }
            let outcome: Result<ByteBuffer?, any Error>
            do {
                outcome = .success(try await iterator.next())
            } catch {
                outcome = .failure(error)
            }
            group.cancelAll()
            if try await group.next() == true { throw Failure.timedOut }
            return try outcome.get()
        }
        inbound = iterator
        return result
    }

    private mutating func parse() throws -> Response? {
        let text = pending.getString(at: pending.readerIndex, length: pending.readableBytes) ?? ""
        guard let end = text.range(of: "\r\n\r\n") else { return nil }
        let lines = text[..<end.lowerBound].components(separatedBy: "\r\n")
        let statusParts = lines[0].split(separator: " ")
        guard statusParts.count >= 2, let status = Int(statusParts[1]) else { throw Failure.malformed(lines[0]) }
        var headers: [String: String] = [:]
        for line in lines.dropFirst() {
            guard let colon = line.firstIndex(of: ":") else { throw Failure.malformed(line) }
            headers[line[..<colon].lowercased()] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
        }
        guard let length = headers["content-length"].flatMap(Int.init) else { throw Failure.malformed("no content-length") }
        let headerBytes = text[..<end.upperBound].utf8.count
        guard pending.readableBytes >= headerBytes + length else { return nil }
        pending.moveReaderIndex(forwardBy: headerBytes)
        let body = pending.readString(length: length) ?? ""
        pending.discardReadBytes()
        return Response(status: status, headers: headers, body: body)
    }
}
