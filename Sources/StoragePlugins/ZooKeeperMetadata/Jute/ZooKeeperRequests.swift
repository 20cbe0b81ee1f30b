import NIOCore

/// The requests this client sends, each encoded as its jute record after a
/// `RequestHeader`. Paths are the server's (the chroot already prefixed).
enum ZooKeeperRequest: Sendable, Equatable {
    case create(path: String, data: [UInt8], mode: CreateMode)
    case delete(path: String, version: Int32)
    case exists(path: String, watch: Bool)
    case getData(path: String, watch: Bool)
    case setData(path: String, data: [UInt8], version: Int32)
    /// GetChildren2: the names and the parent's stat.
    case getChildren2(path: String, watch: Bool)
    case multi([ZooKeeperOp])
    /// Re-registers watches after a reconnect; the server fires at once those whose znode
    /// changed after `relativeZxid`.
    case setWatches(relativeZxid: Int64, data: [String], exist: [String], child: [String])
    case ping
    case closeSession

    var opCode: ZooKeeperOpCode {
        switch self {
        case .create: .create
        case .delete: .delete
        case .exists: .exists
        case .getData: .getData
        case .setData: .setData
        case .getChildren2: .getChildren2
        case .multi: .multi
        case .setWatches: .setWatches
        case .ping: .ping
        case .closeSession: .closeSession
        }
    }

    /// The same request with every path passed through `transform` (adding the chroot).
    func mapPaths(_ transform: (String) -> String) -> ZooKeeperRequest {
        switch self {
        case .create(let path, let data, let mode): .create(path: transform(path), data: data, mode: mode)
        case .delete(let path, let version): .delete(path: transform(path), version: version)
        case .exists(let path, let watch): .exists(path: transform(path), watch: watch)
        case .getData(let path, let watch): .getData(path: transform(path), watch: watch)
        case .setData(let path, let data, let version): .setData(path: transform(path), data: data, version: version)
        case .getChildren2(let path, let watch): .getChildren2(path: transform(path), watch: watch)
        case .multi(let ops): .multi(ops.map { $0.mapPath(transform) })
        case .setWatches(let zxid, let data, let exist, let child):
            .setWatches(relativeZxid: zxid, data: data.map(transform), exist: exist.map(transform), child: child.map(transform))
        case .ping, .closeSession: self
        }
    }

    /// The whole frame: length prefix, `RequestHeader` with `xid`, then the record.
    func frame(xid: Int32, allocator: ByteBufferAllocator = ByteBufferAllocator()) -> ByteBuffer {
        ZooKeeperFrame.make(allocator: allocator) { buffer in
            RequestHeader(xid: xid, opCode: opCode).encode(into: &buffer)
            encodeBody(into: &buffer)
        }
    }

    func encodeBody(into buffer: inout ByteBuffer) {
        switch self {
        case .create(let path, let data, let mode):
            buffer.writeJuteString(path)
            buffer.writeJuteBuffer(data)
            Self.writeOpenACL(into: &buffer)
            buffer.writeJuteInt(mode.flags)
        case .delete(let path, let version):
            buffer.writeJuteString(path)
            buffer.writeJuteInt(version)
        case .exists(let path, let watch), .getData(let path, let watch), .getChildren2(let path, let watch):
            buffer.writeJuteString(path)
            buffer.writeJuteBool(watch)
        case .setData(let path, let data, let version):
            buffer.writeJuteString(path)
            buffer.writeJuteBuffer(data)
            buffer.writeJuteInt(version)
        case .multi(let ops):
            for op in ops {
                MultiHeader(type: op.opCode.rawValue, done: false, err: -1).encode(into: &buffer)
                op.encodeBody(into: &buffer)
            }
            MultiHeader.end.encode(into: &buffer)
        case .setWatches(let zxid, let data, let exist, let child):
            buffer.writeJuteLong(zxid)
            buffer.writeJuteStrings(data)
            buffer.writeJuteStrings(exist)
            buffer.writeJuteStrings(child)
        case .ping, .closeSession:
            break
        }
    }

    /// The one ACL every znode of the store gets: `world:anyone` with all permissions
    /// (read, write, create, delete, admin = 31), as the C client's `ZOO_OPEN_ACL_UNSAFE`.
    static func writeOpenACL(into buffer: inout ByteBuffer) {
        buffer.writeJuteInt(1)
        buffer.writeJuteInt(31)
        buffer.writeJuteString("world")
        buffer.writeJuteString("anyone")
    }
}

