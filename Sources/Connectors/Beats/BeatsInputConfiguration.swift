import Foundation
import SluiceKernel
import SluiceTLS

extension BeatsInputFactory {
    /// `config` of a `beats-input` connector. Every key has a default, so `{}` listens on
    /// 127.0.0.1:5044 and writes to the topic `logs`.
    public struct Configuration: PluginConfiguration, Equatable {
        /// Address to accept Filebeat/Logstash connections on. Default "127.0.0.1:5044".
        public var listen = HostPort(host: "127.0.0.1", port: 5044)
        /// Topic events go to. Default "logs".
        public var topic = "logs"
        /// Dotted path of an event field whose value becomes the record key (Kafka's
        /// partitioner then keeps equal keys in one partition). Default none: null keys.
        public var keyField: String?
        /// Dotted path of an event field naming the topic (e.g. "fields.topic"); events
        /// without it, or naming an invalid or uncreatable topic, go to `topic`. Default none.
        public var topicField: String?
        /// Most events one window may announce. Default 65536.
        public var maxWindowSize = 65_536
        /// Most bytes of one event. Default 1048576 (1 MiB).
        public var maxEventBytes = 1 << 20
        /// Most bytes a compressed frame may hold or inflate to. Default 67108864 (64 MiB).
        public var maxDecompressedBytes = 64 << 20
        /// Close a connection after this many milliseconds without input while nothing is
        /// owed to the client. Default 60000.
        public var idleTimeoutMs: Int64 = 60_000
        /// Send a keepalive ack (sequence 0) at least this often, in milliseconds, while a
        /// window is being written. Default 5000.
        public var keepaliveMs: Int64 = 5_000
        /// PEM certificate chain for TLS; with `keyPath`, the input speaks TLS only. Default none.
        public var certificatePath: String?
        /// PEM private key for TLS. Default none.
        public var keyPath: String?
        /// PEM certificates client certificates must chain to (Filebeat's
        /// `ssl.certificate`/`ssl.key` present one). Required when `clientAuth` is not none.
        /// Default none.
        public var caPath: String?
        /// Whether clients present certificates: none, requested or required (mutual TLS,
        /// Logstash's `ssl_client_authentication`). Default none.
        public var clientAuth: TLSSettings.ClientAuth = .none
        /// When set, the bound "host:port" is written to this file once listening (tests
        /// use it with port 0, as with the kafka plugin's `portFile`). Default: none.
        public var portFile: String?

        public init() {}

        enum CodingKeys: String, CodingKey {
            case listen, topic, keyField, topicField, maxWindowSize, maxEventBytes, maxDecompressedBytes
            case idleTimeoutMs, keepaliveMs, certificatePath, keyPath, caPath, clientAuth, portFile
        }

        public init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            listen = try c.decodeIfPresent(HostPort.self, forKey: .listen) ?? listen
            topic = try c.decodeIfPresent(String.self, forKey: .topic) ?? topic
            keyField = try c.decodeIfPresent(String.self, forKey: .keyField)
            topicField = try c.decodeIfPresent(String.self, forKey: .topicField)
            maxWindowSize = try c.decodeIfPresent(Int.self, forKey: .maxWindowSize) ?? maxWindowSize
            maxEventBytes = try c.decodeIfPresent(Int.self, forKey: .maxEventBytes) ?? maxEventBytes
            maxDecompressedBytes = try c.decodeIfPresent(Int.self, forKey: .maxDecompressedBytes) ?? maxDecompressedBytes
            idleTimeoutMs = try c.decodeIfPresent(Int64.self, forKey: .idleTimeoutMs) ?? idleTimeoutMs
            keepaliveMs = try c.decodeIfPresent(Int64.self, forKey: .keepaliveMs) ?? keepaliveMs
            certificatePath = try c.decodeIfPresent(String.self, forKey: .certificatePath)
            keyPath = try c.decodeIfPresent(String.self, forKey: .keyPath)
            caPath = try c.decodeIfPresent(String.self, forKey: .caPath)
            if let name = try c.decodeIfPresent(String.self, forKey: .clientAuth) {
                guard let auth = TLSSettings.ClientAuth(rawValue: name) else {
                    throw DecodingError.dataCorruptedError(forKey: .clientAuth, in: c,
                                                           debugDescription: "'\(name)' is not a client authentication mode; use none, requested or required")
                }
                clientAuth = auth
            }
            portFile = try c.decodeIfPresent(String.self, forKey: .portFile)
        }

