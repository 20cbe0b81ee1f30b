import NIOCore
import SluiceKafkaClient
import SluiceKernel
import Testing

/// `FetchedPartition.visibleBatches()`: what a read_committed consumer (the CLI's
/// `consume --isolation read_committed`) delivers from a fetch, given the aborted
/// transactions the broker listed — Kafka's consumer algorithm, checked on hand-built logs.
@Suite struct ReadCommittedFilterTests {
    func batch(_ offset: Int64, producer: Int64, transactional: Bool, values: [String]) -> RecordBatch {
        var builder = RecordBatchBuilder()
        builder.producerId = producer
        builder.producerEpoch = producer < 0 ? -1 : 0
        builder.isTransactional = transactional
        var built = builder.build(values.map { Record(value: Array($0.utf8), timestamp: 1) })
        built.setBaseOffset(offset)
        return built
    }

    func marker(_ offset: Int64, producer: Int64, commit: Bool) -> RecordBatch {
        var builder = RecordBatchBuilder()
        builder.producerId = producer
        builder.producerEpoch = 0
        builder.isTransactional = true
        builder.isControl = true
        var built = builder.build([Record(key: [0, 0, 0, commit ? 1 : 0], value: [0, 0, 0, 0, 0, 0], timestamp: 1)])
        built.setBaseOffset(offset)
        return built
    }

    func fetched(_ batches: [RecordBatch], isolation: IsolationLevel, aborted: [AbortedTransaction]) -> FetchedPartition {
        var bytes = ByteBuffer()
        for batch in batches { var copy = batch.buffer; bytes.writeBuffer(&copy) }
        var result = FetchedPartition(batches: bytes, highWatermark: 9, logStartOffset: 0)
        result.isolationLevel = isolation
        result.lastStableOffset = 8
        result.abortedTransactions = aborted
        return result
    }

    var log: [RecordBatch] {
        [
            batch(0, producer: 1, transactional: true, values: ["a0", "a1"]),   // aborted below
            batch(2, producer: 2, transactional: true, values: ["c2"]),         // committed below
            marker(3, producer: 1, commit: false),
            marker(4, producer: 2, commit: true),
            batch(5, producer: 1, transactional: true, values: ["c5"]),         // producer 1's next transaction
            batch(6, producer: -1, transactional: false, values: ["n6"]),       // not transactional
            batch(7, producer: 3, transactional: true, values: ["a7"]),         // aborted; marker not fetched yet
        ]
    }

    func values(_ batches: [RecordBatch]) throws -> [String] {
        try batches.flatMap { try $0.records() }.map { String(decoding: $0.value ?? [], as: UTF8.self) }
    }

    @Test func readCommittedSkipsAbortedTransactionsAndMarkers() throws {
        let aborted = [AbortedTransaction(producerId: 3, firstOffset: 7), AbortedTransaction(producerId: 1, firstOffset: 0)]
        let visible = try fetched(log, isolation: .readCommitted, aborted: aborted).visibleBatches()
        #expect(try values(visible) == ["c2", "c5", "n6"])
        #expect(visible.map(\.baseOffset) == [2, 5, 6])
    }

    @Test func anAbortMarkerEndsOnlyItsProducersAbortedRange() throws {
        // Producer 1 aborted again from offset 5: its batch there is skipped even though an
        // earlier abort marker removed it from the aborting set.
        let aborted = [AbortedTransaction(producerId: 1, firstOffset: 0), AbortedTransaction(producerId: 1, firstOffset: 5)]
        let visible = try fetched(log, isolation: .readCommitted, aborted: aborted).visibleBatches()
        #expect(try values(visible) == ["c2", "n6", "a7"])
    }

    @Test func readUncommittedReturnsEveryDataBatch() throws {
        let visible = try fetched(log, isolation: .readUncommitted, aborted: [AbortedTransaction(producerId: 1, firstOffset: 0)]).visibleBatches()
        #expect(try values(visible) == ["a0", "a1", "c2", "c5", "n6", "a7"])
        #expect(visible.allSatisfy { !$0.isControl })
    }
}
