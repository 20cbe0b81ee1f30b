import KafkaWire
import SluiceKernel
import SluiceTLS

/// The `kafka` protocol plugin's configuration (`protocols[].config` in plugins.json).
/// Every key has a default, so `{}` listens on 127.0.0.1:9092.
public struct KafkaConfiguration: PluginConfiguration, Equatable {
    /// Where to listen, "host:port" ("[::1]:9092" for IPv6). Port 0 picks a free port,
    /// which is logged and written to `portFile`. Default "127.0.0.1:9092".
    public var listen = "127.0.0.1:9092"
    /// The "host:port" clients are told to connect to (Metadata). Default: the listen
    /// address with the bound port.
    public var advertised: String?
    /// Largest request accepted, in bytes; a connection sending a larger frame is closed.
    /// Default 104857600 (100 MiB), Kafka's `socket.request.max.bytes`.
    public var socketRequestMaxBytes = 104_857_600
    /// Connections served at once; further ones are closed with a log line. Default 10000.
    public var maxConnections = 10_000
    /// Close a connection that has sent and received nothing for this many milliseconds
    /// while none of its requests is being answered. Default 600000 (10 minutes), Kafka's
    /// `connections.max.idle.ms`.
    public var connectionsMaxIdleMs: Int64 = 600_000
    /// Bytes of requests one connection may have read and not yet answered; above it the
    /// server stops reading from that socket until answers catch up (backpressure). A
    /// single larger request is still read when nothing else is in flight.
    /// Default 16777216 (16 MiB).
    public var connectionInflightMaxBytes = 16_777_216
    /// When set, the bound "host:port" is written to this file once listening (tests use
    /// it with port 0). Default: none.
    public var portFile: String?
    /// The cluster id reported in Metadata. Default "sluice".
    public var clusterId = "sluice"
    /// Incremental fetch sessions (KIP-227) kept at once; 0 keeps none, so every fetch is a
    /// full one. Default 1000, Kafka's `max.incremental.fetch.session.cache.slots`.
    public var maxIncrementalFetchSessionCacheSlots = 1000
    /// Milliseconds a new fetch session is protected from eviction by a larger one, and
    /// after which an unused session may be evicted by any new one. Default 120000,
    /// Kafka's `min.incremental.fetch.session.eviction.ms`.
    public var minIncrementalFetchSessionEvictionMs: Int64 = 120_000
    /// TLS on this listener (Kafka's SSL listener; with SASL, SASL_SSL): certificate, key,
    /// CA and client authentication. A client certificate's subject becomes the
    /// connection's principal (`User:CN=…`). Default none: plaintext.
    public var tls: TLSSettings?
    /// SASL authentication on this listener (`{"mechanisms": ["SCRAM-SHA-512"]}`), checked
    /// against the users' SCRAM credentials in the metadata store. Default: none, every
    /// connection is `User:ANONYMOUS`.
    public var sasl: KafkaSaslConfiguration?

    public init() {}

    enum CodingKeys: String, CodingKey {
        case listen, advertised, socketRequestMaxBytes, maxConnections, connectionsMaxIdleMs, connectionInflightMaxBytes
        case portFile, clusterId, maxIncrementalFetchSessionCacheSlots, minIncrementalFetchSessionEvictionMs, tls, sasl
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let d = KafkaConfiguration()
        listen = try c.decodeIfPresent(String.self, forKey: .listen) ?? d.listen
        advertised = try c.decodeIfPresent(String.self, forKey: .advertised)
        socketRequestMaxBytes = try c.decodeIfPresent(Int.self, forKey: .socketRequestMaxBytes) ?? d.socketRequestMaxBytes
        maxConnections = try c.decodeIfPresent(Int.self, forKey: .maxConnections) ?? d.maxConnections
        connectionsMaxIdleMs = try c.decodeIfPresent(Int64.self, forKey: .connectionsMaxIdleMs) ?? d.connectionsMaxIdleMs
        connectionInflightMaxBytes = try c.decodeIfPresent(Int.self, forKey: .connectionInflightMaxBytes) ?? d.connectionInflightMaxBytes
        portFile = try c.decodeIfPresent(String.self, forKey: .portFile)
        clusterId = try c.decodeIfPresent(String.self, forKey: .clusterId) ?? d.clusterId
        maxIncrementalFetchSessionCacheSlots = try c.decodeIfPresent(Int.self, forKey: .maxIncrementalFetchSessionCacheSlots)
            ?? d.maxIncrementalFetchSessionCacheSlots
        minIncrementalFetchSessionEvictionMs = try c.decodeIfPresent(Int64.self, forKey: .minIncrementalFetchSessionEvictionMs)
            ?? d.minIncrementalFetchSessionEvictionMs
        tls = try c.decodeIfPresent(TLSSettings.self, forKey: .tls)
        sasl = try c.decodeIfPresent(KafkaSaslConfiguration.self, forKey: .sasl)
    }

