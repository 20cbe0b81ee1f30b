import Foundation
import Logging
import NIOCore
import ServiceLifecycle
@testable import SluiceBeats
import SluiceKernel
import SluiceMemory

/// A broker on the memory plugins, as the kernel tests make one.
func makeBroker(storage: any LogStorage = MemoryLogStorage(), _ configure: (inout BrokerConfig) -> Void = { _ in }) async throws -> Broker {
    var config = BrokerConfig()
    configure(&config)
    let broker = Broker(config: config, storage: storage, metadata: MemoryMetadataStore(), logger: Logger(label: "test.broker"))
    try await broker.start()
    return broker
}

/// A beats input served on a free port inside a service group, as `sluice serve` runs it.
struct RunningInput {
    let broker: Broker
    let input: BeatsInput
    let port: Int
    let logs: CapturedLogs
    let group: ServiceGroup

    func connect(timeoutMs: Int = 10_000) async throws -> TestClient {
        try await TestClient(port: port, timeoutMs: timeoutMs)
    }

    /// Records of `topic`'s partition, read back through the broker's fetch.
    func records(_ topic: String = "logs", partition: Int32 = 0) async throws -> [Record] {
        try await readRecords(broker, TopicPartition(topic, partition))
    }
}

/// Starts a beats input on port 0, runs `body`, then stops it gracefully and checks
/// that `run()` returned.
func withBeatsInput(broker: Broker? = nil, _ configure: (inout BeatsInputFactory.Configuration) -> Void = { _ in },
                    _ body: (RunningInput) async throws -> Void) async throws {
    let broker = if let broker { broker } else { try await makeBroker() }
    var config = BeatsInputFactory.Configuration()
    config.listen = HostPort(host: "127.0.0.1", port: 0)
    configure(&config)
    let logs = CapturedLogs()
    let logger = Logger(label: "test.beats") { _ in CapturingLogHandler(logs: logs) }
    let input = try BeatsInput(config: config, services: ConnectorServices(broker: broker),
                               context: PluginContext(instanceName: "beats", dataDirectory: URL(fileURLWithPath: "/tmp"), logger: logger))
    let group = ServiceGroup(configuration: .init(services: [.init(service: input)], logger: Logger(label: "test.group") { _ in SwiftLogNoOpLogHandler() }))
    try await withThrowingTaskGroup(of: Void.self) { tasks in
        tasks.addTask { try await group.run() }
        let port = try await input.listeningPort()
        do {
            try await body(RunningInput(broker: broker, input: input, port: port, logs: logs, group: group))
        } catch {
            await group.triggerGracefulShutdown()
            try? await tasks.waitForAll()
            throw error
        }
        await group.triggerGracefulShutdown()
        try await tasks.waitForAll()
    }
}

func readRecords(_ broker: Broker, _ tp: TopicPartition) async throws -> [Record] {
    var records: [Record] = []
    var offset: Int64 = 0
    while true {
        let results = await broker.fetch(FetchRequest(partitions: [.init(tp, offset: offset, maxBytes: 8 << 20)],
                                                      maxWait: .zero, minBytes: 1, maxBytes: 8 << 20))
        guard let read = try results.first?.result.get() else { return records }
        let batches = try RecordBatch.parse(read.payload.load())
        if batches.isEmpty { return records }
        for batch in batches { records += try batch.records() }
        offset = records.last!.offset + 1
    }
}

/// Waits until `condition` holds, polling every 20 ms, for at most `seconds`.
func eventually(_ seconds: Double = 10, _ condition: () async throws -> Bool) async throws -> Bool {
    let deadline = Date().addingTimeInterval(seconds)
    while Date() < deadline {
        if try await condition() { return true }
        try await Task.sleep(for: .milliseconds(20))
    }
    return try await condition()
}

/// A JSON event of about `size` bytes, shaped like Filebeat's.
func sampleEvent(_ index: Int, size: Int = 200, timestamp: String = "2024-05-01T12:34:56.789Z") -> ByteBuffer {
    BeatsBenchmark.sampleEvent(index: index, size: size, timestamp: timestamp)
}

func buffer(_ build: (inout ByteBuffer) -> Void) -> ByteBuffer {
    var buffer = ByteBufferAllocator().buffer(capacity: 1024)
    build(&buffer)
    return buffer
}

extension Record {
    var valueString: String { String(decoding: value ?? [], as: UTF8.self) }
}

/// The blocking socket client with every call run on its own thread: a blocked read on
/// the cooperative pool would starve the server under test, which shares that pool.
struct TestClient: Sendable {
    let socket: LumberjackSocketClient

    init(port: Int, timeoutMs: Int) async throws {
        socket = try await onThread { try LumberjackSocketClient(port: port, timeoutMs: timeoutMs) }
    }

    func send(_ bytes: ByteBuffer) async throws { try await onThread { try socket.send(bytes) } }
    /// The next window ack (keepalives skipped), or nil when the server closed.
    func readAck() async throws -> BeatsAck? { try await onThread { try socket.readWindowAck() } }
    @discardableResult
    func awaitAck(_ sequence: UInt32) async throws -> Int { try await onThread { try socket.awaitAck(sequence) } }
    func waitForServerClose() async throws -> Bool { try await onThread { try socket.waitForServerClose() } }
    func shutdownWrite() { socket.shutdownWrite() }
}

/// Runs blocking work on a new thread and returns its result.
func onThread<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
    let result = Shared<Result<T, any Error>?>(nil)
    try await BeatsBenchmark.onThread {
        let value = Result { try work() }
        result.update { $0 = value }
    }
    return try result.value!.get()
}
