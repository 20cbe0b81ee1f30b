import KafkaWire
import NIOCore
import SluiceKernel

/// Produce: v3–11 append record batches as they arrived (the broker validates header,
/// size and CRC-32C; compressed batches are stored without decompressing). v0–2 carry
/// only the old message formats and are answered with UNSUPPORTED_VERSION per partition;
/// they are still advertised, as Kafka 4 does (KAFKA-18659), because librdkafka derives
/// its compression support from Produce v0 being listed. A transactional producer's
/// batches are verified by the kernel with the transaction coordinator before they may
/// open a transaction in a partition (KIP-890); with no coordinator they are refused
/// with INVALID_TXN_STATE. A NOT_LEADER_OR_FOLLOWER partition names the leader this broker
/// knows (v10+, KIP-951).
struct ProduceHandler: KafkaApiHandler {
    var quotaBytes: QuotaBytes { .request(.producerByteRate) }
    static let firstRecordBatchVersion: Int16 = 3

    func handle(_ request: ProduceRequest, context: RequestContext) async throws(HandlerAbort) -> ProduceResponse? {
        var response = ProduceResponse()
        var failures: [String] = []
        var storageFailures: [String] = []
        let timeoutMs = Int64(max(0, request.timeoutMs))
        let deadline = ContinuousClock.now + .milliseconds(timeoutMs)
        // acks=all: every partition is appended first, then all wait against one deadline.
        var pending: [(topic: Int, partition: Int, tp: TopicPartition, info: LogAppendInfo)] = []
        for topic in request.topicData {
            var result = ProduceResponse.Topic()
            result.name = topic.name
            for data in topic.partitionData {
                var partition = ProduceResponse.Partition()
                partition.index = data.index
                do throws(ProduceRefusal) {
                    let info = try await append(data, topic: topic.name, request: request, context: context)
                    if request.acks == -1 {
                        pending.append((response.responses.count, result.partitionResponses.count, TopicPartition(topic.name, data.index), info))
                    }
                    partition.baseOffset = info.firstOffset
                    partition.logStartOffset = info.logStartOffset
                    partition.logAppendTimeMs = info.logAppendTime ?? -1
                } catch {
                    partition.errorCode = error.code.rawValue
                    partition.errorMessage = error.message
                    partition.recordErrors = error.recordErrors.map { rejection in
                        var recordError = ProduceResponse.RecordError()
                        recordError.batchIndex = rejection.batchIndex
                        recordError.batchIndexErrorMessage = rejection.message
                        return recordError
                    }
                    partition.baseOffset = -1
                    failures.append("\(topic.name)-\(data.index): \(error.code): \(error.message)")
                    if error.code == .kafkaStorageError { storageFailures.append("\(topic.name)-\(data.index): \(error.message)") }
                }
                result.partitionResponses.append(partition)
            }
            response.responses.append(result)
        }
        for wait in pending {
            do {
                try await context.appender.awaitReplication(of: wait.info, in: wait.tp, deadline: deadline, timeoutMs: timeoutMs)
            } catch {
                response.responses[wait.topic].partitionResponses[wait.partition].errorCode = error.kafkaErrorCode.rawValue
                response.responses[wait.topic].partitionResponses[wait.partition].errorMessage = error.description
                failures.append("\(wait.tp): \(error.kafkaErrorCode): \(error.description)")
            }
        }
        if !storageFailures.isEmpty {
            // The operator must act (a full disk, a failing device): the client only retries.
            context.logger.error("produce failed in storage, answered KAFKA_STORAGE_ERROR",
                                 metadata: ["partitions": "\(storageFailures.joined(separator: "; "))"])
        } else if !failures.isEmpty {
            context.logger.debug("produce refused", metadata: ["partitions": "\(failures.joined(separator: "; "))"])
        }
        guard request.acks != 0 else {
            // No response is sent for acks=0; Kafka closes the connection on failure so the
            // producer notices and refreshes its metadata.
            if !failures.isEmpty { throw .closeConnection(reason: "acks=0 produce failed: \(failures.joined(separator: "; "))") }
            return nil
        }
        await LeaderHints.add(to: &response, context: context)
        return response
    }

    private func append(_ data: ProduceRequest.Partition, topic: String, request: ProduceRequest,
                        context: RequestContext) async throws(ProduceRefusal) -> LogAppendInfo {
        guard context.version >= Self.firstRecordBatchVersion else {
            throw ProduceRefusal(.unsupportedVersion,
                                 "Produce v\(context.version) carries message format v0/v1, which Sluice does not store; use a client that sends Produce v3+ (Kafka 0.11+)")
        }
        guard [-1, 0, 1].contains(request.acks) else {
            throw ProduceRefusal(.invalidRequiredAcks, "acks must be -1 (all), 0 or 1, got \(request.acks)")
        }
        guard let records = data.records else {
            throw ProduceRefusal(.corruptMessage, "the partition's records are null")
        }
        let bytes: ByteBuffer
        do { bytes = try records.load() } catch { throw ProduceRefusal(.unknownServerError, "\(error)") }
        do {
            return try await context.appender.produce(to: TopicPartition(topic, data.index), bytes: bytes, acks: request.acks,
                                                    transactionalId: request.transactionalId)
        } catch {
            var refusal = ProduceRefusal(error.kafkaErrorCode, error.description)
            if case .recordsRejected(_, let rejections) = error { refusal.recordErrors = rejections }
            throw refusal
        }
    }
}

/// Why one partition of a Produce request was not appended.
struct ProduceRefusal: Error {
    var code: KafkaErrorCode
    var message: String
    /// The records refused, by index in the batch (Produce v8+ carries them).
    var recordErrors: [RecordRejection] = []
    init(_ code: KafkaErrorCode, _ message: String) {
        self.code = code
        self.message = message
    }
}
