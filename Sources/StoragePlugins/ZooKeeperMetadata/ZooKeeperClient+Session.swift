import Logging
import NIOCore

/// The session loop: connect to a server, hand its frames to the request and watch
/// bookkeeping until the connection drops, then reconnect — same session while the
/// server still knows it, a new one once it has expired.
extension ZooKeeperClient {
    func run() async {
        var failures = 0
        while !closed, !Task.isCancelled {
            let server = servers[nextServer % servers.count]
            nextServer += 1
            let request = ConnectRequest(lastZxidSeen: lastZxid, timeoutMs: Int32(clamping: sessionTimeoutMs),
                                         sessionID: session, password: password)
            // The session timeout shared among the servers (as the Java client), but at
            // most a third of it: a connection accepted while a server starts may never be
            // answered, and one such attempt must not use up the whole session.
            let timeout = TimeAmount.milliseconds(Int64(max(negotiatedTimeoutMs / max(servers.count, 3), 250)))
            logger.debug("connecting to ZooKeeper server \(server.host):\(server.port)",
                         metadata: ["zk.lastZxid": "\(lastZxid)", "zk.timeoutMs": "\(timeout.nanoseconds / 1_000_000)"])
            let connection: ZooKeeperConnection
            do {
                connection = try await ZooKeeperConnection.open(host: server.host, port: server.port, request: request,
                                                                timeout: timeout, logger: logger)
            } catch {
                failures += 1
                let message: Logger.Message = "cannot connect to ZooKeeper server \(server.host):\(server.port): \(error)"
                if failures == 1 { logger.info(message) } else { logger.debug(message) }
                // Between rounds over the ensemble, pause so a dead ensemble is not a busy loop.
                if failures % servers.count == 0 { try? await Task.sleep(for: .milliseconds(Int.random(in: 100...300))) }
                continue
            }
            if closed {
                connection.close()
                return
            }
            if connection.response.isExpired {
                connection.close()
                expired(by: connection.server)
                continue
            }
            failures = 0
            established(connection)
            for await frame in connection.frames {
                received(frame)
            }
            lost(connection)
            // As the Java and C clients: a random pause before reconnecting, so a server's
            // clients do not all come back at once, nor win a session back from a client
            // that just took it over (the server closes the older of two connections).
            try? await Task.sleep(for: .milliseconds(Int.random(in: 0...max(1, min(1_000, negotiatedTimeoutMs / 10)))))
        }
    }

    /// The server said the session is gone: forget it (and its watches) and open a new
    /// one on the next attempt.
    private func expired(by server: String) {
        logger.warning("ZooKeeper session expired; opening a new session", metadata: ["zk.server": "\(server)"])
        session = 0
        password = Array(repeating: 0, count: 16)
        negotiatedTimeoutMs = sessionTimeoutMs
        watches.removeAll()
        replacingExpiredSession = true
        logger[metadataKey: "zk.session"] = nil
    }

    private func established(_ connection: ZooKeeperConnection) {
        let response = connection.response
        let continued = session != 0 && response.sessionID == session
        // A server never hands out another session in place of the one asked for (it
        // answers timeout 0), but if one did, the old session's state would be gone too.
        let replaced = replacingExpiredSession || (session != 0 && !continued)
        session = response.sessionID
        password = response.password
        negotiatedTimeoutMs = Int(response.timeoutMs)
        self.connection = connection
        logger[metadataKey: "zk.session"] = "\(sessionHex(session))"
        if continued {
            // Before any other request, so the watches are in place when replies arrive.
            for request in watches.setWatchesRequests(relativeZxid: lastZxid) {
                connection.send(request.mapPaths(chroot.serverPath).frame(xid: ZooKeeperXid.setWatches,
                                                                           allocator: connection.allocator))
            }
        } else {
            watches.removeAll()
        }
        connected = true
        logger.info("ZooKeeper session connected", metadata: [
            "zk.server": "\(connection.server)", "zk.timeoutMs": "\(negotiatedTimeoutMs)", "reconnected": "\(continued)",
        ])
        if replaced {
            replacingExpiredSession = false
            notify.yield(.sessionReplaced)
        } else {
            notify.yield(.connected(reconnected: continued))
        }
    }

    private func lost(_ connection: ZooKeeperConnection) {
        connection.close()
        self.connection = nil
        let wasConnected = connected
        connected = false
        failPending()
        if wasConnected, !closed {
            logger.warning("ZooKeeper connection lost; reconnecting within the session timeout",
                           metadata: ["zk.server": "\(connection.server)"])
            notify.yield(.disconnected)
        }
    }

    /// Answers every request in flight with connection loss (retriable).
    func failPending() {
        let waiting = pending
        pending.removeAll()
        for request in waiting.values {
            request.continuation.resume(returning: ZooKeeperResult(code: ZooKeeperCode.connectionLoss))
        }
    }
}
