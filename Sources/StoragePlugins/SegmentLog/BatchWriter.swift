import Foundation
import NIOCore
import SluiceKernel

/// Writes batches to a segment file as they arrived, with their assigned base offsets,
/// in one `pwritev`.
///
/// The base offset is written from a separate 8-byte buffer in front of each batch's
/// remaining bytes instead of being set in the batch's `ByteBuffer`: setting it there
/// would copy the batch (the buffer is shared with the request that carried it).
enum BatchWriter {
    /// Beyond this many batches in one append, gathering pointers would nest too deep:
    /// the batches are copied into one buffer instead.
    static let maxGathered = 64

    /// Writes `batches` at `position`; on failure the file is cut back to `position`.
    static func write(_ batches: [RecordBatch], baseOffsets: [Int64], to fd: CInt, at position: Int64,
                      path: String) throws {
        do {
            if batches.count == 1 {
                try single(batches[0], baseOffset: baseOffsets[0], fd: fd, at: position, path: path)
            } else if batches.count <= maxGathered {
                try gathered(batches, baseOffsets: baseOffsets, fd: fd, at: position, path: path)
            } else {
                try copied(batches, baseOffsets: baseOffsets, fd: fd, at: position, path: path)
            }
        } catch {
            try? FileIO.truncate(fd, to: position, path: path)
            throw error
        }
    }

    /// The common case (one batch per partition per produce request), without the
    /// allocations of the general one.
    private static func single(_ batch: RecordBatch, baseOffset: Int64, fd: CInt, at position: Int64, path: String) throws {
        var word = baseOffset.bigEndian
        var failure: (any Error)?
        withUnsafeMutableBytes(of: &word) { word in
            batch.buffer.withUnsafeReadableBytes { raw in
                var vectors = (iovec(iov_base: word.baseAddress, iov_len: 8),
                               iovec(iov_base: UnsafeMutableRawPointer(mutating: raw.baseAddress! + 8), iov_len: raw.count - 8))
                withUnsafeMutableBytes(of: &vectors) { pair in
                    let vectors = pair.bindMemory(to: iovec.self)
                    do { try FileIO.writev(fd, vectors, at: position, total: raw.count, path: path) } catch { failure = error }
                }
            }
        }
        if let failure { throw failure }
    }

    private static func gathered(_ batches: [RecordBatch], baseOffsets: [Int64], fd: CInt, at position: Int64,
                                 path: String) throws {
        var words = baseOffsets.map { $0.bigEndian }
        let total = batches.reduce(0) { $0 + $1.byteCount }
        var failure: (any Error)?
        words.withUnsafeMutableBufferPointer { words in
            let vectors = UnsafeMutableBufferPointer<iovec>.allocate(capacity: batches.count * 2)
            defer { vectors.deallocate() }
            // Each batch's bytes are pinned only inside its closure, so the closures nest;
            // the innermost one writes.
            func pin(_ index: Int) {
                guard index < batches.count else {
                    do { try FileIO.writev(fd, vectors, at: position, total: total, path: path) } catch { failure = error }
                    return
                }
                batches[index].buffer.withUnsafeReadableBytes { raw in
                    vectors[2 * index] = iovec(iov_base: UnsafeMutableRawPointer(words.baseAddress! + index), iov_len: 8)
                    vectors[2 * index + 1] = iovec(iov_base: UnsafeMutableRawPointer(mutating: raw.baseAddress! + 8),
                                                   iov_len: raw.count - 8)
                    pin(index + 1)
                }
            }
            pin(0)
        }
        if let failure { throw failure }
    }

    private static func copied(_ batches: [RecordBatch], baseOffsets: [Int64], fd: CInt, at position: Int64,
                               path: String) throws {
        var buffer = ByteBufferAllocator().buffer(capacity: batches.reduce(0) { $0 + $1.byteCount })
        for (batch, base) in zip(batches, baseOffsets) {
            let start = buffer.writerIndex
            var bytes = batch.buffer
            buffer.writeBuffer(&bytes)
            buffer.setInteger(base, at: start)
        }
        try buffer.withUnsafeReadableBytes { (raw) in
            try FileIO.write(fd, raw, at: position, path: path)
        }
    }
}

/// The file names of one segment: `<base offset, 20 digits>.log`, `.index`, `.timeindex`,
/// and `.txnindex` once an aborted transaction's marker is in it.
struct SegmentFiles {
    static let logSuffix = ".log"
    static let offsetIndexSuffix = ".index"
    static let timeIndexSuffix = ".timeindex"
    static let transactionIndexSuffix = ".txnindex"

    let log: String
    let offsetIndex: String
    let timeIndex: String
    let transactionIndex: String

    init(directory: String, baseOffset: Int64) {
        let stem = directory + "/" + Self.name(baseOffset)
        log = stem + Self.logSuffix
        offsetIndex = stem + Self.offsetIndexSuffix
        timeIndex = stem + Self.timeIndexSuffix
        transactionIndex = stem + Self.transactionIndexSuffix
    }

    /// `42` → `00000000000000000042`.
    static func name(_ baseOffset: Int64) -> String {
        let digits = String(baseOffset)
        return String(repeating: "0", count: max(0, 20 - digits.count)) + digits
    }

    /// The base offset a segment file name encodes, or nil for other files.
    static func baseOffset(ofFileNamed name: String, suffix: String) -> Int64? {
        guard name.hasSuffix(suffix) else { return nil }
        let stem = name.dropLast(suffix.count)
        guard stem.count == 20, stem.allSatisfy(\.isASCII), let value = Int64(stem), value >= 0 else { return nil }
        return value
    }
}
