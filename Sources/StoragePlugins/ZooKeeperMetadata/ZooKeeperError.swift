import CZooKeeper

/// Why a ZooKeeper call failed. Node-level outcomes (`noNode`, `nodeExists`, `badVersion`,
/// `notEmpty`) are answers the store turns into contract errors; the others say the
/// service could not be used and what to do about it.
public enum ZooKeeperError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The znode does not exist.
    case noNode(String)
    /// A znode with that path exists already.
    case nodeExists(String)
    /// The znode's version is no longer the expected one.
    case badVersion(String, expected: Int32)
    /// The znode still has children.
    case notEmpty(String)
    /// No server of the ensemble answered within the bound (ms); the call may be retried.
    case connectionLoss(connect: String, waitedMs: Int)
    /// Start-up could not reach any server within `connectTimeoutMs`.
    case connectTimeout(connect: String, timeoutMs: Int)
    /// The connect string could not be used (e.g. no host resolves).
    case badConnectString(String, reason: String)
    /// The client was closed; later calls fail.
    case closed
    /// Any other return code of the C client, with its text.
    case failed(operation: String, path: String, code: Int32, message: String)

    public var description: String {
        switch self {
        case .noNode(let path): "znode \(path) does not exist"
        case .nodeExists(let path): "znode \(path) already exists"
        case .badVersion(let path, let expected): "znode \(path) is no longer at version \(expected)"
        case .notEmpty(let path): "znode \(path) still has children"
        case .connectionLoss(let connect, let waited):
            "no ZooKeeper server of '\(connect)' answered for \(waited) ms; check that the ensemble is running and reachable"
        case .connectTimeout(let connect, let timeout):
            "could not connect to ZooKeeper at '\(connect)' within \(timeout) ms (connectTimeoutMs); "
                + "check that the servers are running and the addresses are right"
        case .badConnectString(let connect, let reason):
            "the ZooKeeper connect string '\(connect)' cannot be used: \(reason)"
        case .closed: "the ZooKeeper client is closed"
        case .failed(let operation, let path, let code, let message):
            "ZooKeeper \(operation) \(path) failed: \(message) (code \(code))"
        }
    }

    /// The error for a non-OK return code of an operation on `path`.
    static func from(_ code: Int32, operation: String, path: String, expectedVersion: Int32 = -1) -> ZooKeeperError {
        switch code {
        case ZNONODE.rawValue: .noNode(path)
        case ZNODEEXISTS.rawValue: .nodeExists(path)
        case ZBADVERSION.rawValue: .badVersion(path, expected: expectedVersion)
        case ZNOTEMPTY.rawValue: .notEmpty(path)
        case ZCLOSING.rawValue: .closed
        default: .failed(operation: operation, path: path, code: code, message: String(cString: zerror(code)))
        }
    }

    /// Codes after which the same call may succeed on a (re)connected or new session:
    /// the connection dropped, the request timed out, or the session was replaced.
    static func isRetriable(_ code: Int32) -> Bool {
        [ZCONNECTIONLOSS.rawValue, ZOPERATIONTIMEOUT.rawValue, ZSESSIONEXPIRED.rawValue, ZINVALIDSTATE.rawValue,
         ZSESSIONMOVED.rawValue].contains(code)
    }
}
