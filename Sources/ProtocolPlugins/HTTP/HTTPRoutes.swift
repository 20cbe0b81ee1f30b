import Hummingbird
import NIOCore
import SluiceKernel

/// Every path the HTTP plugin answers, in one place.
struct HTTPRoutes {
    let view: BrokerView
    let browser: RecordBrowser
    let statusBoard: ServiceStatusBoard?
    /// Renders `/metrics` and publishes it for `MetricsFastPath`.
    let scrapes: ScrapeCache

    func register(on router: Router<BasicRequestContext>) {
        router.get("/") { _, _ in
            Response(status: .ok, headers: [.contentType: "text/html; charset=utf-8", .cacheControl: "no-store"],
                     body: .init(byteBuffer: ByteBuffer(string: ConsolePage.html)))
        }
        router.get("/metrics") { _, _ in
            Response(status: .ok, headers: [.contentType: MetricsFastPath.contentType],
                     body: .init(byteBuffer: await scrapes.bytes()))
        }
        router.get("/healthz") { _, _ in
            try JSONBody.response(["status": "up"])
        }
        router.get("/readyz") { _, _ in
            try await readiness()
        }
        router.get("/api/topics") { _, _ in
            try JSONBody.response(await view.topics())
        }
        router.get("/api/topics/:name") { _, context in
            let name = try context.parameters.require("name")
            guard let topic = await view.topics().first(where: { $0.name == name }) else {
                throw APIError.notFound("unknown topic '\(name)'")
            }
            return try JSONBody.response(topic)
        }
        router.get("/api/groups") { _, _ in
            try JSONBody.response(await view.groups())
        }
        router.get("/api/connectors") { _, _ in
            try JSONBody.response(await view.connectors())
        }
        router.get("/api/topics/:name/partitions/:partition/records") { request, context in
            let name = try context.parameters.require("name")
            let text = try context.parameters.require("partition")
            guard let partition = Int32(text), partition >= 0 else {
                throw APIError.badRequest("partition must be a non-negative integer, got '\(text)'")
            }
            let parameters = request.uri.queryParameters
            let query = try RecordBrowser.Query(offset: parameters.get("offset"), timestamp: parameters.get("timestamp"),
                                                limit: parameters.get("limit"))
            return try JSONBody.response(try await browser.page(topic: name, partition: partition, query: query))
        }
    }

    /// 200 when every service of the server is running, else 503 naming those that are not.
    private func readiness() async throws -> Response {
        struct Ready: Encodable {
            var ready: Bool
            var notReady: [String]
            var error: String?
        }
        guard let statusBoard else { return try JSONBody.response(Ready(ready: true, notReady: [])) }
        let waiting = await statusBoard.notReady().map { "\($0.label): \($0.state.rawValue)" }
        if waiting.isEmpty { return try JSONBody.response(Ready(ready: true, notReady: [])) }
        return try JSONBody.response(Ready(ready: false, notReady: waiting, error: "not every plugin is serving: \(waiting.joined(separator: ", "))"),
                                     status: .serviceUnavailable)
    }
}
