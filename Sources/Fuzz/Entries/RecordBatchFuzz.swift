import NIOCore
import SluiceFileSink
import SluiceKernel

/// Fuzz entry for record batches: the input is the `records` bytes of a produce request.
/// They are split and checked by `RecordBatch.parse` as the produce handler does, and
/// the records of each batch are decoded (gzip inflated) as the file sink decodes them.
/// A CRC mismatch is reported and the bytes are parsed again without the CRC check, so
/// the fuzzer reaches the record decoder without having to forge checksums.
package enum RecordBatchFuzz {
    /// What the bytes turned out to be.
    package struct Outcome: Sendable, Equatable {
        /// The error `RecordBatch.parse` refused the bytes with (CRC checked), if any.
        package var parseError: RecordBatchError?
        /// Batches found (CRC not checked when `parseError` is a checksum mismatch).
        package var batches = 0
        /// Records decoded from all batches.
        package var records = 0
        /// Why the records of a batch could not be decoded, one entry per such batch.
        package var decodeErrors: [FileSinkError] = []
    }

    /// Parses and decodes `bytes`. Never traps.
    package static func run(_ bytes: [UInt8]) -> Outcome {
        let buffer = ByteBuffer(bytes: bytes)
        var outcome = Outcome()
        let batches: [RecordBatch]
        do {
            batches = try RecordBatch.parse(buffer)
        } catch {
            outcome.parseError = error
            guard case .checksumMismatch = error, let unchecked = try? RecordBatch.parse(buffer, verifyCRC: false) else {
                return outcome
            }
            batches = unchecked
        }
        outcome.batches = batches.count
        let tp = TopicPartition("fuzz", 0)
        for batch in batches {
            // Every header field a consumer of the batch reads.
            _ = (batch.lastOffset, batch.maxTimestamp, batch.producerId, batch.producerEpoch, batch.baseSequence,
                 batch.isTransactional, batch.isControl, batch.timestampType, batch.partitionLeaderEpoch)
            do {
                outcome.records += try BatchDecoder.records(of: batch, in: tp).count
            } catch {
                outcome.decodeErrors.append(error)
            }
        }
        return outcome
    }
}
