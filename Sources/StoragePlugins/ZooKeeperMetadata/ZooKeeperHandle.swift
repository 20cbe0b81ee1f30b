import CZooKeeper
import Foundation

/// What a znode's `Stat` tells the store.
public struct ZNodeStat: Sendable, Equatable {
    /// Data version; conditional writes name it.
    public var version: Int32
    /// The session that owns an ephemeral znode; 0 for a persistent one.
    public var ephemeralOwner: Int64
    /// How many children the znode has.
    public var childCount: Int32

    init(_ stat: Stat) {
        version = stat.version
        ephemeralOwner = stat.ephemeralOwner
        childCount = stat.numChildren
    }
}

/// A watch or session notification from the C client's completion thread.
struct WatchedEvent: Sendable {
    /// `ZOO_SESSION_EVENT`, `ZOO_CHILD_EVENT`, `ZOO_CHANGED_EVENT`, …
    var type: Int32
    /// `ZOO_CONNECTED_STATE`, `ZOO_EXPIRED_SESSION_STATE`, …
    var state: Int32
    /// The znode (chroot removed); empty for session events.
    var path: String
}

/// Receives the global watcher's events of one handle; retained by the handle until
/// `zookeeper_close` has returned (after which the C client calls it no more).
final class WatcherBox: Sendable {
    let continuation: AsyncStream<WatchedEvent>.Continuation
    init(_ continuation: AsyncStream<WatchedEvent>.Continuation) { self.continuation = continuation }
}

/// Carries one continuation through the C client's `const void *data` to its completion.
final class CompletionBox<Value: Sendable>: Sendable {
    let continuation: CheckedContinuation<(Int32, Value?), Never>
    init(_ continuation: CheckedContinuation<(Int32, Value?), Never>) { self.continuation = continuation }

    /// Called exactly once from a completion: balances `passRetained` in `submit`.
    static func complete(_ data: UnsafeRawPointer?, _ code: Int32, _ value: Value?) {
        guard let data else { return }
        Unmanaged<CompletionBox<Value>>.fromOpaque(data).takeRetainedValue().continuation.resume(returning: (code, value))
    }
}

/// One `zhandle_t` of the multi-threaded C client, with one attempt of each operation.
///
/// Bridging choice: the asynchronous C API (`zoo_acreate`, `zoo_aget`, …). A call only
/// queues a request and returns, so no Swift thread ever blocks on the network; the C
/// client's completion thread resumes the caller's continuation through an `Unmanaged`
/// box passed as the completion's `data`. The synchronous API would park one thread per
/// call in flight, and the cooperative pool has only as many threads as cores.
/// The C library is thread-safe for the `_mt` variant, hence `@unchecked Sendable`.
struct ZooKeeperHandle: @unchecked Sendable {
    let raw: OpaquePointer

    /// The session id (0 until the first connection is established).
    var sessionID: Int64 { zoo_client_id(raw)?.pointee.client_id ?? 0 }
    /// The negotiated session timeout in milliseconds.
    var negotiatedTimeoutMs: Int32 { zoo_recv_timeout(raw) }

    /// Submits one request; `start` gets the retained box pointer to pass as `data`.
    private func submit<Value: Sendable>(_ start: (UnsafeRawPointer) -> Int32) async -> (Int32, Value?) {
        await withCheckedContinuation { (continuation: CheckedContinuation<(Int32, Value?), Never>) in
            let data = UnsafeRawPointer(Unmanaged.passRetained(CompletionBox<Value>(continuation)).toOpaque())
            let code = start(data)
            if code != ZOK.rawValue {
                // Not queued: the completion will never run, so release the box here.
                Unmanaged<CompletionBox<Value>>.fromOpaque(data).release()
                continuation.resume(returning: (code, nil))
            }
        }
    }

    func create(_ path: String, _ data: [UInt8], flags: Int32) async -> (Int32, String?) {
        await submit { box in
            withCBytes(data) { value, length in
                zoo_acreate(raw, path, value, length, sluice_zoo_open_acl(), flags, { code, created, data in
                    CompletionBox<String>.complete(data, code, created.map { String(cString: $0) })
                }, box)
            }
        }
    }

    func get(_ path: String, watch: Bool) async -> (Int32, ZNodeData?) {
        await submit { box in
            zoo_aget(raw, path, watch ? 1 : 0, { code, value, length, stat, data in
                var result: ZNodeData?
                if let stat {
                    let bytes = value.map { Array(UnsafeRawBufferPointer(start: $0, count: max(Int(length), 0))) } ?? []
                    result = ZNodeData(bytes: bytes, stat: ZNodeStat(stat.pointee))
                }
                CompletionBox<ZNodeData>.complete(data, code, result)
            }, box)
        }
    }

    func set(_ path: String, _ data: [UInt8], version: Int32) async -> (Int32, ZNodeStat?) {
        await submit { box in
            withCBytes(data) { value, length in
                zoo_aset(raw, path, value, length, version, { code, stat, data in
                    CompletionBox<ZNodeStat>.complete(data, code, stat.map { ZNodeStat($0.pointee) })
                }, box)
            }
        }
    }

    func delete(_ path: String, version: Int32) async -> (Int32, Bool?) {
        await submit { box in
            zoo_adelete(raw, path, version, { code, data in CompletionBox<Bool>.complete(data, code, true) }, box)
        }
    }

    func exists(_ path: String, watch: Bool) async -> (Int32, ZNodeStat?) {
        await submit { box in
            zoo_aexists(raw, path, watch ? 1 : 0, { code, stat, data in
                CompletionBox<ZNodeStat>.complete(data, code, stat.map { ZNodeStat($0.pointee) })
            }, box)
        }
    }

    func children(_ path: String, watch: Bool) async -> (Int32, [String]?) {
        await submit { box in
            zoo_aget_children(raw, path, watch ? 1 : 0, { code, strings, data in
                var names: [String]?
                if let strings {
                    let vector = strings.pointee
                    names = (0..<Int(vector.count)).compactMap { vector.data[$0].map { String(cString: $0) } }
                }
                CompletionBox<[String]>.complete(data, code, names)
            }, box)
        }
    }
}

/// A znode's data with its stat.
public struct ZNodeData: Sendable, Equatable {
    public var bytes: [UInt8]
    public var stat: ZNodeStat
}

/// Lends `data` as the C client's `(const char *value, int length)`; the client copies
/// it into the request before returning.
func withCBytes<R>(_ data: [UInt8], _ body: (UnsafePointer<CChar>?, Int32) -> R) -> R {
    data.withUnsafeBytes { raw in
        body(raw.baseAddress?.assumingMemoryBound(to: CChar.self), Int32(raw.count))
    }
}
