import NIOCore
import SluiceBeats

/// Fuzz entry for the beats input: the input is what a Beats shipper writes to the
/// socket. It goes through the `WindowAssembler` the connection's decoder drives
/// (frame parser, window bookkeeping, zlib inflate with its budget, event scanner),
/// with the default limits of the connector's configuration and a key and topic field set
/// so the scanner's field lookup runs too.
///
/// The bytes are consumed twice: all at once, and split in two at a point the first
/// byte picks (as a socket may deliver them). Both must yield the same chunks and the
/// same error; a difference traps, so the fuzzer reports it.
package enum LumberjackFuzz {
    /// The chunks and error of one run.
    package struct Outcome: Sendable, Equatable {
        /// Per emitted chunk: events, ack sequence, whether it completes its window.
        package var chunks: [ChunkSummary] = []
        /// The protocol error that ends the connection, if any.
        package var error: BeatsProtocolError?
        /// Bytes of a trailing partial frame.
        package var leftoverBytes = 0
    }

    /// What a chunk carried, enough to compare two runs.
    package struct ChunkSummary: Sendable, Equatable {
        package var events: Int
        package var bytes: Int
        package var ackSequence: UInt32?
        package var completesWindow: Bool
    }

    /// Runs `bytes` through a fresh assembler, whole and split; traps when the two differ.
    package static func run(_ bytes: [UInt8]) -> Outcome {
        let whole = consume([bytes])
        if bytes.count > 1 {
            let cut = Int(bytes[0]) % bytes.count
            let split = consume([Array(bytes[..<cut]), Array(bytes[cut...])])
            precondition(split == whole, "split input gave \(split), whole input \(whole)")
        }
        return whole
    }

    /// Feeds `parts` one after another into one assembler, as successive socket reads.
    package static func consume(_ parts: [[UInt8]]) -> Outcome {
        var config = BeatsInputFactory.Configuration()
        config.keyField = "host.name"
        config.topicField = "fields.topic"
        var assembler = WindowAssembler(parser: LumberjackParser(limits: config.limits),
                                        scanner: EventScanner(keyField: config.keyField, topicField: config.topicField),
                                        chunkBytes: 4096)
        var outcome = Outcome()
        var buffer = ByteBuffer()
        for part in parts {
            buffer.writeBytes(part)
            do {
                try assembler.consume(&buffer, arrival: 1_700_000_000_000) { chunk in
                    outcome.chunks.append(ChunkSummary(events: chunk.events.count, bytes: chunk.byteCount,
                                                       ackSequence: chunk.completesWindow ? chunk.ackSequence : nil,
                                                       completesWindow: chunk.completesWindow))
                }
            } catch {
                outcome.error = error
                return outcome
            }
        }
        outcome.leftoverBytes = buffer.readableBytes
        return outcome
    }
}