    public static let keys: [ConfigKeyDoc] = [
        .init("listen", "host:port", default: "127.0.0.1:9092", "address to accept Kafka clients on; port 0 picks a free port"),
        .init("advertised", "host:port", default: "the listen address", "address clients are told to connect to"),
        .init("socketRequestMaxBytes", "bytes", default: "104857600", "largest request accepted; larger frames close the connection"),
        .init("maxConnections", "integer", default: "10000", "connections served at once; further ones are closed with a log line"),
        .init("connectionsMaxIdleMs", "milliseconds", default: "600000", "close connections silent this long with no request being answered"),
        .init("connectionInflightMaxBytes", "bytes", default: "16777216", "unanswered request bytes per connection before reading from it pauses"),
        .init("portFile", "path", default: "none", "file the bound host:port is written to once listening"),
        .init("clusterId", "string", default: "sluice", "cluster id reported to clients"),
        .init("maxIncrementalFetchSessionCacheSlots", "integer", default: "1000",
              "incremental fetch sessions kept at once (Kafka's max.incremental.fetch.session.cache.slots); 0 keeps none"),
        .init("minIncrementalFetchSessionEvictionMs", "milliseconds", default: "120000",
              "a new fetch session is safe from eviction this long (Kafka's min.incremental.fetch.session.eviction.ms)"),
        .init("sasl", "object", default: "none",
              "SASL authentication: {\"mechanisms\": [\"SCRAM-SHA-512\", \"SCRAM-SHA-256\", \"PLAIN\"], \"failedAuthenticationDelayMs\": 100, \"sessionLifetimeMs\": 0, \"maxReceiveBytes\": 524288}"),
        .init("tls", "object", default: "none", "TLS on this listener (certificatePath, keyPath, caPath, clientAuth); plaintext without it"),
    ] + TLSSettings.keys(prefix: "tls.")

    public func validate() -> [ConfigProblem] {
        var problems: [ConfigProblem] = []
        do {
            _ = try HostPort(parsing: listen)
        } catch {
            problems.append(.init(keyPath: "listen", error.description))
        }
        if let advertised {
            do {
                if try HostPort(parsing: advertised).port == 0 {
                    problems.append(.init(keyPath: "advertised", "\"\(advertised)\": clients cannot connect to port 0; give the real port (1–65535) or remove the key"))
                }
            } catch {
                problems.append(.init(keyPath: "advertised", error.description))
            }
        }
        if !(1024...Int(Int32.max)).contains(socketRequestMaxBytes) {
            problems.append(.init(keyPath: "socketRequestMaxBytes",
                                  "must be between 1024 and 2147483647 bytes, got \(socketRequestMaxBytes)"))
        }
        if maxConnections < 1 {
            problems.append(.init(keyPath: "maxConnections", "must be at least 1, got \(maxConnections)"))
        }
        if !(100...Int64(Int32.max)).contains(connectionsMaxIdleMs) {
            problems.append(.init(keyPath: "connectionsMaxIdleMs", "must be between 100 and 2147483647 ms, got \(connectionsMaxIdleMs)"))
        }
        if !(1024...Int(Int32.max)).contains(connectionInflightMaxBytes) {
            problems.append(.init(keyPath: "connectionInflightMaxBytes",
                                  "must be between 1024 and 2147483647 bytes, got \(connectionInflightMaxBytes)"))
        }
        if portFile?.isEmpty == true {
            problems.append(.init(keyPath: "portFile", "must name a file, got an empty string; remove the key to write none"))
        }
        if !(0...1_000_000).contains(maxIncrementalFetchSessionCacheSlots) {
            problems.append(.init(keyPath: "maxIncrementalFetchSessionCacheSlots",
                                  "must be between 0 (no fetch sessions) and 1000000, got \(maxIncrementalFetchSessionCacheSlots)"))
        }
        if !(0...Int64(Int32.max)).contains(minIncrementalFetchSessionEvictionMs) {
            problems.append(.init(keyPath: "minIncrementalFetchSessionEvictionMs",
                                  "must be between 0 and 2147483647 ms, got \(minIncrementalFetchSessionEvictionMs)"))
        }
        if clusterId.isEmpty {
            problems.append(.init(keyPath: "clusterId", "must not be empty"))
        }
        if let tls {
            problems += tls.validate(prefix: "tls.", wholeKey: "tls")
        }
        if let sasl {
            // PLAIN sends the password as it is: only TLS or loopback keep it off the network.
            problems += sasl.validate(listenHost: tls == nil ? (try? HostPort(parsing: listen).host) : nil)
        }
        return problems
    }
}
