/// What the client reports about its session and watches, in order.
public enum ZooKeeperNotification: Sendable, Equatable {
    /// The session is connected; `reconnected` is true after a disconnect of the same
    /// session (the watches set before were re-registered with SetWatches).
    case connected(reconnected: Bool)
    /// The connection dropped; the client is reconnecting within the session timeout.
    case disconnected
    /// The server ended the session (ephemeral znodes and watches are gone); a new
    /// session has been opened in its place and is connected.
    case sessionReplaced
    /// A watch fired on `path` (relative to the chroot).
    case watch(type: WatchEventType, path: String)
}

/// What happened to a watched znode.
public enum WatchEventType: Int32, Sendable, Equatable {
    /// The znode was created (an `exists` watch on a missing znode).
    case created = 1
    /// The znode was deleted.
    case deleted = 2
    /// The znode's data was set.
    case dataChanged = 3
    /// A child was created or deleted.
    case childrenChanged = 4
}

/// How a znode is created.
public enum CreateMode: Sendable, Equatable {
    /// Stays until deleted.
    case persistent
    /// Deleted when the session that created it ends.
    case ephemeral
    /// Persistent, with a 10-digit counter appended to the name.
    case persistentSequential
    /// Ephemeral, with a 10-digit counter appended to the name.
    case ephemeralSequential

    /// The jute CreateRequest flags.
    var flags: Int32 {
        switch self {
        case .persistent: 0
        case .ephemeral: 1
        case .persistentSequential: 2
        case .ephemeralSequential: 3
        }
    }

    var isEphemeral: Bool { self == .ephemeral || self == .ephemeralSequential }
    var isSequential: Bool { self == .persistentSequential || self == .ephemeralSequential }
}

/// A parsed connect string: "host:port[,host:port…][/chroot]".
public struct ConnectString: Sendable, Equatable, CustomStringConvertible {
    /// "host:port,host:port", as configured.
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

    /// The servers of `hosts` in their configured order; IPv6 addresses may be bracketed.
    var servers: [(host: String, port: Int)] {
        hosts.split(separator: ",").compactMap { entry in
            guard let colon = entry.lastIndex(of: ":"), let port = Int(entry[entry.index(after: colon)...]) else { return nil }
            var host = entry[..<colon]
            if host.hasPrefix("["), host.hasSuffix("]") { host = host.dropFirst().dropLast() }
            return (String(host), port)
        }
    }

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

/// Hex form of a session id, as ZooKeeper's own logs print it.
func sessionHex(_ id: Int64) -> String { "0x" + String(UInt64(bitPattern: id), radix: 16) }
