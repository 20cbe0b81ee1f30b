import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A real standalone ZooKeeper server (Debian's `zookeeper` package) for one test: on a
/// free 127.0.0.1 port, with a temporary data directory, stopped and removed by `shutdown`.
/// Missing java or jars are a failure naming the package to install, never a skip.
final class ZooKeeperTestServer: @unchecked Sendable {
    /// Where Debian's `libzookeeper-java` puts the server (its manifest names the deps).
    static let jar = "/usr/share/java/zookeeper.jar"
    static let java = "/usr/bin/java"
    /// The server's tick in ms: sessions may last 2–20 ticks (1–10 s), so tests can use
    /// short session timeouts.
    static let tickMs = 500

    let port: Int
    let directory: URL
    /// Whether it is a member of a quorum (then it serves only once it leads or follows).
    let inQuorum: Bool
    private var process: Process?

    /// "127.0.0.1:<port>".
    var hosts: String { "127.0.0.1:\(port)" }

    struct Missing: Error, CustomStringConvertible {
        var description: String
    }

    /// Starts a server and waits (bounded) until it answers `ruok`.
    static func started() async throws -> ZooKeeperTestServer {
        let server = try ZooKeeperTestServer()
        try await server.start()
        return server
    }

    /// A standalone server, or with `peers` (id: quorum and election ports) the member
    /// `myID` of a quorum.
    init(port: Int? = nil, peers: [Int: (quorum: Int, election: Int)] = [:], myID: Int = 0) throws {
        for tool in [Self.java, Self.jar] where !FileManager.default.fileExists(atPath: tool) {
            throw Missing(description: "\(tool) is missing: install the Debian package `zookeeper` (it brings libzookeeper-java and a JRE); scripts/test does")
        }
        self.port = try port ?? freePort()
        inQuorum = !peers.isEmpty
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("sluice-zk-\(UUID().uuidString)")
        let data = directory.appendingPathComponent("data")
        try FileManager.default.createDirectory(at: data, withIntermediateDirectories: true)
        var config = """
            tickTime=\(Self.tickMs)
            dataDir=\(directory.appendingPathComponent("data").path)
            clientPort=\(self.port)
            clientPortAddress=127.0.0.1
            maxSessionTimeout=\(20 * Self.tickMs)
            4lw.commands.whitelist=ruok,srvr
            admin.enableServer=false
            """
        if inQuorum {
            config += "\ninitLimit=20\nsyncLimit=10\n"
            config += peers.sorted { $0.key < $1.key }
                .map { "server.\($0.key)=127.0.0.1:\($0.value.quorum):\($0.value.election)" }.joined(separator: "\n")
            try "\(myID)\n".write(to: data.appendingPathComponent("myid"), atomically: true, encoding: .utf8)
        }
        try config.write(to: directory.appendingPathComponent("zoo.cfg"), atomically: true, encoding: .utf8)
    }

    /// Starts (or restarts, keeping the data) the server process; waits until it is serving.
    func start() async throws {
        try launch()
        try await waitServing()
    }

    /// Starts the JVM without waiting (an ensemble's members start together).
    func launch() throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: Self.java)
        let main = inQuorum ? "org.apache.zookeeper.server.quorum.QuorumPeerMain" : "org.apache.zookeeper.server.ZooKeeperServerMain"
        process.arguments = ["-Xmx256m", "-cp", Self.jar, main,
                             directory.appendingPathComponent("zoo.cfg").path]
        let log = directory.appendingPathComponent("server.log")
        if !FileManager.default.fileExists(atPath: log.path) { _ = FileManager.default.createFile(atPath: log.path, contents: nil) }
        let handle = try FileHandle(forWritingTo: log)
        handle.seekToEndOfFile()
        process.standardOutput = handle
        process.standardError = handle
        try process.run()
        self.process = process
    }

    /// Waits (up to 60 s) until the server answers `ruok` and, in a quorum, leads or follows.
    func waitServing() async throws {
        let log = directory.appendingPathComponent("server.log")
        let deadline = Date().addingTimeInterval(60)
        while Date() < deadline {
            guard let process, process.isRunning else { throw Missing(description: "ZooKeeper exited at start; see \(log.path)") }
            if await ruokOffPool(port: port) {
                if !inQuorum { return }
                if let mode = await modeOffPool(port: port), mode == "leader" || mode == "follower" { return }
            }
            try await Task.sleep(for: .milliseconds(100))
        }
        throw Missing(description: "ZooKeeper did not serve on port \(port) within 60 s; see \(log.path)")
    }

    /// Kills the server as a crash would (SIGKILL); the data directory stays for `start`.
    func kill() {
        guard let process, process.isRunning else { return }
        Glibc.kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        self.process = nil
    }

    /// Stops the server and removes its directory.
    func shutdown() {
        kill()
        try? FileManager.default.removeItem(at: directory)
    }

    deinit { shutdown() }
}

