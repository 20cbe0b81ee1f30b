import SluiceKernel

/// The `http` protocol plugin's configuration (`protocols[].config` in plugins.json).
/// Every key has a default, so `{}` listens on 127.0.0.1:8080.
public struct HTTPConfiguration: PluginConfiguration, Equatable {
    /// Where to serve /metrics, the health checks, the admin API and the console,
    /// "host:port". Port 0 picks a free port, which is logged and written to `portFile`.
    /// Default "127.0.0.1:8080".
    public var listen = "127.0.0.1:8080"
    /// When set, the bound "host:port" is written to this file once listening (tests use
    /// it with port 0). Default: none.
    public var portFile: String?

    public init() {}

    enum CodingKeys: String, CodingKey {
        case listen, portFile
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        listen = try c.decodeIfPresent(String.self, forKey: .listen) ?? HTTPConfiguration().listen
        portFile = try c.decodeIfPresent(String.self, forKey: .portFile)
    }

    public static let keys: [ConfigKeyDoc] = [
        .init("listen", "host:port", default: "127.0.0.1:8080", "address of /metrics, /healthz, /readyz, /api and the web console; port 0 picks a free port"),
        .init("portFile", "path", default: "none", "file the bound host:port is written to once listening"),
    ]

    public func validate() -> [ConfigProblem] {
        var problems: [ConfigProblem] = []
        do {
            _ = try HostPort(parsing: listen)
        } catch {
            problems.append(.init(keyPath: "listen", error.description))
        }
        if portFile?.isEmpty == true {
            problems.append(.init(keyPath: "portFile", "must name a file, got an empty string; remove the key to write none"))
        }
        return problems
    }
}
