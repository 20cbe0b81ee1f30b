import Dispatch
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A plain blocking TCP socket for sending bytes no well-behaved client would send.
/// Reads block a Dispatch thread, never the cooperative pool the server runs on.
final class RawConnection: @unchecked Sendable {
    private let fd: Int32

    enum ReadOutcome: Equatable {
        case bytes([UInt8])
        /// The server closed the connection.
        case closed
        case timedOut
    }

    init(port: Int) throws {
        fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let result = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard result == 0 else { throw RawConnectionError(what: "connect", errno: errno) }
    }

    deinit { close(fd) }

    func send(_ bytes: [UInt8]) throws {
        var sent = 0
        while sent < bytes.count {
            let n = bytes[sent...].withUnsafeBytes { Glibc.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            guard n > 0 else { throw RawConnectionError(what: "send", errno: errno) }
            sent += n
        }
    }

    /// Reads whatever arrives within `seconds`.
    func read(timeout seconds: Int = 5) async -> ReadOutcome {
        await withCheckedContinuation { continuation in
            DispatchQueue.global().async { continuation.resume(returning: self.blockingRead(timeout: seconds)) }
        }
    }

    private func blockingRead(timeout seconds: Int) -> ReadOutcome {
        var timeout = timeval(tv_sec: seconds, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var buffer = [UInt8](repeating: 0, count: 65_536)
        let n = recv(fd, &buffer, buffer.count, 0)
        if n > 0 { return .bytes(Array(buffer[..<n])) }
        if n == 0 { return .closed }
        return errno == EAGAIN || errno == EWOULDBLOCK ? .timedOut : .closed
    }

    /// Reads until the server closes the connection (true) or `seconds` pass (false).
    func waitForClose(timeout seconds: Int = 30) async -> Bool {
        while true {
            switch await read(timeout: seconds) {
            case .closed: return true
            case .timedOut: return false
            case .bytes: continue
            }
        }
    }

    /// Closes the sending side only.
    func shutdownWrite() { shutdown(fd, Int32(SHUT_WR)) }
}

struct RawConnectionError: Error, CustomStringConvertible {
    var what: String
    var errno: Int32
    var description: String { "\(what) failed: errno \(errno)" }
}
