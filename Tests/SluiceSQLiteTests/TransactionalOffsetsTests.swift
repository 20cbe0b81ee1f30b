import Foundation
import SluiceKernel
import SluiceSQLite
import Testing

/// TxnOffsetCommit (KIP-98 / KIP-447) on a real SQLite file: offsets staged until the
/// transaction ends, the group's checks, and require_stable.
@Suite struct TransactionalOffsetsTests {
    let tp = TopicPartition("in", 0)

    @Test func stagedOffsetsBecomeCommittedOnlyWhenTheTransactionCommits() async throws {
        try await withTemporaryDirectory { dir in
            let rig = try await TransactionRig.open(dir)
            let producer = try await rig.initProducer("copier")
            #expect(await rig.coordinator.addOffsets(transactionalId: "copier", producerId: producer.producerId,
                                                     producerEpoch: producer.producerEpoch, groupId: "g") == nil)
            let state = try await rig.state("copier")
            #expect(state?.groups == ["g"] && state?.status == .ongoing)
            #expect(await rig.groups.commitTransactionalOffsets(groupId: "g", producerId: producer.producerId, generationId: -1, memberId: "",
                                                                groupInstanceId: nil, offsets: [tp: CommittedOffset(offset: 10)]) == nil)
            #expect(try await rig.groups.fetchOffsets(groupId: "g", partitions: nil).isEmpty, "staged offsets are not committed yet")
            #expect(try await rig.groups.unstableOffsets(groupId: "g") == [tp], "require_stable must see the pending commit")
            #expect(await rig.end("copier", producer, commit: true) == nil)
            #expect(try await rig.groups.fetchOffsets(groupId: "g", partitions: nil)[tp]?.offset == 10)
            #expect(try await rig.groups.unstableOffsets(groupId: "g").isEmpty)
            try await rig.close()
        }
    }

    @Test func stagedOffsetsVanishWhenTheTransactionAbortsOrTimesOut() async throws {
        try await withTemporaryDirectory { dir in
            let rig = try await TransactionRig.open(dir)
            try await rig.store.commitOffsets(group: "g", [tp: CommittedOffset(offset: 3)])
            let producer = try await rig.initProducer("copier", timeoutMs: 1_000)
            #expect(await rig.coordinator.addOffsets(transactionalId: "copier", producerId: producer.producerId,
                                                     producerEpoch: producer.producerEpoch, groupId: "g") == nil)
            #expect(await rig.groups.commitTransactionalOffsets(groupId: "g", producerId: producer.producerId, generationId: -1, memberId: "",
                                                                groupInstanceId: nil, offsets: [tp: CommittedOffset(offset: 10)]) == nil)
            #expect(await rig.end("copier", producer, commit: false) == nil)
            #expect(try await rig.groups.fetchOffsets(groupId: "g", partitions: nil)[tp]?.offset == 3)
            #expect(try await rig.groups.unstableOffsets(groupId: "g").isEmpty)

            #expect(await rig.coordinator.addOffsets(transactionalId: "copier", producerId: producer.producerId,
                                                     producerEpoch: producer.producerEpoch, groupId: "g") == nil)
            #expect(await rig.groups.commitTransactionalOffsets(groupId: "g", producerId: producer.producerId, generationId: -1, memberId: "",
                                                                groupInstanceId: nil, offsets: [tp: CommittedOffset(offset: 20)]) == nil)
            rig.clock.advance(ms: 1_000)
            await rig.coordinator.abortExpired()
            #expect(try await rig.groups.fetchOffsets(groupId: "g", partitions: nil)[tp]?.offset == 3)
            #expect(try await rig.groups.unstableOffsets(groupId: "g").isEmpty)
            try await rig.close()
        }
    }

    @Test func txnOffsetCommitChecksGenerationMemberAndInstance() async throws {
        try await withTemporaryDirectory { dir in
            let rig = try await TransactionRig.open(dir)
            let offsets = [tp: CommittedOffset(offset: 1)]
            #expect(await rig.groups.commitTransactionalOffsets(groupId: "g", producerId: 1, generationId: -1, memberId: "ghost",
                                                                groupInstanceId: nil, offsets: offsets) == .unknownMemberId)
            #expect(await rig.groups.commitTransactionalOffsets(groupId: "g", producerId: 1, generationId: 4, memberId: "",
                                                                groupInstanceId: nil, offsets: offsets) == .illegalGeneration)
            let joined = await rig.groups.join(JoinGroupRequest(
                groupId: "g", memberId: "", groupInstanceId: "pod-0", clientId: "c", clientHost: "h", sessionTimeoutMs: 10_000,
                rebalanceTimeoutMs: 10_000, protocolType: "consumer", protocols: [("range", [1])], requireKnownMemberId: false))
            #expect(joined.error == nil)
            let member = joined.memberId, generation = joined.generationId
            #expect(await rig.groups.commitTransactionalOffsets(groupId: "g", producerId: 1, generationId: generation + 1, memberId: member,
                                                                groupInstanceId: "pod-0", offsets: offsets) == .illegalGeneration)
            #expect(await rig.groups.commitTransactionalOffsets(groupId: "g", producerId: 1, generationId: generation, memberId: "other",
                                                                groupInstanceId: nil, offsets: offsets) == .unknownMemberId)
            #expect(await rig.groups.commitTransactionalOffsets(groupId: "g", producerId: 1, generationId: generation, memberId: "other",
                                                                groupInstanceId: "pod-0", offsets: offsets) == .fencedInstanceId)
            #expect(try await rig.groups.unstableOffsets(groupId: "g").isEmpty, "nothing refused was staged")
            #expect(await rig.groups.commitTransactionalOffsets(groupId: "g", producerId: 1, generationId: generation, memberId: member,
                                                                groupInstanceId: "pod-0", offsets: offsets) == nil)
            #expect(try await rig.groups.unstableOffsets(groupId: "g") == [tp])
            await rig.groups.shutdown()
            try await rig.close()
        }
    }
}
