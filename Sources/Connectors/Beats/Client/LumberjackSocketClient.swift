#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import NIOCore

/// Why the blocking client failed, with the errno text.
public struct LumberjackClientError: Error, Sendable, CustomStringConvertible {
    public var description: String
}

/// A blocking TCP Lumberjack client on plain sockets: the hand-written client of the
/// tests and the load generator of the benchmark. It sends bytes exactly as given —
/// including broken frames — and reads acks. Use it from one thread at a time (it is
/// Sendable so a test may hand it from one task to the next).
public final class LumberjackSocketClient: @unchecked Sendable {
    private var fd: Int32

    /// Connects to an IPv4 `host:port`.
    /// - Parameter timeoutMs: send and receive timeout in milliseconds. Default 10000.
    public init(host: String = "127.0.0.1", port: Int, timeoutMs: Int = 10_000) throws(LumberjackClientError) {
        #if canImport(Darwin)
        fd = socket(AF_INET, SOCK_STREAM, 0)
        #else
        fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        #endif
        guard fd >= 0 else { throw Self.failure("socket") }
        var timeout = timeval(tv_sec: timeoutMs / 1000, tv_usec: .init((timeoutMs % 1000) * 1000))
        _ = setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        _ = setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var one: Int32 = 1
        _ = setsockopt(fd, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        guard inet_pton(AF_INET, host, &address.sin_addr) == 1 else {
            closeDescriptor(fd)
            throw LumberjackClientError(description: "'\(host)' is not an IPv4 address")
        }
        let status = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard status == 0 else {
            let error = Self.failure("connect to \(host):\(port)")
            closeDescriptor(fd)
            throw error
        }
    }

    deinit { close() }

    /// Sends all of `bytes`.
    public func send(_ bytes: ByteBuffer) throws(LumberjackClientError) {
        let result: Int = bytes.withUnsafeReadableBytes { raw in
            var sent = 0
            while sent < raw.count {
                #if canImport(Darwin)
                let n = Darwin.send(fd, raw.baseAddress! + sent, raw.count - sent, 0)
                #else
                let n = Glibc.send(fd, raw.baseAddress! + sent, raw.count - sent, Int32(MSG_NOSIGNAL))
                #endif
                if n < 0 && errno == EINTR { continue }
                guard n > 0 else { return -1 }
                sent += n
            }
            return sent
        }
        guard result >= 0 else { throw Self.failure("send") }
    }

    /// Reads one ack frame; nil when the server closed the connection.
    public func readAck() throws(LumberjackClientError) -> BeatsAck? {
        var frame = [UInt8](repeating: 0, count: Lumberjack.ackFrameSize)
        var read = 0
        while read < frame.count {
            let n = frame.withUnsafeMutableBytes { recv(fd, $0.baseAddress! + read, $0.count - read, 0) }
            if n < 0 && errno == EINTR { continue }
            if n == 0 || (n < 0 && errno == ECONNRESET) { return nil }
            guard n > 0 else { throw Self.failure("receive") }
            read += n
        }
        guard frame[1] == Lumberjack.FrameType.ack else {
            throw LumberjackClientError(description: "expected an ack frame, got type byte \(frame[1])")
        }
        let sequence = UInt32(frame[2]) << 24 | UInt32(frame[3]) << 16 | UInt32(frame[4]) << 8 | UInt32(frame[5])
        return sequence == 0 ? .keepalive(version: frame[0]) : .window(version: frame[0], sequence: sequence)
    }

    /// Reads acks until one carries `sequence`, skipping keepalives.
    /// - Returns: the number of keepalives seen on the way.
    @discardableResult
    public func awaitAck(_ sequence: UInt32) throws(LumberjackClientError) -> Int {
        var keepalives = 0
        while true {
            guard let ack = try readAck() else {
                throw LumberjackClientError(description: "the server closed the connection before acking \(sequence)")
            }
            if ack.sequence == sequence { return keepalives }
            guard case .keepalive = ack else {
                throw LumberjackClientError(description: "expected ack \(sequence), got \(ack.sequence)")
            }
            keepalives += 1
        }
    }

    /// The next window ack, skipping keepalives; nil when the server closed the connection.
    public func readWindowAck() throws(LumberjackClientError) -> BeatsAck? {
        while let ack = try readAck() {
            if case .window = ack { return ack }
        }
        return nil
    }

    /// True when the server closed the connection (reads EOF or reset) before any window
    /// ack arrived (keepalives may); a window ack first is an error.
    public func waitForServerClose() throws(LumberjackClientError) -> Bool {
        guard let ack = try readWindowAck() else { return true }
        throw LumberjackClientError(description: "expected the server to close the connection, got ack \(ack.sequence)")
    }

    /// Shuts the sending side, as pylogbeat does before closing.
    public func shutdownWrite() {
        _ = shutdown(fd, Int32(SHUT_WR))
    }

    public func close() {
        guard fd >= 0 else { return }
        closeDescriptor(fd)
        fd = -1
    }

    private static func failure(_ what: String) -> LumberjackClientError {
        LumberjackClientError(description: "\(what) failed: \(String(cString: strerror(errno)))")
    }
}

#if canImport(Darwin)
private func closeDescriptor(_ fd: Int32) { _ = Darwin.close(fd) }
#else
private func closeDescriptor(_ fd: Int32) { _ = Glibc.close(fd) }
#endif
