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
    /// What each user may see: topics need Describe to be listed and Read to be browsed,
    /// groups Describe, connectors Describe on the cluster (Kafka's ACLs).
    let authorizer: any Authorizer

    func register(on router: Router<ConsoleRequestContext>) {
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
        router.get("/api/topics") { _, context in
            let topics = await view.topics()
            let allowed = await authorizer.authorize(context.authorization, topics.map { AuthorizationAction(.describe, .topic, $0.name) })
            return try JSONBody.response(zip(topics, allowed).filter(\.1).map(\.0))
        }
        router.get("/api/topics/:name") { _, context in
            let name = try context.parameters.require("name")
            try await require(.describe, .topic, name, context)
            guard let topic = await view.topics().first(where: { $0.name == name }) else {
                throw APIError.notFound("unknown topic '\(name)'")
            }
            return try JSONBody.response(topic)
        }
        router.get("/api/groups") { _, context in
            let groups = await view.groups()
            let allowed = await authorizer.authorize(context.authorization, groups.map { AuthorizationAction(.describe, .group, $0.group) })
            return try JSONBody.response(zip(groups, allowed).filter(\.1).map(\.0))
        }
        router.get("/api/connectors") { _, context in
            try await require(.describe, .cluster, AuthorizationAction.clusterName, context)
            return try JSONBody.response(await view.connectors())
        }
        router.get("/api/topics/:name/partitions/:partition/records") { request, context in
            let name = try context.parameters.require("name")
            try await require(.read, .topic, name, context)
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

    /// Throws 403 unless the request's user may do `operation` on the resource.
    private func require(_ operation: AclOperation, _ type: AclResourceType, _ name: String,
                         _ context: ConsoleRequestContext) async throws {
        guard await authorizer.authorize(context.authorization, AuthorizationAction(operation, type, name)) else {
            throw APIError.forbidden("\(context.principal) may not \(operation.kafkaName) \(type.kafkaName) '\(name)'; an ACL must allow it (sluice acls)")
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
