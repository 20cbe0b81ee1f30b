import KafkaWire
import SluiceKernel

/// DescribeTransactions 0: each transactional id's state, producer, timeout, start time
/// and partitions; TRANSACTIONAL_ID_NOT_FOUND for ids this coordinator never saw.
struct DescribeTransactionsHandler: KafkaApiHandler {
    func handle(_ request: DescribeTransactionsRequest, context: RequestContext) async -> DescribeTransactionsResponse? {
        var response = DescribeTransactionsResponse()
        let describable = await context.authorized(.describe, .transactionalId, request.transactionalIds)
        for id in request.transactionalIds {
            var state = DescribeTransactionsResponse.TransactionState()
            state.transactionalId = id
            guard describable.contains(id) else {
                state.errorCode = KafkaErrorCode.transactionalIdAuthorizationFailed.rawValue
                response.transactionStates.append(state)
                continue
            }
            switch await context.transactions.describe(transactionalId: id) {
            case .failure(let error):
                state.errorCode = error.kafkaErrorCode(fencedIsKnown: true).rawValue
            case .success(nil):
                state.errorCode = KafkaErrorCode.transactionalIdNotFound.rawValue
            case .success(let description?):
                state.transactionState = description.status.rawValue
                state.transactionTimeoutMs = description.timeoutMs
                state.transactionStartTimeMs = description.startTimeMs
                state.producerId = description.producerId
                state.producerEpoch = description.producerEpoch
                let byTopic = Dictionary(grouping: description.partitions, by: \.topic)
                state.topics = byTopic.keys.sorted().map { topic in
                    var entry = DescribeTransactionsResponse.Topic()
                    entry.topic = topic
                    entry.partitions = byTopic[topic]!.map(\.partition).sorted()
                    return entry
                }
            }
            response.transactionStates.append(state)
        }
        return response
    }
}

/// ListTransactions 0–1: the transactions this coordinator holds, filtered by state,
/// producer id and (v1) how long they have been open. Unknown state names are echoed in
/// UnknownStateFilters and match nothing.
struct ListTransactionsHandler: KafkaApiHandler {
    func handle(_ request: ListTransactionsRequest, context: RequestContext) async -> ListTransactionsResponse? {
        var response = ListTransactionsResponse()
        let known = request.stateFilters.compactMap(TransactionStatus.init(rawValue:))
        response.unknownStateFilters = request.stateFilters.filter { TransactionStatus(rawValue: $0) == nil }
        if !request.stateFilters.isEmpty && known.isEmpty { return response }
        let listed = await context.transactions.list(statuses: Set(known), producerIds: Set(request.producerIdFilters),
                                                     minDurationMs: context.version >= 1 ? request.durationFilter : -1)
        // Only the transactional ids the principal may Describe (Kafka's rule).
        let describable = await context.authorized(.describe, .transactionalId, listed.map(\.transactionalId))
        response.transactionStates = listed.filter { describable.contains($0.transactionalId) }.map {
            var state = ListTransactionsResponse.TransactionState()
            state.transactionalId = $0.transactionalId
            state.producerId = $0.producerId
            state.transactionState = $0.status.rawValue
            return state
        }
        return response
    }
}
