import NIOCore
@testable import SluiceZooKeeper
import Testing

/// The sans-io jute codec against bytes written out by hand from zookeeper.jute.
@Suite struct ZooKeeperCodecTests {
    private func bytes(_ buffer: ByteBuffer) -> [UInt8] { Array(buffer.readableBytesView) }
    private func int32(_ value: Int32) -> [UInt8] { withUnsafeBytes(of: value.bigEndian, Array.init) }
    private func int64(_ value: Int64) -> [UInt8] { withUnsafeBytes(of: value.bigEndian, Array.init) }
    private func string(_ value: String) -> [UInt8] { int32(Int32(value.utf8.count)) + Array(value.utf8) }

    @Test func aConnectRequestIsLengthVersionZxidTimeoutSessionPasswordAndReadOnly() {
        let frame = ConnectRequest(lastZxidSeen: 0x0102, timeoutMs: 6_000, sessionID: 0x7766_5544_3322_1100,
                                   password: Array(repeating: 0xAB, count: 16)).frame
        let expected: [UInt8] = [0, 0, 0, 45,                        // frame length
                                 0, 0, 0, 0,                         // protocolVersion
                                 0, 0, 0, 0, 0, 0, 1, 2,             // lastZxidSeen
                                 0, 0, 0x17, 0x70,                   // timeOut 6000
                                 0x77, 0x66, 0x55, 0x44, 0x33, 0x22, 0x11, 0x00, // sessionId
                                 0, 0, 0, 16] + Array(repeating: 0xAB, count: 16) // passwd
                                 + [0]                               // readOnly
        #expect(bytes(frame) == expected)
    }

    @Test func aCreateRequestCarriesPathDataTheOpenACLAndTheModesFlags() {
        let frame = ZooKeeperRequest.create(path: "/a", data: [0x41], mode: .ephemeralSequential).frame(xid: 1)
        let body: [UInt8] = int32(1) + int32(1)                      // xid, type create
            + string("/a") + int32(1) + [0x41]                       // path, data
            + int32(1) + int32(31) + string("world") + string("anyone") // one ACL: all perms, world:anyone
            + int32(3)                                               // flags: ephemeral | sequential
        #expect(bytes(frame) == int32(Int32(body.count)) + body)
        #expect(body.count == 50)
    }

    @Test func aMultiRequestIsAHeaderPerOpAndAnEndHeader() {
        let frame = ZooKeeperRequest.multi([.check(path: "/a", version: 3), .delete(path: "/b", version: -1),
                                            .set(path: "/c", data: [], version: 0)]).frame(xid: 7)
        let body: [UInt8] = int32(7) + int32(14)
            + int32(13) + [0] + int32(-1) + string("/a") + int32(3)             // check
            + int32(2) + [0] + int32(-1) + string("/b") + int32(-1)             // delete
            + int32(5) + [0] + int32(-1) + string("/c") + int32(0) + int32(0)   // setData: empty data, version
            + int32(-1) + [1] + int32(-1)                                        // done
        #expect(bytes(frame) == int32(Int32(body.count)) + body)
    }

    @Test func aWatcherEventFrameDecodesToItsTypeStateAndPath() throws {
        var stream = ByteBuffer(bytes: int32(32) + int32(-1) + int64(-1) + int32(0) + int32(3) + int32(3) + string("/x/y") + [0, 0])
        var frame = try #require(try ZooKeeperFrame.split(&stream))
        #expect(stream.readableBytes == 2, "the next frame's first bytes stay")
        #expect(try ReplyHeader.decode(&frame) == ReplyHeader(xid: -1, zxid: -1, err: 0))
        #expect(try WatcherEvent.decode(&frame) == WatcherEvent(type: 3, state: 3, path: "/x/y"))
        #expect(WatchEventType(rawValue: 3) == .dataChanged)
    }

    @Test func aFrameIsSplitOnlyWhenWholeAndAnAbsurdLengthIsRefused() throws {
        var partial = ByteBuffer(bytes: int32(8) + [1, 2, 3])
        #expect(try ZooKeeperFrame.split(&partial) == nil)
        #expect(partial.readableBytes == 7, "nothing is consumed until the frame is whole")
        var negative = ByteBuffer(bytes: int32(-5))
        #expect(throws: JuteDecodingError.self) { try ZooKeeperFrame.split(&negative) }
        var huge = ByteBuffer(bytes: int32(Int32.max))
        #expect(throws: JuteDecodingError.self) { try ZooKeeperFrame.split(&huge) }
    }

