import Foundation
@testable import SluiceZooKeeper
import Testing

/// The Swift client's session across restarts, expiry and a failing ensemble member.
@Suite(.serialized) struct ZooKeeperClientSessionTests {
    @Test func aWatchSetBeforeAServerRestartFiresForAChangeMadeAfterIt() async throws {
        let server = try await ZooKeeperTestServer.started()
        defer { server.shutdown() }
        let connect = try ConnectString(server.hosts + "/setwatches-\(UUID().uuidString)")
        let client = try await ZooKeeperClient.connect(connect, sessionTimeoutMs: 10_000)
        let events = NotificationRecorder(client.notifications)
        try await client.create("/data", data: [0])
        try await client.create("/parent")
        _ = try await client.get("/data", watch: true)
        _ = try await client.children("/parent", watch: true)
        #expect(try await client.exists("/born", watch: true) == nil)
        let session = await client.sessionID

        // The restarted server knows the session (from its log) but not its watches.
        server.kill()
        try await server.start()
        try await events.expect(.connected(reconnected: true))
        #expect(await client.sessionID == session, "the same session continues")

        let writer = try await ZooKeeperClient.connect(connect)
        try await writer.set("/data", data: [1])
        try await writer.create("/parent/child")
        try await writer.create("/born")
        try await events.expect(.watch(type: .dataChanged, path: "/data"))
        try await events.expect(.watch(type: .childrenChanged, path: "/parent"))
        try await events.expect(.watch(type: .created, path: "/born"))
        #expect(await !events.seen.contains(.sessionReplaced))
        await writer.close()
        await client.close()
    }

    @Test func anExpiredSessionIsReplacedByANewOneAndReportedAsSessionReplaced() async throws {
        let server = try await ZooKeeperTestServer.started()
        defer { server.shutdown() }
        let connect = try ConnectString(server.hosts + "/expire-\(UUID().uuidString)")
        let client = try await ZooKeeperClient.connect(connect, sessionTimeoutMs: 4_000)
        let observer = try await ZooKeeperClient.connect(connect)
        let events = NotificationRecorder(client.notifications)
        try await client.create("/mine", mode: .ephemeral)
        _ = try await client.get("/mine", watch: true)
        let old = await client.sessionID

        try await expireSession(of: client, connect: connect)

        try await events.expect(.sessionReplaced)
        let new = await client.sessionID
        #expect(new != old && new != 0, "a new session: \(sessionHex(old)) -> \(sessionHex(new))")
        #expect(try await observer.exists("/mine") == nil, "the expired session's ephemeral is gone")
        #expect(await client.watches.isEmpty, "the expired session's watches are forgotten")
        try await client.create("/mine", mode: .ephemeral)
        #expect(try await observer.exists("/mine")?.ephemeralOwner == new, "the new session works")
        await observer.close()
        await client.close()
    }

    @Test func aClientFailsOverToAnotherEnsembleMemberWithTheSameSession() async throws {
        let ensemble = try await ZooKeeperTestEnsemble.started(size: 3)
        defer { ensemble.shutdown() }
        let connect = try ConnectString(ensemble.hosts + "/failover-\(UUID().uuidString)")
        let client = try await ZooKeeperClient.connect(connect, sessionTimeoutMs: 10_000)
        let events = NotificationRecorder(client.notifications)
        try await client.create("/registered", mode: .ephemeral)
        _ = try await client.get("/registered", watch: true)
        let session = await client.sessionID
        let serving = try #require(await client.connection?.server)

        let victim = try #require(ensemble.servers.first { $0.hosts == serving })
        victim.kill()
        try await events.expect(.connected(reconnected: true))
        let now = try #require(await client.connection?.server)
        #expect(now != serving, "reconnected to another member")
        #expect(await client.sessionID == session, "the same session continues")
        #expect(try await client.exists("/registered")?.ephemeralOwner == session, "its ephemeral survives")

        let others = ensemble.servers.filter { $0 !== victim }.map(\.hosts).joined(separator: ",")
        let writer = try await ZooKeeperClient.connect(try ConnectString(others + connect.chroot!))
        try await writer.set("/registered", data: [1])
        try await events.expect(.watch(type: .dataChanged, path: "/registered"))
        await writer.close()
        await client.close()
    }
}
