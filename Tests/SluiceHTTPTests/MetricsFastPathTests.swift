import HTTPTypes
import NIOCore
import NIOEmbedded
import NIOHTTPTypes
import Testing
@testable import SluiceHTTP

@Suite("http plugin: /metrics answered on the event loop")
struct MetricsFastPathTests {
    private func request(_ path: String, _ fields: HTTPFields = [:]) -> HTTPRequestPart {
        .head(HTTPRequest(method: .get, scheme: nil, authority: "localhost", path: path, headerFields: fields))
    }

    private func fastPath(publishing text: String?, maxAge: Duration = .seconds(60)) throws -> (EmbeddedChannel, MetricsSnapshot) {
        let snapshot = MetricsSnapshot(maxAge: maxAge)
        if let text { snapshot.publish(ByteBuffer(string: text), renderedAt: .now) }
        let channel = EmbeddedChannel()
        try channel.pipeline.syncOperations.addHandler(MetricsFastPath(snapshot: snapshot))
        try channel.connect(to: SocketAddress(ipAddress: "127.0.0.1", port: 1)).wait()
        return (channel, snapshot)
    }

    @Test func freshRenderingIsWrittenWithoutReachingTheRouter() throws {
        let (channel, _) = try fastPath(publishing: "sluice_up 1\n")
        try channel.writeInbound(request("/metrics"))
        try channel.writeInbound(HTTPRequestPart.end(nil))
        #expect(try channel.readInbound(as: HTTPRequestPart.self) == nil)
        guard case .head(let head) = try channel.readOutbound(as: HTTPResponsePart.self) else {
            Issue.record("no response head"); return
        }
        #expect(head.status == .ok)
        #expect(head.headerFields[.contentType] == MetricsFastPath.contentType)
        #expect(head.headerFields[.contentLength] == "12")
        #expect(try channel.readOutbound(as: HTTPResponsePart.self) == .body(ByteBuffer(string: "sluice_up 1\n")))
        #expect(try channel.readOutbound(as: HTTPResponsePart.self) == .end(nil))
        #expect(channel.isActive)
        _ = try channel.finish(acceptAlreadyClosed: true)
    }

    @Test func staleOrMissingRenderingGoesToTheRouter() throws {
        for published in [nil, "old 1\n"] {
            let (channel, _) = try fastPath(publishing: published, maxAge: .zero)
            try channel.writeInbound(request("/metrics"))
            try channel.writeInbound(HTTPRequestPart.end(nil))
            #expect(try channel.readInbound(as: HTTPRequestPart.self) == request("/metrics"))
            #expect(try channel.readInbound(as: HTTPRequestPart.self) == .end(nil))
            #expect(try channel.readOutbound(as: HTTPResponsePart.self) == nil)
            _ = try channel.finish(acceptAlreadyClosed: true)
        }
    }

    @Test func otherPathsAndQueriesGoToTheRouter() throws {
        let (channel, _) = try fastPath(publishing: "sluice_up 1\n")
        for path in ["/", "/api/topics", "/metrics?name=x", "/metricsx"] {
            try channel.writeInbound(request(path))
            #expect(try channel.readInbound(as: HTTPRequestPart.self) == request(path))
        }
        #expect(try channel.readOutbound(as: HTTPResponsePart.self) == nil)
        _ = try channel.finish(acceptAlreadyClosed: true)
    }

    @Test func scrapeBehindAnUnansweredRequestWaitsForTheRouterSoResponsesKeepTheirOrder() throws {
        let (channel, _) = try fastPath(publishing: "sluice_up 1\n")
        try channel.writeInbound(request("/api/topics"))
        try channel.writeInbound(HTTPRequestPart.end(nil))
        try channel.writeInbound(request("/metrics"))
        try channel.writeInbound(HTTPRequestPart.end(nil))
        #expect(try channel.readInbound(as: HTTPRequestPart.self) == request("/api/topics"))
        #expect(try channel.readInbound(as: HTTPRequestPart.self) == .end(nil))
        #expect(try channel.readInbound(as: HTTPRequestPart.self) == request("/metrics"))
        #expect(try channel.readInbound(as: HTTPRequestPart.self) == .end(nil))
        #expect(try channel.readOutbound(as: HTTPResponsePart.self) == nil)

        // The router answers both; the next scrape is answered here again.
        for _ in 0..<2 {
            try channel.writeOutbound(HTTPResponsePart.head(HTTPResponse(status: .ok)))
            try channel.writeOutbound(HTTPResponsePart.end(nil))
        }
        while try channel.readOutbound(as: HTTPResponsePart.self) != nil {}
        try channel.writeInbound(request("/metrics"))
        try channel.writeInbound(HTTPRequestPart.end(nil))
        #expect(try channel.readInbound(as: HTTPRequestPart.self) == nil)
        #expect(try channel.readOutbound(as: HTTPResponsePart.self) != nil)
        _ = try channel.finish(acceptAlreadyClosed: true)
    }

    @Test func connectionCloseIsHonoured() throws {
        let (channel, _) = try fastPath(publishing: "sluice_up 1\n")
        try channel.writeInbound(request("/metrics", [.connection: "close"]))
        try channel.writeInbound(HTTPRequestPart.end(nil))
        guard case .head(let head) = try channel.readOutbound(as: HTTPResponsePart.self) else {
            Issue.record("no response head"); return
        }
        #expect(head.headerFields[.connection] == "close")
        channel.embeddedEventLoop.run()
        #expect(!channel.isActive)
        _ = try channel.finish(acceptAlreadyClosed: true)
    }

    @Test func realServerAnswersKeepAliveAndPipelinedScrapesInOrderAndHonoursClose() async throws {
        try await withHTTPServer { server in
            try await server.broker.createTopic("events", partitions: 1)
            try await RawHTTPConnection.with(port: server.port) { connection in
                // Two scrapes on one connection: the first renders, the second is served from it
                // (or, on a machine slow enough to take a second between them, renders again).
                try await connection.send("GET /metrics HTTP/1.1\r\nHost: test\r\n\r\n")
                let first = try await connection.response()
                try await connection.send("GET /metrics HTTP/1.1\r\nHost: test\r\n\r\n")
                let second = try await connection.response()
                #expect(first.status == 200 && second.status == 200)
                #expect(second.headers["content-type"] == MetricsFastPath.contentType)
                let series = #"sluice_partition_log_end_offset{topic="events",partition="0"} 0"#
                #expect(first.body.contains(series) && second.body.contains(series))

                // Pipelined: the JSON, the scrape and the health check come back in request order.
                try await connection.send("GET /api/topics HTTP/1.1\r\nHost: test\r\n\r\n"
                    + "GET /metrics HTTP/1.1\r\nHost: test\r\n\r\n"
                    + "GET /healthz HTTP/1.1\r\nHost: test\r\n\r\n")
                let topics = try await connection.response()
                let scrape = try await connection.response()
                let health = try await connection.response()
                #expect(topics.body.hasPrefix("[") && topics.body.contains(#""events""#))
                #expect(scrape.headers["content-type"] == MetricsFastPath.contentType && scrape.body.contains(series))
                #expect(health.body.contains(#""up""#))

                // Connection: close is answered, then the server closes.
                try await connection.send("GET /metrics HTTP/1.1\r\nHost: test\r\nConnection: close\r\n\r\n")
                #expect(try await connection.response().status == 200)
                #expect(try await connection.closedByServer())
            }
        }
    }
}