    @Test func aConnectResponseDecodesWithOrWithoutTheReadOnlyFlagAndTimeoutZeroMeansExpired() throws {
        let fields = int32(0) + int32(4_000) + int64(42) + int32(2) + [9, 9]
        var modern = ByteBuffer(bytes: fields + [0])
        var old = ByteBuffer(bytes: fields)
        let expected = ConnectResponse(protocolVersion: 0, timeoutMs: 4_000, sessionID: 42, password: [9, 9], readOnly: false)
        #expect(try ConnectResponse.decode(&modern) == expected)
        #expect(try ConnectResponse.decode(&old) == expected)
        var expired = ByteBuffer(bytes: int32(0) + int32(0) + int64(0) + int32(16) + Array(repeating: 0, count: 16) + [0])
        #expect(try ConnectResponse.decode(&expired).isExpired)
        var truncated = ByteBuffer(bytes: int32(0) + int32(4_000) + [0, 0])
        #expect(throws: JuteDecodingError.self) { try ConnectResponse.decode(&truncated) }
    }

    @Test func aMultiResponseGivesEachOpsResultAndTheFailingOpsCode() throws {
        let stat = int64(1) + int64(2) + int64(3) + int64(4) + int32(5) + int32(0) + int32(0) + int64(0) + int32(1) + int32(0) + int64(6)
        var ok = ByteBuffer(bytes: int32(1) + [0] + int32(0) + string("/made")
                                + int32(5) + [0] + int32(0) + stat
                                + int32(2) + [0] + int32(0)
                                + int32(13) + [0] + int32(0)
                                + int32(-1) + [1] + int32(-1))
        #expect(try ZooKeeperReply.multi(&ok) == [
            .created(path: "/made"), .set(ZNodeStat(version: 5, ephemeralOwner: 0, childCount: 0)), .deleted, .checked,
        ])
        var failed = ByteBuffer(bytes: int32(-1) + [0] + int32(0) + int32(0)
                                    + int32(-1) + [0] + int32(-103) + int32(-103)
                                    + int32(-1) + [0] + int32(-2) + int32(-2)
                                    + int32(-1) + [1] + int32(-1))
        let results = try ZooKeeperReply.multi(&failed)
        #expect(results == [.error(0), .error(-103), .error(-2)])
        #expect(results.map(\.code) == [ZooKeeperCode.ok, ZooKeeperCode.badVersion, ZooKeeperCode.runtimeInconsistency])
    }

    @Test func theChrootIsAddedToRequestPathsAndStrippedFromServerPaths() {
        let chroot = ZooKeeperChroot(prefix: "/sluice")
        #expect(chroot.serverPath("/") == "/sluice")
        #expect(chroot.serverPath("/a/b") == "/sluice/a/b")
        #expect(chroot.clientPath("/sluice") == "/")
        #expect(chroot.clientPath("/sluice/a") == "/a")
        #expect(chroot.clientPath("/sluiceother") == "/sluiceother", "only whole segments are the chroot")
        #expect(ZooKeeperChroot(prefix: nil).serverPath("/a") == "/a")
        let request = ZooKeeperRequest.multi([.create(path: "/x", data: [], mode: .persistent)]).mapPaths(chroot.serverPath)
        #expect(request == .multi([.create(path: "/sluice/x", data: [], mode: .persistent)]))
    }

    @Test func watchesAreRegisteredByTheirRepliesForgottenWhenTheyFireAndSetAgainInBoundedRequests() {
        var watches = ZooKeeperWatches()
        watches.register(after: .getData(path: "/d", watch: true), code: ZooKeeperCode.ok)
        watches.register(after: .exists(path: "/e", watch: true), code: ZooKeeperCode.noNode)
        watches.register(after: .exists(path: "/f", watch: true), code: ZooKeeperCode.ok)
        watches.register(after: .getChildren2(path: "/c", watch: true), code: ZooKeeperCode.ok)
        watches.register(after: .getData(path: "/gone", watch: true), code: ZooKeeperCode.noNode)
        watches.register(after: .getData(path: "/unwatched", watch: false), code: ZooKeeperCode.ok)
        #expect(watches == ZooKeeperWatches(data: ["/d", "/f"], exist: ["/e"], child: ["/c"]))
        #expect(watches.setWatchesRequests(relativeZxid: 9) == [.setWatches(relativeZxid: 9, data: ["/d", "/f"], exist: ["/e"], child: ["/c"])])

        watches.fired(.created, path: "/e")
        watches.fired(.childrenChanged, path: "/c")
        watches.fired(.deleted, path: "/d")
        #expect(watches == ZooKeeperWatches(data: ["/f"], exist: [], child: []))

        let long = String(repeating: "x", count: 60 * 1024)
        let many = ZooKeeperWatches(data: ["/1" + long, "/2" + long, "/3" + long], exist: [], child: [])
        let requests = many.setWatchesRequests(relativeZxid: 1)
        #expect(requests.count == 2, "at most \(ZooKeeperWatches.maxPathBytesPerRequest) path bytes per request")
        var encoded = 0
        for case .setWatches(_, let data, _, _) in requests { encoded += data.count }
        #expect(encoded == 3)
    }
}
