import KafkaWire

/// The consumer-group APIs (FindCoordinator, the classic group protocol, offsets and
/// group administration), registered with the others in `ApiRoutes.all`.
extension ApiRoutes {
    static let groupRoutes: [ApiRoute] = [
        ApiRoute(FindCoordinatorHandler()),
        ApiRoute(JoinGroupHandler()),
        ApiRoute(SyncGroupHandler()),
        ApiRoute(HeartbeatHandler()),
        ApiRoute(LeaveGroupHandler()),
        ApiRoute(OffsetCommitHandler()),
        ApiRoute(OffsetFetchHandler()),
        ApiRoute(ListGroupsHandler()),
        ApiRoute(DescribeGroupsHandler()),
        ApiRoute(DeleteGroupsHandler()),
        ApiRoute(OffsetDeleteHandler()),
    ]
}
