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
    /// Any other code the server (or the client) answered with, with its text.
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

    /// The error for a non-OK code of an operation on `path`.
    static func from(_ code: Int32, operation: String, path: String, expectedVersion: Int32 = -1) -> ZooKeeperError {
        switch code {
        case ZooKeeperCode.noNode: .noNode(path)
        case ZooKeeperCode.nodeExists: .nodeExists(path)
        case ZooKeeperCode.badVersion: .badVersion(path, expected: expectedVersion)
        case ZooKeeperCode.notEmpty: .notEmpty(path)
        case ZooKeeperCode.closing: .closed
        default: .failed(operation: operation, path: path, code: code, message: ZooKeeperCode.message(code))
        }
    }

    /// Codes after which the same call may succeed on a (re)connected or new session:
    /// the connection dropped, the request timed out, or the session was replaced.
    static func isRetriable(_ code: Int32) -> Bool {
        [ZooKeeperCode.connectionLoss, ZooKeeperCode.operationTimeout, ZooKeeperCode.sessionExpired,
         ZooKeeperCode.invalidState, ZooKeeperCode.sessionMoved].contains(code)
    }
}

/// ZooKeeper's result codes (`ReplyHeader.err`, a multi op's error), with the texts the
/// C and Java clients give them. Codes from -1 to -99 are system errors, from -100 API
/// errors; the client uses some itself (connection loss, closing).
enum ZooKeeperCode {
    static let ok: Int32 = 0
    static let systemError: Int32 = -1
    static let runtimeInconsistency: Int32 = -2
    static let dataInconsistency: Int32 = -3
    static let connectionLoss: Int32 = -4
    static let marshallingError: Int32 = -5
    static let unimplemented: Int32 = -6
    static let operationTimeout: Int32 = -7
    static let badArguments: Int32 = -8
    static let invalidState: Int32 = -9
    static let newConfigNoQuorum: Int32 = -13
    static let reconfigInProgress: Int32 = -14
    static let apiError: Int32 = -100
    static let noNode: Int32 = -101
    static let noAuth: Int32 = -102
    static let badVersion: Int32 = -103
    static let noChildrenForEphemerals: Int32 = -108
    static let nodeExists: Int32 = -110
    static let notEmpty: Int32 = -111
    static let sessionExpired: Int32 = -112
    static let invalidCallback: Int32 = -113
    static let invalidACL: Int32 = -114
    static let authFailed: Int32 = -115
    static let closing: Int32 = -116
    static let nothing: Int32 = -117
    static let sessionMoved: Int32 = -118
    static let notReadOnly: Int32 = -119
    static let ephemeralOnLocalSession: Int32 = -120
    static let noWatcher: Int32 = -121
    static let reconfigDisabled: Int32 = -123
    static let sessionClosedRequireSASLAuth: Int32 = -124
    static let quotaExceeded: Int32 = -125
    static let throttledOp: Int32 = -127

    /// The text for `code`.
    static func message(_ code: Int32) -> String {
        switch code {
        case ok: "ok"
        case systemError: "system error"
        case runtimeInconsistency: "run time inconsistency"
        case dataInconsistency: "data inconsistency"
        case connectionLoss: "connection loss"
        case marshallingError: "marshalling error"
        case unimplemented: "unimplemented"
        case operationTimeout: "operation timeout"
        case badArguments: "bad arguments"
        case invalidState: "invalid zhandle state"
        case newConfigNoQuorum: "no quorum of new config is connected and up-to-date with the leader"
        case reconfigInProgress: "another reconfiguration is in progress"
        case apiError: "api error"
        case noNode: "no node"
        case noAuth: "not authenticated"
        case badVersion: "bad version"
        case noChildrenForEphemerals: "no children for ephemerals"
        case nodeExists: "node exists"
        case notEmpty: "not empty"
        case sessionExpired: "session expired"
        case invalidCallback: "invalid callback"
        case invalidACL: "invalid acl"
        case authFailed: "authentication failed"
        case closing: "zookeeper is closing"
        case nothing: "(not error) no server responses to process"
        case sessionMoved: "session moved to another server, so operation is ignored"
        case notReadOnly: "state-changing request is passed to read-only server"
        case ephemeralOnLocalSession: "attempt to create ephemeral node on a local session"
        case noWatcher: "the watcher couldn't be found"
        case reconfigDisabled: "attempts to perform a reconfiguration operation when reconfiguration feature is disabled"
        case sessionClosedRequireSASLAuth: "session closed because client failed to authenticate"
        case quotaExceeded: "quota has exceeded"
        case throttledOp: "operation was throttled and not executed at all"
        default: "unknown error"
        }
    }
}
