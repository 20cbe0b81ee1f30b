import Foundation
@testable import SluiceZooKeeper
import Testing

/// The Swift client's operations against a real standalone server, each under a chroot
/// of its own.
@Suite(.serialized) struct ZooKeeperClientTests {
    private func chrooted(_ server: ZooKeeperTestServer, _ name: String, sessionTimeoutMs: Int = 6_000) async throws -> ZooKeeperClient {
        try await ZooKeeperClient.connect(try ConnectString(server.hosts + "/\(name)-\(UUID().uuidString)"),
                                          sessionTimeoutMs: sessionTimeoutMs)
    }

    @Test func createGetSetDeleteExistsAndChildrenFollowVersionsAndReportErrors() async throws {
        let server = try await ZooKeeperTestServer.started()
        defer { server.shutdown() }
        let client = try await chrooted(server, "crud")

        #expect(try await client.create("/a", data: Array("one".utf8)) == "/a")
        let node = try await client.get("/a")
        #expect(node.bytes == Array("one".utf8) && node.stat.version == 0 && node.stat.ephemeralOwner == 0)
        #expect(try await client.set("/a", data: Array("two".utf8), version: 0).version == 1)
        await #expect(throws: ZooKeeperError.badVersion("/a", expected: 0)) { try await client.set("/a", data: [], version: 0) }
        await #expect(throws: ZooKeeperError.nodeExists("/a")) { try await client.create("/a") }
        await #expect(throws: ZooKeeperError.noNode("/missing/child")) { try await client.create("/missing/child") }
        await #expect(throws: ZooKeeperError.noNode("/missing")) { try await client.get("/missing") }
        #expect(try await client.getIfExists("/missing") == nil)
        #expect(try await client.exists("/missing") == nil)

        try await client.create("/a/b")
        try await client.create("/a/c", data: [0, 255])
        #expect(try await client.exists("/a")?.childCount == 2)
        #expect(try await client.children("/a").sorted() == ["b", "c"])
        #expect(try await client.get("/a/c").bytes == [0, 255], "binary data round-trips")
        await #expect(throws: ZooKeeperError.notEmpty("/a")) { try await client.delete("/a") }
        await #expect(throws: ZooKeeperError.badVersion("/a/b", expected: 3)) { try await client.delete("/a/b", version: 3) }
        try await client.delete("/a/b", version: 0)
        try await client.deleteRecursively("/a")
        #expect(try await client.exists("/a") == nil)
        await #expect(throws: ZooKeeperError.noNode("/a")) { try await client.children("/a") }
        await client.close()
        await #expect(throws: ZooKeeperError.closed) { try await client.exists("/") }
    }

    @Test func anEphemeralZnodeBelongsToItsSessionAndVanishesWhenTheClientCloses() async throws {
        let server = try await ZooKeeperTestServer.started()
        defer { server.shutdown() }
        let owner = try await ZooKeeperClient.connect(try ConnectString(server.hosts))
        let observer = try await ZooKeeperClient.connect(try ConnectString(server.hosts))
        try await owner.create("/ephemeral", data: [1], mode: .ephemeral)
        let ownerSession = await owner.sessionID
        #expect(ownerSession != 0)
        #expect(try await observer.exists("/ephemeral")?.ephemeralOwner == ownerSession)
        await owner.close()
        #expect(try await observer.exists("/ephemeral") == nil, "gone once close returns")
        await observer.close()
    }

    @Test func sequentialModesAppendAGrowingTenDigitCounter() async throws {
        let server = try await ZooKeeperTestServer.started()
        defer { server.shutdown() }
        let client = try await chrooted(server, "sequential")
        try await client.create("/queue")
        let first = try await client.create("/queue/item-", mode: .persistentSequential)
        let second = try await client.create("/queue/item-", mode: .ephemeralSequential)
        #expect(first == "/queue/item-0000000000", "the chroot is stripped from the returned name")
        #expect(second == "/queue/item-0000000001")
        #expect(try await client.exists(second)?.ephemeralOwner == (await client.sessionID))
        await client.close()
    }

