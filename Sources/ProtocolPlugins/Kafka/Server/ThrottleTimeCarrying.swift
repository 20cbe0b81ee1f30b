import KafkaWire

/// A response with Kafka's `throttle_time_ms`: the router sets it when a client quota
/// throttles the client (in versions without the field it is simply not written).
protocol ThrottleTimeCarrying {
    var throttleTimeMs: Int32 { get set }
}

extension AddOffsetsToTxnResponse: ThrottleTimeCarrying {}
extension AddPartitionsToTxnResponse: ThrottleTimeCarrying {}
extension AlterClientQuotasResponse: ThrottleTimeCarrying {}
extension CreateAclsResponse: ThrottleTimeCarrying {}
extension DeleteAclsResponse: ThrottleTimeCarrying {}
extension DescribeAclsResponse: ThrottleTimeCarrying {}
extension DescribeUserScramCredentialsResponse: ThrottleTimeCarrying {}
extension AlterUserScramCredentialsResponse: ThrottleTimeCarrying {}
extension AlterConfigsResponse: ThrottleTimeCarrying {}
extension ApiVersionsResponse: ThrottleTimeCarrying {}
extension CreatePartitionsResponse: ThrottleTimeCarrying {}
extension CreateTopicsResponse: ThrottleTimeCarrying {}
extension DeleteGroupsResponse: ThrottleTimeCarrying {}
extension DeleteRecordsResponse: ThrottleTimeCarrying {}
extension DeleteTopicsResponse: ThrottleTimeCarrying {}
extension DescribeClientQuotasResponse: ThrottleTimeCarrying {}
extension DescribeClusterResponse: ThrottleTimeCarrying {}
extension DescribeGroupsResponse: ThrottleTimeCarrying {}
extension DescribeLogDirsResponse: ThrottleTimeCarrying {}
extension DescribeProducersResponse: ThrottleTimeCarrying {}
extension DescribeTransactionsResponse: ThrottleTimeCarrying {}
extension EndTxnResponse: ThrottleTimeCarrying {}
extension FetchResponse: ThrottleTimeCarrying {}
extension FindCoordinatorResponse: ThrottleTimeCarrying {}
extension HeartbeatResponse: ThrottleTimeCarrying {}
extension IncrementalAlterConfigsResponse: ThrottleTimeCarrying {}
extension InitProducerIdResponse: ThrottleTimeCarrying {}
extension JoinGroupResponse: ThrottleTimeCarrying {}
extension LeaveGroupResponse: ThrottleTimeCarrying {}
extension ListGroupsResponse: ThrottleTimeCarrying {}
extension ListOffsetsResponse: ThrottleTimeCarrying {}
extension ListTransactionsResponse: ThrottleTimeCarrying {}
extension MetadataResponse: ThrottleTimeCarrying {}
extension OffsetCommitResponse: ThrottleTimeCarrying {}
extension OffsetDeleteResponse: ThrottleTimeCarrying {}
extension OffsetFetchResponse: ThrottleTimeCarrying {}
extension OffsetForLeaderEpochResponse: ThrottleTimeCarrying {}
extension ProduceResponse: ThrottleTimeCarrying {}
extension SyncGroupResponse: ThrottleTimeCarrying {}
extension TxnOffsetCommitResponse: ThrottleTimeCarrying {}
