import Foundation
import Hummingbird
import HummingbirdTesting
import Logging
import NIOCore
import SluiceHTTP
import SluiceKernel
import SluiceMemory

/// The http plugin serving a real broker (memory plugins) on 127.0.0.1:0, found through
/// its portFile, as `sluice serve` runs it.
struct HTTPTestServer {
    let broker: Broker
    let port: Int
    let directory: URL
    private let task: Task<Void, any Error>

    static func start(statusBoard: ServiceStatusBoard? = nil, configure: (inout HTTPConfiguration) -> Void = { _ in },
                      services customize: (inout ProtocolServices, Broker) -> Void = { _, _ in }) async throws -> HTTPTestServer {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("sluice-http-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        var logger = Logger(label: "http-test")
        logger.logLevel = ProcessInfo.processInfo.environment["SLUICE_TEST_LOG"] == nil ? .critical : .trace
        var brokerConfig = BrokerConfig()
        brokerConfig.autoCreateTopics = false
        let broker = Broker(config: brokerConfig, storage: MemoryLogStorage(), metadata: MemoryMetadataStore(), logger: logger)
        try await broker.start()
        var config = HTTPConfiguration()
        config.listen = "127.0.0.1:0"
        config.portFile = directory.appendingPathComponent("http.port").path
        configure(&config)
        let context = PluginContext(instanceName: "http", dataDirectory: directory, logger: logger, statusBoard: statusBoard)
        var services = ProtocolServices(broker: broker)
        customize(&services, broker)
        let plugin = try await HTTPProtocolFactory.make(config, services: services, context: context)
        let task = Task { try await plugin.run() }
        let deadline = ContinuousClock.now + .seconds(30)
        while ContinuousClock.now < deadline {
            if let text = try? String(contentsOfFile: config.portFile!, encoding: .utf8),
               let port = text.split(separator: ":").last.flatMap({ Int($0.trimmingCharacters(in: .whitespacesAndNewlines)) }) {
                return HTTPTestServer(broker: broker, port: port, directory: directory, task: task)
            }
            try await Task.sleep(for: .milliseconds(20))
        }
        task.cancel()
        throw HTTPTestError.notListening
    }

    /// GET `path`; the status and the body as text.
    func get(_ path: String) async throws -> (status: Int, body: String, contentType: String?) {
        try await TestClient.withClient(host: "127.0.0.1", port: port) { client in
            let response = try await client.get(path)
            return (response.status.code, response.body.map { String(buffer: $0) } ?? "", response.headers[.contentType])
        }
    }

    /// GET `path` and decode its JSON body.
    func json(_ path: String) async throws -> (status: Int, value: Any) {
        let (status, body, _) = try await get(path)
        return (status, try JSONSerialization.jsonObject(with: Data(body.utf8), options: [.fragmentsAllowed]))
    }

    func stop() async {
        task.cancel()
        _ = try? await task.value
        await broker.shutdown()
        try? FileManager.default.removeItem(at: directory)
    }

    /// Produces `count` records with values "value-<i>" and keys "key-<i>" to `tp`, in
    /// batches of `perBatch`, with timestamps `baseTimestamp + i`.
    func produce(_ tp: TopicPartition, count: Int, perBatch: Int = 100, baseTimestamp: Int64 = 1_700_000_000_000,
                 value: (Int) -> [UInt8] = { Array("value-\($0)".utf8) }) async throws {
        var index = 0
        while index < count {
            let records = (index..<min(count, index + perBatch)).map {
                Record(key: Array("key-\($0)".utf8), value: value($0), headers: [.init(key: "h", value: Array("x".utf8))],
                       timestamp: baseTimestamp + Int64($0))
            }
            _ = try await broker.append([RecordBatchBuilder().build(records)], to: tp)
            index += records.count
        }
    }
}

enum HTTPTestError: Error { case notListening }

/// Runs `body` against a started server and always stops it.
func withHTTPServer<T>(statusBoard: ServiceStatusBoard? = nil, _ body: (HTTPTestServer) async throws -> T) async throws -> T {
    let server = try await HTTPTestServer.start(statusBoard: statusBoard)
    do {
        let result = try await body(server)
        await server.stop()
        return result
    } catch {
        await server.stop()
        throw error
    }
}