    @Test func aMultiAppliesAllOrNothingAndReportsTheFailingOpsError() async throws {
        let server = try await ZooKeeperTestServer.started()
        defer { server.shutdown() }
        let client = try await chrooted(server, "multi")
        try await client.create("/m0", data: [0])

        await #expect(throws: ZooKeeperError.badVersion("/m0", expected: 5)) {
            try await client.multi([.create(path: "/m1", data: [], mode: .persistent),
                                    .set(path: "/m0", data: [9], version: 5),
                                    .create(path: "/m2", data: [], mode: .persistent)])
        }
        #expect(try await client.exists("/m1") == nil, "the op before the failing one was not applied")
        #expect(try await client.get("/m0").bytes == [0])
        await #expect(throws: ZooKeeperError.nodeExists("/m0")) {
            try await client.multi([.check(path: "/m0", version: 0), .create(path: "/m0", data: [], mode: .persistent)])
        }

        try await client.multi([.create(path: "/m1", data: [1], mode: .persistent),
                                .set(path: "/m0", data: [2], version: 0),
                                .check(path: "/m0", version: 1),
                                .create(path: "/m1/child", data: [], mode: .ephemeral),
                                .delete(path: "/m1/child", version: 0)])
        #expect(try await client.get("/m1").bytes == [1])
        #expect(try await client.get("/m0").stat.version == 1)
        #expect(try await client.children("/m1").isEmpty)
        await client.close()
    }

    @Test func aChrootIsAddedToRequestsAndStrippedFromRepliesAndWatchEvents() async throws {
        let server = try await ZooKeeperTestServer.started()
        defer { server.shutdown() }
        let chroot = "/chroot-\(UUID().uuidString)/inner"
        let client = try await ZooKeeperClient.connect(try ConnectString(server.hosts + chroot))
        let root = try await ZooKeeperClient.connect(try ConnectString(server.hosts))
        let events = NotificationRecorder(client.notifications)

        #expect(try await client.create("/node", data: [7]) == "/node")
        #expect(try await root.get(chroot + "/node").bytes == [7], "the znode lives under the chroot")
        #expect(try await client.children("/") == ["node"], "'/' is the chroot itself")

        _ = try await client.get("/node", watch: true)
        _ = try await client.children("/", watch: true)
        try await root.set(chroot + "/node", data: [8])
        try await root.create(chroot + "/other")
        try await events.expect(.watch(type: .dataChanged, path: "/node"))
        try await events.expect(.watch(type: .childrenChanged, path: "/"))
        await client.close()
        await root.close()
    }

    @Test func watchesFireOnceForEachKindOfChange() async throws {
        let server = try await ZooKeeperTestServer.started()
        defer { server.shutdown() }
        let client = try await chrooted(server, "watches")
        let writer = try await ZooKeeperClient.connect(client.connect)
        let events = NotificationRecorder(client.notifications)

        #expect(try await client.exists("/later", watch: true) == nil)
        try await writer.create("/later")
        try await events.expect(.watch(type: .created, path: "/later"))

        _ = try await client.get("/later", watch: true)
        _ = try await client.children("/later", watch: true)
        try await writer.create("/later/child")
        try await events.expect(.watch(type: .childrenChanged, path: "/later"))
        try await writer.set("/later", data: [1])
        try await events.expect(.watch(type: .dataChanged, path: "/later"))

        _ = try await client.exists("/later", watch: true)
        try await writer.delete("/later/child")
        try await writer.delete("/later")
        try await events.expect(.watch(type: .deleted, path: "/later"))
        // One-shot: the data watch fired; a later change of a re-created znode is not reported.
        try await writer.create("/later")
        try await writer.set("/later", data: [2])
        try await client.create("/marker")  // a round trip after the changes
        let seen = await events.seen
        #expect(seen.filter { $0 == .watch(type: .dataChanged, path: "/later") }.count == 1, "\(seen)")
        #expect(await client.watches.isEmpty, "every watch fired and was forgotten")
        await writer.close()
        await client.close()
    }
}

/// Records a client's notifications for bounded waits.
actor NotificationRecorder {
    private(set) var seen: [ZooKeeperNotification] = []

    init(_ stream: AsyncStream<ZooKeeperNotification>) {
        Task { for await notification in stream { await self.record(notification) } }
    }

    private func record(_ notification: ZooKeeperNotification) { seen.append(notification) }

    /// Waits up to `seconds` for `notification`.
    func expect(_ notification: ZooKeeperNotification, seconds: Int = 20,
                sourceLocation: SourceLocation = #_sourceLocation) async throws {
        for _ in 0..<(seconds * 50) where !seen.contains(notification) {
            try await Task.sleep(for: .milliseconds(20))
        }
        #expect(seen.contains(notification), "expected \(notification), got \(seen)", sourceLocation: sourceLocation)
    }
}
