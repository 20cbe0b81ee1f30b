import CZooKeeper
import Logging

/// What the client reports about its session and watches, in order.
public enum ZooKeeperNotification: Sendable, Equatable {
    /// The session is connected; `reconnected` is true after a disconnect of the same
    /// session (watches set before were re-registered by the C client).
    case connected(reconnected: Bool)
    /// The connection dropped; the C client is reconnecting within the session timeout.
    case disconnected
    /// The server ended the session (ephemeral znodes and watches are gone); a new
    /// session has been opened in its place.
    case sessionReplaced
    /// A watch fired: `type` is `ZOO_CHILD_EVENT`, `ZOO_CHANGED_EVENT`, `ZOO_CREATED_EVENT`
    /// or `ZOO_DELETED_EVENT`; `path` is relative to the chroot.
    case watch(type: Int32, path: String)
}

/// How a znode is created.
public enum CreateMode: Sendable {
    case persistent, ephemeral, persistentSequential, ephemeralSequential

    var flags: Int32 {
        switch self {
        case .persistent: ZOO_PERSISTENT
        case .ephemeral: ZOO_EPHEMERAL
        case .persistentSequential: ZOO_PERSISTENT_SEQUENTIAL
        case .ephemeralSequential: ZOO_EPHEMERAL_SEQUENTIAL
        }
    }

    var isEphemeral: Bool { self == .ephemeral || self == .ephemeralSequential }
    var isSequential: Bool { self == .persistentSequential || self == .ephemeralSequential }
}

/// A parsed connect string: "host:port[,host:port…][/chroot]".
public struct ConnectString: Sendable, Equatable, CustomStringConvertible {
    /// "host:port,host:port", as the C client takes it.
    public var hosts: String
    /// The chroot path ("/sluice"), or nil for the root.
    public var chroot: String?

    /// Parses and checks `text`; throws `ZooKeeperError.badConnectString` naming the problem.
    public init(_ text: String) throws {
        let slash = text.firstIndex(of: "/")
        hosts = String(text[..<(slash ?? text.endIndex)])
        chroot = slash.map { String(text[$0...]) }
        if let problem = Self.problem(hosts: hosts, chroot: chroot) { throw ZooKeeperError.badConnectString(text, reason: problem) }
    }

    public var description: String { hosts + (chroot ?? "") }

    static func problem(hosts: String, chroot: String?) -> String? {
        if hosts.isEmpty { return "expected host:port[,host:port…][/chroot], got no host" }
        for host in hosts.split(separator: ",", omittingEmptySubsequences: false) {
            guard let colon = host.lastIndex(of: ":"), !host[..<colon].isEmpty,
                  let port = Int(host[host.index(after: colon)...]), (1...65_535).contains(port) else {
                return "'\(host)' is not host:port with a port from 1 to 65535"
            }
        }
        if let chroot {
            if chroot == "/" { return "the chroot '/' is the root: leave it out" }
            if chroot.hasSuffix("/") || chroot.contains("//") { return "the chroot '\(chroot)' must not end in '/' or contain '//'" }
        }
        return nil
    }
}

/// The C client's own log lines, routed to swift-log (it has no context pointer).
let cClientLogger = Logger(label: "sluice.zookeeper.c-client")

/// Receives the C client's log lines (set per handle by `zookeeper_init2`).
let cClientLog: log_callback_fn = { message in
    guard let message else { return }
    cClientLogger.debug("\(String(cString: message))")
}

/// Hex form of a session id, as ZooKeeper's own logs print it.
func sessionHex(_ id: Int64) -> String { "0x" + String(UInt64(bitPattern: id), radix: 16) }
