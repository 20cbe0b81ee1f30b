import NIOCore

/// The request types of the client protocol this client sends (ZooKeeper's `OpCode`).
enum ZooKeeperOpCode: Int32, Sendable {
    case create = 1
    case delete = 2
    case exists = 3
    case getData = 4
    case setData = 5
    case getChildren = 8
    case ping = 11
    case getChildren2 = 12
    case check = 13
    case multi = 14
    case setWatches = 101
    case closeSession = -11
    /// In a multi's results: the op failed (or was rolled back).
    case error = -1
}

/// The xids the protocol reserves; requests use positive ones.
enum ZooKeeperXid {
    /// A watch notification from the server.
    static let notification: Int32 = -1
    /// A ping and its reply.
    static let ping: Int32 = -2
    /// SetWatches after a reconnect and its reply.
    static let setWatches: Int32 = -8
}

/// The handshake a client opens every connection with: a new session (id 0, empty
/// password) or the continuation of one (its id and password, within its timeout).
struct ConnectRequest: Sendable, Equatable {
    var protocolVersion: Int32 = 0
    /// The last zxid this client saw: a server that is behind it refuses the connection,
    /// so a client never travels back in time.
    var lastZxidSeen: Int64
    /// The requested session timeout in ms; the server clamps it to its min and max.
    var timeoutMs: Int32
    var sessionID: Int64
    var password: [UInt8]
    var readOnly = false

    func encode(into buffer: inout ByteBuffer) {
        buffer.writeJuteInt(protocolVersion)
        buffer.writeJuteLong(lastZxidSeen)
        buffer.writeJuteInt(timeoutMs)
        buffer.writeJuteLong(sessionID)
        buffer.writeJuteBuffer(password)
        buffer.writeJuteBool(readOnly)
    }

    /// The whole frame (length prefix included).
    var frame: ByteBuffer { ZooKeeperFrame.make { encode(into: &$0) } }
}

/// The server's answer to a `ConnectRequest`. A timeout of 0 means the session named in
/// the request has expired (or its password was wrong): it cannot be continued.
struct ConnectResponse: Sendable, Equatable {
    var protocolVersion: Int32
    /// The negotiated session timeout in ms.
    var timeoutMs: Int32
    var sessionID: Int64
    var password: [UInt8]
    /// Servers before 3.4 do not send the flag.
    var readOnly: Bool

    var isExpired: Bool { timeoutMs <= 0 }

    static func decode(_ buffer: inout ByteBuffer) throws -> ConnectResponse {
        let version = try buffer.readJuteInt("ConnectResponse.protocolVersion")
        let timeout = try buffer.readJuteInt("ConnectResponse.timeOut")
        let session = try buffer.readJuteLong("ConnectResponse.sessionId")
        let password = try buffer.readJuteBuffer("ConnectResponse.passwd") ?? []
        let readOnly = buffer.readableBytes > 0 ? try buffer.readJuteBool("ConnectResponse.readOnly") : false
        return ConnectResponse(protocolVersion: version, timeoutMs: timeout, sessionID: session, password: password,
                               readOnly: readOnly)
    }

    func encode(into buffer: inout ByteBuffer) {
        buffer.writeJuteInt(protocolVersion)
        buffer.writeJuteInt(timeoutMs)
        buffer.writeJuteLong(sessionID)
        buffer.writeJuteBuffer(password)
        buffer.writeJuteBool(readOnly)
    }
}

/// What precedes every request after the handshake.
struct RequestHeader: Sendable, Equatable {
    var xid: Int32
    var opCode: ZooKeeperOpCode

    func encode(into buffer: inout ByteBuffer) {
        buffer.writeJuteInt(xid)
        buffer.writeJuteInt(opCode.rawValue)
    }
}

/// What precedes every reply and notification: the request's xid (or a reserved one),
/// the zxid the server had reached, and the outcome code (0: ok).
struct ReplyHeader: Sendable, Equatable {
    var xid: Int32
    var zxid: Int64
    var err: Int32

    static func decode(_ buffer: inout ByteBuffer) throws -> ReplyHeader {
        ReplyHeader(xid: try buffer.readJuteInt("ReplyHeader.xid"), zxid: try buffer.readJuteLong("ReplyHeader.zxid"),
                    err: try buffer.readJuteInt("ReplyHeader.err"))
    }

    func encode(into buffer: inout ByteBuffer) {
        buffer.writeJuteInt(xid)
        buffer.writeJuteLong(zxid)
        buffer.writeJuteInt(err)
    }
}

/// A fired watch as the server sends it (after a `ReplyHeader` with xid -1).
struct WatcherEvent: Sendable, Equatable {
    /// 1 created, 2 deleted, 3 data changed, 4 children changed (see `WatchEventType`).
    var type: Int32
    /// The session state; 3 (connected) for node events.
    var state: Int32
    /// The server-side path (chroot included).
    var path: String

    static func decode(_ buffer: inout ByteBuffer) throws -> WatcherEvent {
        WatcherEvent(type: try buffer.readJuteInt("WatcherEvent.type"), state: try buffer.readJuteInt("WatcherEvent.state"),
                     path: try buffer.readJuteString("WatcherEvent.path") ?? "")
    }

    func encode(into buffer: inout ByteBuffer) {
        buffer.writeJuteInt(type)
        buffer.writeJuteInt(state)
        buffer.writeJuteString(path)
    }
}

extension ZNodeStat {
    /// Reads a jute `Stat` (68 bytes), keeping what the store uses.
    static func decode(_ buffer: inout ByteBuffer) throws -> ZNodeStat {
        _ = try buffer.readJuteLong("Stat.czxid")
        _ = try buffer.readJuteLong("Stat.mzxid")
        _ = try buffer.readJuteLong("Stat.ctime")
        _ = try buffer.readJuteLong("Stat.mtime")
        let version = try buffer.readJuteInt("Stat.version")
        _ = try buffer.readJuteInt("Stat.cversion")
        _ = try buffer.readJuteInt("Stat.aversion")
        let owner = try buffer.readJuteLong("Stat.ephemeralOwner")
        _ = try buffer.readJuteInt("Stat.dataLength")
        let children = try buffer.readJuteInt("Stat.numChildren")
        _ = try buffer.readJuteLong("Stat.pzxid")
        return ZNodeStat(version: version, ephemeralOwner: owner, childCount: children)
    }
}
