import Foundation
import Logging
import NIOCore
import ServiceLifecycle
import SluiceKernel

/// Load for a running beats input, ready for `sluice bench beats`: clients on their own
/// threads send prebuilt windows of Filebeat-shaped JSON events, keep `pipelining`
/// windows in flight as Filebeat does, and wait for every ack.
public enum BeatsBenchmark {
    public struct Options: Sendable {
        /// Events to send in all, across connections. Default 1000000.
        public var events = 1_000_000
        /// Bytes per JSON event. Default 1024.
        public var eventBytes = 1024
        /// Events per window (Filebeat's `bulk_max_size`). Default 2048.
        public var windowSize = 2048
        /// Windows sent before waiting for the oldest ack (Filebeat's `pipelining`). Default 2.
        public var pipelining = 2
        /// zlib level of the compressed frame, or nil to send JSON frames as they are
        /// (Filebeat's `compression_level: 0`). Default nil.
        public var compressionLevel: Int32?
        /// Parallel connections (Filebeat's `worker`). Default 1.
        public var connections = 1

        public init() {}
    }

    public struct Result: Sendable, CustomStringConvertible {
        public var events: Int
        /// JSON bytes sent, excluding framing.
        public var bytes: Int
        /// From the first byte sent to the last ack, in seconds.
        public var seconds: Double
        public var eventsPerSecond: Double { Double(events) / seconds }
        /// JSON mebibytes per second.
        public var mebibytesPerSecond: Double { Double(bytes) / seconds / 1_048_576 }
        public var description: String {
            String(format: "%d events (%.1f MiB) in %.2f s: %.0f events/s, %.1f MiB/s",
                   events, Double(bytes) / 1_048_576, seconds, eventsPerSecond, mebibytesPerSecond)
        }
    }

    /// Sends the load to `host:port` and returns when every window is acknowledged.
    public static func run(host: String = "127.0.0.1", port: Int, options: Options) async throws -> Result {
        let windowsPerConnection = max(1, options.events / options.windowSize / max(1, options.connections))
        let window = prebuiltWindow(options)
        let started = Date()
        try await withThrowingTaskGroup(of: Void.self) { group in
            for _ in 0..<max(1, options.connections) {
                group.addTask {
                    try await onThread {
                        let client = try LumberjackSocketClient(host: host, port: port, timeoutMs: 60_000)
                        defer { client.close() }
                        var inFlight = 0
                        for _ in 0..<windowsPerConnection {
                            if inFlight == max(1, options.pipelining) {
                                try client.awaitAck(UInt32(options.windowSize))
                                inFlight -= 1
                            }
                            try client.send(window)
                            inFlight += 1
                        }
                        for _ in 0..<inFlight { try client.awaitAck(UInt32(options.windowSize)) }
                    }
                }
            }
            try await group.waitForAll()
        }
        let events = windowsPerConnection * max(1, options.connections) * options.windowSize
        return Result(events: events, bytes: events * options.eventBytes, seconds: Date().timeIntervalSince(started))
    }

    /// Starts a beats input on the kernel's `services` (on a free port of `config.listen`'s host), runs
    /// the load against it, and stops it gracefully: what `sluice bench beats` runs.
    public static func runInProcess(services: ConnectorServices, config: BeatsInputFactory.Configuration = .init(),
                                    options: Options, logger: Logger) async throws -> Result {
        var config = config
        config.listen.port = 0
        let input = try BeatsInput(config: config, services: services,
                                   context: PluginContext(instanceName: "bench", dataDirectory: URL(fileURLWithPath: "."), logger: logger))
        let group = ServiceGroup(configuration: .init(services: [.init(service: input)], logger: logger))
        return try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask { try await group.run() }
            defer { tasks.cancelAll() }
            let port = try await input.listeningPort()
            let result = try await run(host: config.listen.host, port: port, options: options)
            await group.triggerGracefulShutdown()
            try await tasks.waitForAll()
            return result
        }
    }

    /// One window of `windowSize` events with sequences 1…n, as bytes on the wire.
    static func prebuiltWindow(_ options: Options) -> ByteBuffer {
        let events = (0..<options.windowSize).map { sampleEvent(index: $0, size: options.eventBytes) }
        var buffer = ByteBufferAllocator().buffer(capacity: options.windowSize * (options.eventBytes + 10) + 64)
        LumberjackEncoder().window(events: events, compressionLevel: options.compressionLevel, into: &buffer)
        return buffer
    }

    /// A Filebeat-shaped JSON event of exactly `size` bytes (at least about 300): ECS
    /// fields and a log line of varied words, so compression ratios are realistic.
    public static func sampleEvent(index: Int, size: Int = 1024, timestamp: String = "2024-05-01T12:34:56.789Z") -> ByteBuffer {
        let head = #"{"@timestamp":"\#(timestamp)","@metadata":{"beat":"filebeat","type":"_doc","version":"8.13.4"},"#
            + #""host":{"name":"web-\#(index % 16)"},"log":{"offset":\#(index * 1024),"file":{"path":"/var/log/app/app.log"}},"#
            + #""input":{"type":"filestream"},"ecs":{"version":"8.0.0"},"message":""#
        let tail = #""}"#
        let words = ["GET", "/api/v1/orders", "200", "user", "checkout", "latency_ms", "upstream", "cache", "miss", "hit",
                     "POST", "session", "renewed", "timeout", "retry", "db", "query", "rows"]
        var message = ""
        var state = UInt64(truncatingIfNeeded: index) &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
        let room = max(0, size - head.utf8.count - tail.utf8.count)
        while message.utf8.count < room {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            message += words[Int(state >> 33) % words.count] + (state & 1 == 0 ? " " : "=\(state >> 50) ")
        }
        message = String(message.utf8.prefix(room))!
        return ByteBuffer(string: head + message + tail)
    }

    /// Runs blocking socket work on its own thread, keeping the cooperative pool (which
    /// serves the broker and the connections) free.
    static func onThread(_ work: @escaping @Sendable () throws -> Void) async throws {
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
            let thread = Thread {
                do {
                    try work()
                    continuation.resume()
                } catch {
                    continuation.resume(throwing: error)
                }
            }
            thread.start()
        }
    }
}
