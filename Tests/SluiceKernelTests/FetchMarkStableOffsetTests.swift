import Foundation
import NIOCore
import SluiceKernel
import SluiceMemory
import Testing

/// Fetch marks and the last stable offset: a read_committed read that found nothing at the
/// LSO leaves a mark, and every move of the LSO (a marker, a transaction opened below the
/// high watermark, the producers' state found after a restart) makes marks stop holding.
@Suite("Fetch marks at the last stable offset")
struct FetchMarkStableOffsetTests {
    let tp = TopicPartition("lso", 0)

    func broker(storage: any LogStorage = MemoryLogStorage(), metadata: any MetadataStore = MemoryMetadataStore()) async throws -> Broker {
        let broker = try await makeBroker(storage: storage, metadata: metadata)
        if await broker.topic(named: "lso") == nil { try await broker.createTopic("lso") }
        broker.setTransactionVerifier(ScriptedVerifier())
        return broker
    }

    @Test func aReadCommittedMarkAtTheStableOffsetHoldsUntilTheMarker() async throws {
        let broker = try await broker()
        _ = try await broker.produce(to: tp, bytes: batchBytes(["a"]))                           // 0
        _ = try await broker.produce(to: tp, bytes: txnBatch(["t1", "t2"], pid: 5, seq: 0))      // 1...2
        let atStable = await readFrom(broker, tp, offset: 1, committed: true)
        #expect(try fetchedBatches(atStable).isEmpty)
        #expect(atStable.lastStableOffset == 1 && atStable.highWatermark == 3)
        let mark = try #require(atStable.mark, "nothing below the LSO: a read_committed mark")
        #expect(mark.holds(offset: 1, currentLeaderEpoch: -1, readCommitted: true))
        #expect(!mark.holds(offset: 1, currentLeaderEpoch: -1, readCommitted: false),
                "records 1...2 wait below the high watermark for read_uncommitted")
        let uncommitted = await readFrom(broker, tp, offset: 1, committed: false)
        #expect(try fetchedBatches(uncommitted).map(\.values) == [["t1", "t2"]])
        #expect(uncommitted.mark == nil)

        // A read_committed read below the LSO with records, and one at the LSO while the
        // high watermark is past it, are not the same read as the mark's.
        #expect(!mark.holds(offset: 0, currentLeaderEpoch: -1, readCommitted: true))
        #expect(await readFrom(broker, tp, offset: 0, committed: true).mark == nil)

        #expect(await broker.writeMarkers(marker(5, commit: true), partitions: [tp]).isEmpty)  // 3
        #expect(!mark.isCurrent && !mark.holds(offset: 1, currentLeaderEpoch: -1, readCommitted: true))
        let stable = await readFrom(broker, tp, offset: 1, committed: true)
        #expect(try fetchedBatches(stable).map(\.control) == [false, true])
        #expect(stable.lastStableOffset == 4 && stable.mark == nil)
    }

    /// A transaction opened when another is open, then the older one committed: the LSO moves
    /// from the first transaction's start to the second's.
    @Test func theStableOffsetMovingToTheNextOpenTransactionMovesTheMark() async throws {
        let broker = try await broker()
        _ = try await broker.produce(to: tp, bytes: txnBatch(["x"], pid: 5, seq: 0))             // 0
        _ = try await broker.produce(to: tp, bytes: txnBatch(["y"], pid: 6, seq: 0))             // 1
        let first = await readFrom(broker, tp, offset: 0, committed: true)
        #expect(first.lastStableOffset == 0)
        let mark = try #require(first.mark)
        #expect(await broker.writeMarkers(marker(5, commit: true), partitions: [tp]).isEmpty)  // 2
        #expect(!mark.isCurrent)
        let next = await readFrom(broker, tp, offset: 0, committed: true)
        #expect(try fetchedBatches(next).map(\.values) == [["x"]], "up to producer 6's open transaction at 1")
        #expect(next.lastStableOffset == 1)
        let waiting = try #require(await readFrom(broker, tp, offset: 1, committed: true).mark)
        #expect(waiting.isCurrent)
        #expect(await broker.writeMarkers(marker(6, commit: false), partitions: [tp]).isEmpty) // 3
        #expect(!waiting.isCurrent)
    }

    /// After a restart the producers' state is read from the log on first need: the LSO
    /// falls from the high watermark to the open transaction then, with no append. A mark
    /// made before must stop holding, or a session would keep the old LSO.
    @Test func producerStateLoadedAfterARestartMovesTheMark() async throws {
        let storage = MemoryLogStorage(), metadata = MemoryMetadataStore()
        let first = try await broker(storage: storage, metadata: metadata)
        _ = try await first.produce(to: tp, bytes: batchBytes(["a"]))                            // 0
        _ = try await first.produce(to: tp, bytes: txnBatch(["t"], pid: 9, seq: 0))             // 1, left open

        let second = try await broker(storage: storage, metadata: metadata)
        let quiet = await readFrom(second, tp, offset: 2, committed: false)
        let mark = try #require(quiet.mark, "read_uncommitted at the high watermark, before the state is loaded")
        #expect(mark.isCurrent)
        #expect(try await second.listOffset(tp, .lastStable).offset == 1, "loading finds producer 9's open transaction")
        #expect(!mark.isCurrent, "the LSO fell from 2 to 1")
        let again = await readFrom(second, tp, offset: 2, committed: false)
        #expect(again.lastStableOffset == 1 && again.mark?.isCurrent == true)
    }
}