/// `ruok` on a Dispatch thread: it blocks up to 2 s in recv while a JVM starts, and the
/// Swift concurrency pool has one thread per core — blocking it starves every other test.
func ruokOffPool(port: Int) async -> Bool {
    await withCheckedContinuation { continuation in
        DispatchQueue.global().async { continuation.resume(returning: ruok(port: port)) }
    }
}

/// The `Mode:` a server reports to `srvr` (standalone, leader, follower), off the pool.
func modeOffPool(port: Int) async -> String? {
    await withCheckedContinuation { continuation in
        DispatchQueue.global().async { continuation.resume(returning: mode(port: port)) }
    }
}

/// The `Mode:` line of `srvr`, or nil when the server does not answer.
func mode(port: Int) -> String? {
    guard let reply = fourLetterWord("srvr", port: port) else { return nil }
    let line = reply.split(separator: "\n").first { $0.hasPrefix("Mode:") }
    return line.map { $0.dropFirst("Mode:".count).trimmingCharacters(in: .whitespaces) }
}

/// Whether a ZooKeeper server on 127.0.0.1:`port` answers the four-letter word `ruok`.
func ruok(port: Int) -> Bool { fourLetterWord("ruok", port: port) == "imok" }

/// Sends a four-letter word to 127.0.0.1:`port` and returns the whole reply (the server
/// closes after it), or nil when nothing answers; each receive waits at most 2 s.
func fourLetterWord(_ word: String, port: Int) -> String? {
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    guard fd >= 0 else { return nil }
    defer { close(fd) }
    var timeout = timeval(tv_sec: 2, tv_usec: 0)
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
    var address = loopback(port: port)
    let connected = withUnsafePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
    }
    guard connected == 0, send(fd, word, word.utf8.count, 0) == word.utf8.count else { return nil }
    var reply: [UInt8] = []
    var chunk = [UInt8](repeating: 0, count: 4096)
    while true {
        let count = recv(fd, &chunk, chunk.count, 0)
        if count <= 0 { break }
        reply += chunk[..<count]
    }
    return reply.isEmpty ? nil : String(decoding: reply, as: UTF8.self)
}

/// A port nothing listens on now (bound to 127.0.0.1:0, then released).
func freePort() throws -> Int {
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    defer { close(fd) }
    var address = loopback(port: 0)
    var length = socklen_t(MemoryLayout<sockaddr_in>.size)
    let ok = withUnsafeMutablePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) == 0 && getsockname(fd, $0, &length) == 0 }
    }
    guard ok else { throw ZooKeeperTestServer.Missing(description: "cannot bind 127.0.0.1:0: \(String(cString: strerror(errno)))") }
    return Int(UInt16(bigEndian: address.sin_port))
}

private func loopback(port: Int) -> sockaddr_in {
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_port = in_port_t(UInt16(port).bigEndian)
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    return address
}

/// A quorum of real ZooKeeper servers on 127.0.0.1 (free client, quorum and election
/// ports), started together and waited for (bounded); `shutdown` stops and removes them.
final class ZooKeeperTestEnsemble: Sendable {
    let servers: [ZooKeeperTestServer]

    /// "127.0.0.1:<p1>,127.0.0.1:<p2>,…".
    var hosts: String { servers.map(\.hosts).joined(separator: ",") }

    static func started(size: Int = 3) async throws -> ZooKeeperTestEnsemble {
        var peers: [Int: (quorum: Int, election: Int)] = [:]
        for id in 1...size { peers[id] = (try freePort(), try freePort()) }
        let servers = try (1...size).map { try ZooKeeperTestServer(peers: peers, myID: $0) }
        let ensemble = ZooKeeperTestEnsemble(servers: servers)
        for server in servers { try server.launch() }
        for server in servers { try await server.waitServing() }
        return ensemble
    }

    private init(servers: [ZooKeeperTestServer]) {
        self.servers = servers
    }

    func shutdown() {
        for server in servers { server.shutdown() }
    }
}
