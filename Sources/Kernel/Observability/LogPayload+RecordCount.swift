import Foundation
import NIOCore

extension LogPayload {
    /// How many records the batches of this payload hold at or after `offset`, read
    /// from the batch headers only (base offset, length, last offset delta): for a file
    /// region that is one 27-byte `pread` per batch, never the records themselves.
    /// Stops quietly at a header it cannot read; the count is for metrics.
    public func recordCount(from offset: Int64) -> Int {
        switch self {
        case .bytes(let buffer):
            return Self.count(total: buffer.readableBytes, from: offset) { position in
                let at = buffer.readerIndex + position
                guard let base: Int64 = buffer.getInteger(at: at), let length: Int32 = buffer.getInteger(at: at + 8),
                      let delta: Int32 = buffer.getInteger(at: at + 23) else { return nil }
                return (base, length, delta)
            }
        case .file(let region):
            return Self.count(total: region.length, from: offset) { position in
                var header = [UInt8](repeating: 0, count: 27)
                let n = header.withUnsafeMutableBytes { pread(region.file.descriptor, $0.baseAddress!, 27, off_t(region.offset) + off_t(position)) }
                guard n == 27 else { return nil }
                let buffer = ByteBuffer(bytes: header)
                return (buffer.getInteger(at: 0)!, buffer.getInteger(at: 8)!, buffer.getInteger(at: 23)!)
            }
        }
    }

    private static func count(total: Int, from offset: Int64,
                              header: (Int) -> (base: Int64, length: Int32, lastOffsetDelta: Int32)?) -> Int {
        var position = 0
        var records: Int64 = 0
        while position + RecordBatch.headerSize <= total, let (base, length, delta) = header(position), length > 0 {
            let last = base + Int64(delta)
            if last >= offset { records += last - max(base, offset) + 1 }
            position += RecordBatch.lengthPrefixSize + Int(length)
        }
        return Int(records)
    }
}
