import KafkaWire

/// ApiVersions 0–4: the APIs and version ranges this server answers. Versions outside
/// 0–4 are answered by the router with UNSUPPORTED_VERSION in the v0 format.
struct ApiVersionsHandler: KafkaApiHandler {
    func handle(_ request: ApiVersionsRequest, context: RequestContext) async -> ApiVersionsResponse? {
        var response = ApiVersionsResponse()
        response.apiKeys = context.server.apiVersions
        return response
    }
}
