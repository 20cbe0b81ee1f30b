import Foundation

// DescribeCluster (key 60), from Kafka 3.9's DescribeClusterRequest/Response specs.

/// The DescribeCluster request; its fields, versions and defaults follow Kafka 3.9's DescribeClusterRequest spec.
public struct DescribeClusterRequest: KafkaRequest {
    public typealias Response = DescribeClusterResponse
    public static let apiKey = ApiKey.describeCluster
    public static let validVersions: Versions = "0-1"
    public static let flexibleVersions: Versions = "0+"

    public var includeClusterAuthorizedOperations = false
    /// Which endpoints to describe (v1+): 1 brokers, 2 controllers.
    public var endpointType: Int8 = 1

    public init() {}

    public static let fields: [Field<Self>] = [
        Field("IncludeClusterAuthorizedOperations", \.includeClusterAuthorizedOperations, .bool, versions: "0+"),
        Field("EndpointType", \.endpointType, .int8, versions: "1+"),
    ]
}

/// The DescribeCluster response; its fields, versions and defaults follow Kafka 3.9's DescribeClusterResponse spec.
public struct DescribeClusterResponse: KafkaStruct {
    public var throttleTimeMs: Int32 = 0
    public var errorCode: Int16 = 0
    public var errorMessage: String? = nil
    /// The endpoint type described (v1+): 1 brokers, 2 controllers.
    public var endpointType: Int8 = 1
    public var clusterId = ""
    public var controllerId: Int32 = -1
    public var brokers: [Broker] = []
    /// Kafka's ACL operation bits; -2147483648 when not requested.
    public var clusterAuthorizedOperations: Int32 = Int32.min

    public init() {}

    public static let fields: [Field<Self>] = [
        Field("ThrottleTimeMs", \.throttleTimeMs, .int32, versions: "0+"),
        Field("ErrorCode", \.errorCode, .int16, versions: "0+"),
        Field("ErrorMessage", \.errorMessage, .nullableString, versions: "0+", nullable: "0+"),
        Field("EndpointType", \.endpointType, .int8, versions: "1+"),
        Field("ClusterId", \.clusterId, .string, versions: "0+"),
        Field("ControllerId", \.controllerId, .int32, versions: "0+"),
        Field("Brokers", \.brokers, .array(Broker.self), versions: "0+"),
        Field("ClusterAuthorizedOperations", \.clusterAuthorizedOperations, .int32, versions: "0+"),
    ]

    /// One broker of `DescribeClusterResponse`.
    public struct Broker: KafkaStruct {
        public var brokerId: Int32 = 0
        public var host = ""
        public var port: Int32 = 0
        public var rack: String? = nil

        public init() {}

        public static let fields: [Field<Self>] = [
            Field("BrokerId", \.brokerId, .int32, versions: "0+"),
            Field("Host", \.host, .string, versions: "0+"),
            Field("Port", \.port, .int32, versions: "0+"),
            Field("Rack", \.rack, .nullableString, versions: "0+", nullable: "0+"),
        ]
    }
}