/// What precedes each op of a multi request and each result of its reply; a header with
/// `done` ends the list.
struct MultiHeader: Sendable, Equatable {
    var type: Int32
    var done: Bool
    var err: Int32

    static let end = MultiHeader(type: -1, done: true, err: -1)

    func encode(into buffer: inout ByteBuffer) {
        buffer.writeJuteInt(type)
        buffer.writeJuteBool(done)
        buffer.writeJuteInt(err)
    }

    static func decode(_ buffer: inout ByteBuffer) throws -> MultiHeader {
        MultiHeader(type: try buffer.readJuteInt("MultiHeader.type"), done: try buffer.readJuteBool("MultiHeader.done"),
                    err: try buffer.readJuteInt("MultiHeader.err"))
    }
}

/// One op's result in a multi reply.
enum MultiOpResult: Sendable, Equatable {
    case created(path: String)
    case set(ZNodeStat)
    case deleted
    case checked
    /// The op failed with this code, or was not applied because another op failed
    /// (then 0 for ops before it and `runtimeInconsistency` for ops after it).
    case error(Int32)

    var code: Int32 {
        if case .error(let code) = self { return code }
        return ZooKeeperCode.ok
    }
}

extension ZooKeeperOp {
    var opCode: ZooKeeperOpCode {
        switch self {
        case .create: .create
        case .set: .setData
        case .delete: .delete
        case .check: .check
        }
    }

    /// The op's record: CreateRequest, SetDataRequest, DeleteRequest or
    /// CheckVersionRequest, as the single requests encode them.
    func encodeBody(into buffer: inout ByteBuffer) {
        switch self {
        case .create(let path, let data, let mode):
            ZooKeeperRequest.create(path: path, data: data, mode: mode).encodeBody(into: &buffer)
        case .set(let path, let data, let version):
            ZooKeeperRequest.setData(path: path, data: data, version: version).encodeBody(into: &buffer)
        case .delete(let path, let version), .check(let path, let version):
            buffer.writeJuteString(path)
            buffer.writeJuteInt(version)
        }
    }

    func mapPath(_ transform: (String) -> String) -> ZooKeeperOp {
        switch self {
        case .create(let path, let data, let mode): .create(path: transform(path), data: data, mode: mode)
        case .set(let path, let data, let version): .set(path: transform(path), data: data, version: version)
        case .delete(let path, let version): .delete(path: transform(path), version: version)
        case .check(let path, let version): .check(path: transform(path), version: version)
        }
    }
}

/// Decoders of the reply records, one per request type.
enum ZooKeeperReply {
    /// CreateResponse: the created path (with a sequential suffix).
    static func created(_ body: inout ByteBuffer) throws -> String {
        try body.readJuteString("CreateResponse.path") ?? ""
    }

    /// GetDataResponse: the data and the stat.
    static func data(_ body: inout ByteBuffer) throws -> ZNodeData {
        let bytes = try body.readJuteBuffer("GetDataResponse.data") ?? []
        return ZNodeData(bytes: bytes, stat: try ZNodeStat.decode(&body))
    }

    /// ExistsResponse and SetDataResponse: a stat.
    static func stat(_ body: inout ByteBuffer) throws -> ZNodeStat {
        try ZNodeStat.decode(&body)
    }

    /// GetChildren2Response: the names (the parent's stat after them is not needed).
    static func children(_ body: inout ByteBuffer) throws -> [String] {
        try body.readJuteStrings("GetChildren2Response.children")
    }

    /// MultiResponse: one result per op, until the header that says done.
    static func multi(_ body: inout ByteBuffer) throws -> [MultiOpResult] {
        var results: [MultiOpResult] = []
        while true {
            let header = try MultiHeader.decode(&body)
            if header.done { return results }
            switch ZooKeeperOpCode(rawValue: header.type) {
            case .create: results.append(.created(path: try created(&body)))
            case .setData: results.append(.set(try stat(&body)))
            case .delete: results.append(.deleted)
            case .check: results.append(.checked)
            case .error: results.append(.error(try body.readJuteInt("ErrorResponse.err")))
            default: throw JuteDecodingError(field: "MultiHeader.type", problem: "unexpected op type \(header.type)")
            }
        }
    }
}
