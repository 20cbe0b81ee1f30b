import Logging
import NIOCore

/// A request waiting for its reply: the request as the caller named it (for the watch it
/// sets) and the caller.
struct PendingRequest {
    let request: ZooKeeperRequest
    let continuation: CheckedContinuation<ZooKeeperResult, Never>
}

/// A reply's code and record (empty unless the code is ok, and for some requests then too).
struct ZooKeeperResult: Sendable {
    var code: Int32
    var body = ByteBuffer()
}

/// Sending requests, matching replies by xid, tracking watches; one attempt of each
/// operation for `perform` to retry.
extension ZooKeeperClient {
    /// Sends `request` (client paths) on the current connection and waits for its reply;
    /// connection loss when not connected or when the connection drops first.
    func send(_ request: ZooKeeperRequest) async -> ZooKeeperResult {
        guard connected, let connection else { return ZooKeeperResult(code: ZooKeeperCode.connectionLoss) }
        let xid = nextXid
        nextXid = nextXid == .max ? 1 : nextXid + 1
        let frame = request.mapPaths(chroot.serverPath).frame(xid: xid, allocator: connection.allocator)
        return await withCheckedContinuation { continuation in
            pending[xid] = PendingRequest(request: request, continuation: continuation)
            connection.send(frame)
        }
    }

    /// Handles one frame after the handshake: a reply, a watch notification, or the
    /// answer to a ping or SetWatches.
    func received(_ frame: ByteBuffer) {
        var body = frame
        let header: ReplyHeader
        do {
            header = try ReplyHeader.decode(&body)
        } catch {
            return protocolError("\(error)")
        }
        switch header.xid {
        case ZooKeeperXid.notification:
            let event: WatcherEvent
            do {
                event = try WatcherEvent.decode(&body)
            } catch {
                return protocolError("\(error)")
            }
            guard let type = WatchEventType(rawValue: event.type) else {
                logger.debug("ignoring a ZooKeeper event of type \(event.type) on \(event.path)")
                return
            }
            let path = chroot.clientPath(event.path)
            watches.fired(type, path: path)
            notify.yield(.watch(type: type, path: path))
        case ZooKeeperXid.ping:
            break
        case ZooKeeperXid.setWatches:
            if header.err != ZooKeeperCode.ok {
                logger.warning("ZooKeeper refused to set the watches again: \(ZooKeeperCode.message(header.err))")
            }
        default:
            // As the Java client: only replies move the zxid a reconnect asks for.
            if header.zxid > lastZxid { lastZxid = header.zxid }
            guard let waiting = pending.removeValue(forKey: header.xid) else {
                // After close, replies to the requests it failed may still be buffered.
                return closed ? () : protocolError("a reply to xid \(header.xid), which no request has")
            }
            watches.register(after: waiting.request, code: header.err)
            waiting.continuation.resume(returning: ZooKeeperResult(code: header.err, body: body))
        }
    }

    /// The server sent what this client cannot follow: drop the connection (requests in
    /// flight fail with connection loss and are retried on the next one).
    private func protocolError(_ problem: String) {
        logger.error("unexpected data from the ZooKeeper server (\(problem)); reconnecting")
        connection?.close()
    }

    /// Sends `request` and decodes an ok reply's record with `decode`; a record that does
    /// not decode is a marshalling error (not retried).
    func call<T: Sendable>(_ request: ZooKeeperRequest, _ decode: (inout ByteBuffer) throws -> T) async -> (Int32, T?) {
        var result = await send(request)
        guard result.code == ZooKeeperCode.ok else { return (result.code, nil) }
        do {
            return (ZooKeeperCode.ok, try decode(&result.body))
        } catch {
            logger.error("cannot decode the ZooKeeper reply to \(request.opCode): \(error)")
            return (ZooKeeperCode.marshallingError, nil)
        }
    }

    // MARK: One attempt of each operation

    func attemptCreate(_ path: String, _ data: [UInt8], _ mode: CreateMode) async -> (Int32, String?) {
        await call(.create(path: path, data: data, mode: mode)) { chroot.clientPath(try ZooKeeperReply.created(&$0)) }
    }

    func attemptGet(_ path: String, watch: Bool) async -> (Int32, ZNodeData?) {
        await call(.getData(path: path, watch: watch), ZooKeeperReply.data)
    }

    func attemptSet(_ path: String, _ data: [UInt8], version: Int32) async -> (Int32, ZNodeStat?) {
        await call(.setData(path: path, data: data, version: version), ZooKeeperReply.stat)
    }

    func attemptDelete(_ path: String, version: Int32) async -> (Int32, Bool?) {
        await call(.delete(path: path, version: version)) { _ in true }
    }

    func attemptExists(_ path: String, watch: Bool) async -> (Int32, ZNodeStat?) {
        await call(.exists(path: path, watch: watch), ZooKeeperReply.stat)
    }

    func attemptChildren(_ path: String, watch: Bool) async -> (Int32, [String]?) {
        await call(.getChildren2(path: path, watch: watch), ZooKeeperReply.children)
    }

    /// One attempt of a multi: the overall code and, when the server answered with
    /// results, each op's result (a failed multi is answered ok with error results).
    func attemptMulti(_ ops: [ZooKeeperOp]) async -> (Int32, [MultiOpResult]?) {
        var result = await send(.multi(ops))
        guard result.body.readableBytes > 0 else { return (result.code, nil) }
        do {
            return (result.code, try ZooKeeperReply.multi(&result.body))
        } catch {
            logger.error("cannot decode the ZooKeeper reply to multi: \(error)")
            return (ZooKeeperCode.marshallingError, nil)
        }
    }
}
