import CZooKeeper
import Foundation

/// One operation of an atomic `multi`: all of them apply, or none.
public enum ZooKeeperOp: Sendable, Equatable {
    /// Creates a znode (`flags`: `ZOO_PERSISTENT`, `ZOO_EPHEMERAL`, …).
    case create(path: String, data: [UInt8], flags: Int32)
    /// Replaces a znode's data if it is at `version` (-1: any).
    case set(path: String, data: [UInt8], version: Int32)
    /// Deletes a znode if it is at `version` (-1: any).
    case delete(path: String, version: Int32)
    /// Fails the whole multi unless the znode is at `version`.
    case check(path: String, version: Int32)

    var path: String {
        switch self {
        case .create(let path, _, _), .set(let path, _, _), .delete(let path, _), .check(let path, _): path
        }
    }
}

/// The C memory one `zoo_amulti` needs until its completion has run: the op array, the
/// result array the client fills in, and the created-path buffers. Paths and data are
/// serialised by `zoo_amulti` itself before it returns.
private final class MultiBuffers: @unchecked Sendable {
    let count: Int
    let ops: UnsafeMutablePointer<zoo_op_t>
    let results: UnsafeMutablePointer<zoo_op_result_t>
    let pathBuffers: UnsafeMutableRawPointer
    static let pathBufferSize = 1024

    init(count: Int) {
        self.count = count
        ops = .allocate(capacity: count)
        results = .allocate(capacity: count)
        results.initialize(repeating: zoo_op_result_t(), count: count)
        pathBuffers = .allocate(byteCount: count * Self.pathBufferSize, alignment: 1)
    }

    deinit {
        ops.deallocate()
        results.deinitialize(count: count)
        results.deallocate()
        pathBuffers.deallocate()
    }
}

/// A multi's outcome: the overall code and each op's own code.
struct MultiOutcome: Sendable {
    var codes: [Int32]
}

extension ZooKeeperHandle {
    /// One attempt of an atomic multi. Returns the overall code and, when the request
    /// reached the server, each op's code (the failing op has its own error, the others
    /// `ZRUNTIMEINCONSISTENCY`/`ZOK`).
    func multi(_ ops: [ZooKeeperOp]) async -> (Int32, MultiOutcome?) {
        let buffers = MultiBuffers(count: ops.count)
        // Paths and data are copied to C memory that outlives the call (freed on return).
        let paths = ops.map { strdup($0.path)! }
        let datas: [(UnsafeMutablePointer<CChar>?, Int32)] = ops.map { op in
            guard case .create(_, let data, _) = op, !data.isEmpty else {
                if case .set(_, let data, _) = op, !data.isEmpty { return copyToC(data) }
                return (nil, 0)
            }
            return copyToC(data)
        }
        defer {
            paths.forEach { free($0) }
            datas.forEach { $0.0?.deallocate() }
        }
        for (index, op) in ops.enumerated() {
            let slot = buffers.ops + index
            switch op {
            case .create(_, _, let flags):
                let pathBuffer = (buffers.pathBuffers + index * MultiBuffers.pathBufferSize).assumingMemoryBound(to: CChar.self)
                zoo_create_op_init(slot, paths[index], datas[index].0, datas[index].1, sluice_zoo_open_acl(), flags,
                                   pathBuffer, Int32(MultiBuffers.pathBufferSize))
            case .set(_, _, let version): zoo_set_op_init(slot, paths[index], datas[index].0, datas[index].1, version, nil)
            case .delete(_, let version): zoo_delete_op_init(slot, paths[index], version)
            case .check(_, let version): zoo_check_op_init(slot, paths[index], version)
            }
        }
        let (code, done): (Int32, Bool?) = await submitMulti(buffers)
        guard done != nil else { return (code, nil) }
        return (code, MultiOutcome(codes: (0..<ops.count).map { buffers.results[$0].err }))
    }

    private func submitMulti(_ buffers: MultiBuffers) async -> (Int32, Bool?) {
        await withCheckedContinuation { (continuation: CheckedContinuation<(Int32, Bool?), Never>) in
            let data = UnsafeRawPointer(Unmanaged.passRetained(CompletionBox<Bool>(continuation)).toOpaque())
            let code = zoo_amulti(raw, Int32(buffers.count), buffers.ops, buffers.results, { code, data in
                CompletionBox<Bool>.complete(data, code, true)
            }, data)
            if code != ZOK.rawValue {
                Unmanaged<CompletionBox<Bool>>.fromOpaque(data).release()
                continuation.resume(returning: (code, nil))
            }
        }
    }
}

/// A malloc'd copy of `data` (the caller frees it).
private func copyToC(_ data: [UInt8]) -> (UnsafeMutablePointer<CChar>?, Int32) {
    let memory = UnsafeMutablePointer<CChar>.allocate(capacity: data.count)
    data.withUnsafeBytes { memory.update(from: $0.bindMemory(to: CChar.self).baseAddress!, count: data.count) }
    return (memory, Int32(data.count))
}