        public static let keys: [ConfigKeyDoc] = [
            .init("listen", "host:port", default: "127.0.0.1:5044", "address Filebeat/Logstash connect to"),
            .init("topic", "string", default: "logs", "topic events are written to"),
            .init("keyField", "dotted path", default: "none", "event field whose value becomes the record key"),
            .init("topicField", "dotted path", default: "none", "event field naming the topic; falls back to topic"),
            .init("maxWindowSize", "events", default: "65536", "most events one window may announce"),
            .init("maxEventBytes", "bytes", default: "1048576", "largest event accepted"),
            .init("maxDecompressedBytes", "bytes", default: "67108864", "largest compressed frame, before or after inflating"),
            .init("idleTimeoutMs", "milliseconds", default: "60000", "close connections silent this long with nothing owed"),
            .init("keepaliveMs", "milliseconds", default: "5000", "keepalive ack interval while a window is written"),
            .init("certificatePath", "path", default: "none", "PEM certificate chain; enables TLS with keyPath"),
            .init("keyPath", "path", default: "none", "PEM private key for TLS"),
            .init("caPath", "path", default: "none", "PEM certificates client certificates must chain to"),
            .init("clientAuth", "none | requested | required", default: "none", "whether clients present certificates (mutual TLS)"),
            .init("portFile", "path", default: "none", "file the bound host:port is written to once listening"),
        ]

        /// The TLS settings when `certificatePath` and `keyPath` are both set.
        public var tls: TLSSettings? {
            guard let certificatePath, let keyPath else { return nil }
            return TLSSettings(certificatePath: certificatePath, keyPath: keyPath, caPath: caPath, clientAuth: clientAuth)
        }

        public func validate() -> [ConfigProblem] {
            var problems: [ConfigProblem] = []
            if let why = TopicConfigs.validateName(topic) {
                problems.append(.init(keyPath: "topic", "'\(topic)' is not a valid topic name: \(why)"))
            }
            for (key, value) in [("keyField", keyField), ("topicField", topicField)] {
                if let value, value.isEmpty || value.split(separator: ".", omittingEmptySubsequences: false).contains(where: \.isEmpty) {
                    problems.append(.init(keyPath: key, "'\(value)' is not a field path; write names joined by dots, e.g. \"fields.topic\""))
                }
            }
            if !(1...10_000_000).contains(maxWindowSize) {
                problems.append(.init(keyPath: "maxWindowSize", "must be between 1 and 10000000 events, got \(maxWindowSize)"))
            }
            if !(64...(1 << 30)).contains(maxEventBytes) {
                problems.append(.init(keyPath: "maxEventBytes", "must be between 64 and 1073741824 bytes, got \(maxEventBytes)"))
            }
            if !(1024...Int(UInt32.max)).contains(maxDecompressedBytes) {
                problems.append(.init(keyPath: "maxDecompressedBytes", "must be between 1024 and 4294967295 bytes, got \(maxDecompressedBytes)"))
            } else if maxDecompressedBytes < maxEventBytes {
                problems.append(.init(keyPath: "maxDecompressedBytes", "must be at least maxEventBytes (\(maxEventBytes)), or no compressed event fits; got \(maxDecompressedBytes)"))
            }
            if idleTimeoutMs < 1000 {
                problems.append(.init(keyPath: "idleTimeoutMs", "must be at least 1000 ms, got \(idleTimeoutMs)"))
            }
            if !(100...30_000).contains(keepaliveMs) {
                problems.append(.init(keyPath: "keepaliveMs", "must be between 100 and 30000 ms (clients time out after 30 s by default), got \(keepaliveMs)"))
            }
            if portFile?.isEmpty == true {
                problems.append(.init(keyPath: "portFile", "must name a file, got an empty string; remove the key to write none"))
            }
            switch (certificatePath, keyPath) {
            case (nil, nil):
                break
            case (_?, _?):
                if let tls {
                    problems += tls.validate(prefix: "", wholeKey: "certificatePath")
                }
            case (nil, _?):
                problems.append(.init(keyPath: "certificatePath", "is missing; TLS needs both certificatePath and keyPath"))
            case (_?, nil):
                problems.append(.init(keyPath: "keyPath", "is missing; TLS needs both certificatePath and keyPath"))
            }
            if certificatePath == nil, caPath != nil || clientAuth != .none {
                problems.append(.init(keyPath: "clientAuth", "client certificates need TLS; set certificatePath and keyPath too"))
            }
            return problems
        }

        /// The parser limits these settings describe.
        public var limits: LumberjackLimits {
            LumberjackLimits(maxWindowSize: maxWindowSize, maxEventBytes: maxEventBytes, maxDecompressedBytes: maxDecompressedBytes)
        }
    }
}
