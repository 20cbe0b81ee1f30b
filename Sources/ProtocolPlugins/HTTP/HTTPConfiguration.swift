import SluiceKernel
import SluiceTLS

/// The `http` protocol plugin's configuration (`protocols[].config` in plugins.json).
/// Every key has a default, so `{}` listens on 127.0.0.1:8080, open, as before.
public struct HTTPConfiguration: PluginConfiguration, Equatable {
    /// Where to serve /metrics, the health checks, the admin API and the console,
    /// "host:port". Port 0 picks a free port, which is logged and written to `portFile`.
    /// Default "127.0.0.1:8080".
    public var listen = "127.0.0.1:8080"
    /// When set, the bound "host:port" is written to this file once listening (tests use
    /// it with port 0). Default: none.
    public var portFile: String?
    /// HTTPS with this certificate and key (client certificates per `clientAuth`). Default: none (HTTP).
    public var tls: TLSSettings?
    /// Whether `/api` and the console ask for a user: HTTP Basic, or the session cookie of
    /// the login form, checked against the users of `sluice users add`. Default false.
    public var authenticate = false
    /// Paths answered without authentication. Default `/metrics`, `/healthz`, `/readyz`
    /// (what Prometheus and orchestrators poll).
    public var openPaths = ["/metrics", "/healthz", "/readyz"]
    /// Must be written out as true to serve an unauthenticated console off loopback.
    /// Default false: such a config is refused.
    public var allowUnauthenticated = false

    public init() {}

    enum CodingKeys: String, CodingKey {
        case listen, portFile, tls, authenticate, openPaths, allowUnauthenticated
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let d = HTTPConfiguration()
        listen = try c.decodeIfPresent(String.self, forKey: .listen) ?? d.listen
        portFile = try c.decodeIfPresent(String.self, forKey: .portFile)
        tls = try c.decodeIfPresent(TLSSettings.self, forKey: .tls)
        authenticate = try c.decodeIfPresent(Bool.self, forKey: .authenticate) ?? d.authenticate
        openPaths = try c.decodeIfPresent([String].self, forKey: .openPaths) ?? d.openPaths
        allowUnauthenticated = try c.decodeIfPresent(Bool.self, forKey: .allowUnauthenticated) ?? d.allowUnauthenticated
    }

    public static let keys: [ConfigKeyDoc] = [
        .init("listen", "host:port", default: "127.0.0.1:8080", "address of /metrics, /healthz, /readyz, /api and the web console; port 0 picks a free port"),
        .init("portFile", "path", default: "none", "file the bound host:port is written to once listening"),
        .init("tls", "object", default: "none", "HTTPS (certificatePath, keyPath, caPath, clientAuth); HTTP without it"),
    ] + TLSSettings.keys(prefix: "tls.") + [
        .init("authenticate", "bool", default: "false", "ask for a user (HTTP Basic or the login form) on /api and the console, checked against `sluice users`"),
        .init("openPaths", "[path]", default: "[\"/metrics\", \"/healthz\", \"/readyz\"]", "paths answered without authentication"),
        .init("allowUnauthenticated", "bool", default: "false", "write true to serve an open console off loopback; refused otherwise"),
    ]

    public func validate() -> [ConfigProblem] {
        var problems: [ConfigProblem] = []
        var host: String?
        do {
            host = try HostPort(parsing: listen).host
        } catch {
            problems.append(.init(keyPath: "listen", error.description))
        }
        if portFile?.isEmpty == true {
            problems.append(.init(keyPath: "portFile", "must name a file, got an empty string; remove the key to write none"))
        }
        if let tls { problems += tls.validate(prefix: "tls.", wholeKey: "tls") }
        if let bad = openPaths.first(where: { !$0.hasPrefix("/") }) {
            problems.append(.init(keyPath: "openPaths", "'\(bad)' is not a path; write it from the root, e.g. \"/metrics\""))
        }
        if let host, !HostPort.isLoopback(host: host) {
            if !authenticate && !allowUnauthenticated {
                problems.append(.init(keyPath: "authenticate", "the console and /api listen on \(host), off loopback, and anyone who reaches it could browse every topic; set \"authenticate\": true (users from `sluice users add`), listen on 127.0.0.1, or write \"allowUnauthenticated\": true to serve it open"))
            } else if authenticate && tls == nil {
                problems.append(.init(keyPath: "tls", "\"authenticate\" on \(host), off loopback, would send passwords in clear text; configure tls (certificatePath, keyPath) or listen on 127.0.0.1"))
            }
        }
        return problems
    }
}
