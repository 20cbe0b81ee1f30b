import Foundation
import Logging
import NIOCore
import SluiceKernel
@testable import SluiceZooKeeper
import Testing

/// Sessions across server restarts and expiry, against a real server.
@Suite(.serialized) struct ZooKeeperSessionTests {
    @Test func aServerRestartWithinTheSessionTimeoutKeepsTheSessionAndCallsMadeMeanwhileComplete() async throws {
        let server = try await ZooKeeperTestServer.started()
        defer { server.shutdown() }
        let connect = try ConnectString(server.hosts + "/restart-\(UUID().uuidString)")
        let store = try await ZooKeeperMetadataStore.open(connect: connect, sessionTimeoutMs: 10_000)
        let recorder = Recorder(store.events())
        try await store.register(BrokerEndpoint(id: 1, host: "a", port: 9092))
        let session = await store.client.sessionID

        server.kill()
        // Calls made while no server runs wait for it instead of failing.
        let commit = Task { try await store.commitOffsets(group: "g", [TopicPartition("t", 0): CommittedOffset(offset: 42)]) }
        let brokers = Task { try await store.liveBrokers() }
        try await Task.sleep(for: .seconds(1))
        try await server.start()

        try await commit.value
        #expect(try await brokers.value.map(\.id) == [1], "the registration survives a restart within the session timeout")
        #expect(await store.client.sessionID == session, "the same session continues")
        #expect(try await store.committedOffsets(group: "g")[TopicPartition("t", 0)]?.offset == 42)
        // Watches are set again after the reconnect: another broker's registration is heard.
        let other = try await ZooKeeperMetadataStore.open(connect: connect)
        await recorder.reset()
        try await other.register(BrokerEndpoint(id: 2, host: "b", port: 9092))
        try await recorder.expect(.brokersChanged)
        let seen = await recorder.seen
        #expect(!seen.contains(.sessionExpired), "no expiry within the timeout: \(seen)")
        try await other.close()
        try await store.close()
    }

    @Test func anExpiredSessionIsReportedReplacedAndWorksAgainAfterRegisterAgain() async throws {
        let server = try await ZooKeeperTestServer.started()
        defer { server.shutdown() }
        let connect = try ConnectString(server.hosts + "/expiry-\(UUID().uuidString)")
        let store = try await ZooKeeperMetadataStore.open(connect: connect, sessionTimeoutMs: 4_000)
        let watcher = try await ZooKeeperMetadataStore.open(connect: connect)
        let recorder = Recorder(store.events())
        let others = Recorder(watcher.events())
        try await store.register(BrokerEndpoint(id: 1, host: "a", port: 9092))
        #expect(try await store.claimController(brokerId: 1).brokerId == 1)
        let oldSession = await store.client.sessionID

        try await expireSession(of: store.client, connect: connect)

        try await recorder.expect(.sessionExpired)
        try await others.expect(.brokersChanged)
        try await others.expect(.controllerChanged)
        #expect(try await watcher.liveBrokers().isEmpty, "an expired session's registration is gone")
        #expect(try await watcher.controller() == nil, "an expired session's controller claim is gone")
        #expect(await store.client.sessionID != oldSession, "a new session replaced the expired one")
        try await store.register(BrokerEndpoint(id: 1, host: "a", port: 9092))
        #expect(try await watcher.liveBrokers().map(\.id) == [1], "registering again works on the new session")
        try await store.createTopic(TopicRecord(name: "after-expiry", partitionCount: 1))
        #expect(try await watcher.topics().map(\.name) == ["after-expiry"])
        try await watcher.close()
        try await store.close()
    }

    @Test func callsWaitForAnOutageOnlyUpToTheSessionTimeout() async throws {
        let server = try await ZooKeeperTestServer.started()
        defer { server.shutdown() }
        let store = try await ZooKeeperMetadataStore.open(connect: try ConnectString(server.hosts + "/outage-\(UUID().uuidString)"),
                                                          sessionTimeoutMs: 2_000)
        server.kill()
        let started = ContinuousClock.now
        do {
            _ = try await store.topics()
            Issue.record("a call must fail when no server comes back")
        } catch let error as MetadataError {
            guard case .unusable(let message) = error else { throw error }
            #expect(message.contains(server.hosts) && message.contains("check that the ensemble is running"), "\(message)")
        }
        #expect(ContinuousClock.now - started >= .milliseconds(1_500), "it waited for the server before failing")
        try await store.close()
    }
}

/// Expires `client`'s session the way ZooKeeper's own tests do: a second connection
/// joins the same session (id and password) and sends closeSession, so the server ends it
/// (and drops the client's own connection; its reconnect then learns of the expiry).
func expireSession(of client: ZooKeeperClient, connect: ConnectString) async throws {
    let old = await client.sessionID
    let password = await client.password
    guard old != 0, let server = connect.servers.first else {
        Issue.record("the client has no session")
        return
    }
    for _ in 0..<5 {
        let request = ConnectRequest(lastZxidSeen: 0, timeoutMs: 4_000, sessionID: old, password: password)
        let twin: ZooKeeperConnection
        do {
            twin = try await ZooKeeperConnection.open(host: server.host, port: server.port, request: request,
                                                      timeout: .seconds(5), logger: Logger(label: "twin"))
        } catch {
            // The client took its session back before the twin's handshake was answered.
            try await Task.sleep(for: .milliseconds(100))
            continue
        }
        if twin.response.sessionID == old, !twin.response.isExpired {
            let bound = twin.close(after: .seconds(5))
            twin.send(ZooKeeperRequest.closeSession.frame(xid: 1))
            for await frame in twin.frames {
                var body = frame
                if (try? ReplyHeader.decode(&body))?.xid == 1 { break }
            }
            bound.cancel()
        }
        twin.close()
        for _ in 0..<250 where await client.sessionID == old {
            try await Task.sleep(for: .milliseconds(20))
        }
        if await client.sessionID != old { return }
    }
    Issue.record("the session was not expired after 5 attempts")
}

/// Records a store's cluster events for bounded waits.
actor Recorder {
    private(set) var seen: [ClusterEvent] = []

    init(_ stream: AsyncStream<ClusterEvent>) {
        Task { for await event in stream { await self.record(event) } }
    }

    private func record(_ event: ClusterEvent) { seen.append(event) }

    func reset() { seen.removeAll() }

    /// Waits up to 20 s for `event`.
    func expect(_ event: ClusterEvent, sourceLocation: SourceLocation = #_sourceLocation) async throws {
        for _ in 0..<1_000 where !seen.contains(event) {
            try await Task.sleep(for: .milliseconds(20))
        }
        #expect(seen.contains(event), "expected \(event), got \(seen)", sourceLocation: sourceLocation)
    }
}
