// WriteTxnMarkers (key 27), from Kafka 3.9's WriteTxnMarkersRequest/Response specs.

/// Sent by a transaction coordinator to partition leaders: write a commit or abort
/// control batch for each listed producer into each listed partition.
public struct WriteTxnMarkersRequest: KafkaRequest {
    public typealias Response = WriteTxnMarkersResponse
    public static let apiKey = ApiKey.writeTxnMarkers
    public static let validVersions: Versions = "0-1"
    public static let flexibleVersions: Versions = "1+"

    /// The markers to write.
    public var markers: [Marker] = []

    public init() {}

    public static let fields: [Field<Self>] = [
        Field("Markers", \.markers, .array(Marker.self), versions: "0+"),
    ]

    /// One producer's marker ("WritableTxnMarker").
    public struct Marker: KafkaStruct {
        public var producerId: Int64 = 0
        /// The producer epoch the transaction ran under.
        public var producerEpoch: Int16 = 0
        /// true for a commit marker, false for an abort marker.
        public var transactionResult = false
        /// The partitions to write the marker into.
        public var topics: [Topic] = []
        /// The coordinator's epoch; a leader refuses markers from an older coordinator.
        public var coordinatorEpoch: Int32 = 0

        public init() {}
        public init(producerId: Int64, producerEpoch: Int16, transactionResult: Bool, topics: [Topic], coordinatorEpoch: Int32) {
            self.producerId = producerId
            self.producerEpoch = producerEpoch
            self.transactionResult = transactionResult
            self.topics = topics
            self.coordinatorEpoch = coordinatorEpoch
        }

        public static let fields: [Field<Self>] = [
            Field("ProducerId", \.producerId, .int64, versions: "0+"),
            Field("ProducerEpoch", \.producerEpoch, .int16, versions: "0+"),
            Field("TransactionResult", \.transactionResult, .bool, versions: "0+"),
            Field("Topics", \.topics, .array(Topic.self), versions: "0+"),
            Field("CoordinatorEpoch", \.coordinatorEpoch, .int32, versions: "0+"),
        ]
    }

    /// A topic and the partition indexes of one marker ("WritableTxnMarkerTopic").
    public struct Topic: KafkaStruct {
        public var name = ""
        public var partitionIndexes: [Int32] = []

        public init() {}
        public init(name: String, partitionIndexes: [Int32]) {
            self.name = name
            self.partitionIndexes = partitionIndexes
        }

        public static let fields: [Field<Self>] = [
            Field("Name", \.name, .string, versions: "0+"),
            Field("PartitionIndexes", \.partitionIndexes, .array(.int32), versions: "0+"),
        ]
    }
}

/// Per-producer, per-partition outcomes of the markers.
public struct WriteTxnMarkersResponse: KafkaStruct {
    public var markers: [MarkerResult] = []

    public init() {}

    public static let fields: [Field<Self>] = [
        Field("Markers", \.markers, .array(MarkerResult.self), versions: "0+"),
    ]

    /// The results for one producer's marker ("WritableTxnMarkerResult").
    public struct MarkerResult: KafkaStruct {
        public var producerId: Int64 = 0
        public var topics: [TopicResult] = []

        public init() {}
        public init(producerId: Int64, topics: [TopicResult]) {
            self.producerId = producerId
            self.topics = topics
        }

        public static let fields: [Field<Self>] = [
            Field("ProducerId", \.producerId, .int64, versions: "0+"),
            Field("Topics", \.topics, .array(TopicResult.self), versions: "0+"),
        ]
    }

    /// One topic's results ("WritableTxnMarkerTopicResult").
    public struct TopicResult: KafkaStruct {
        public var name = ""
        public var partitions: [PartitionResult] = []

        public init() {}
        public init(name: String, partitions: [PartitionResult]) {
            self.name = name
            self.partitions = partitions
        }

        public static let fields: [Field<Self>] = [
            Field("Name", \.name, .string, versions: "0+"),
            Field("Partitions", \.partitions, .array(PartitionResult.self), versions: "0+"),
        ]
    }

    /// One partition's error code ("WritableTxnMarkerPartitionResult").
    public struct PartitionResult: KafkaStruct {
        public var partitionIndex: Int32 = 0
        public var errorCode: Int16 = 0

        public init() {}
        public init(partitionIndex: Int32, errorCode: Int16) {
            self.partitionIndex = partitionIndex
            self.errorCode = errorCode
        }

        public static let fields: [Field<Self>] = [
            Field("PartitionIndex", \.partitionIndex, .int32, versions: "0+"),
            Field("ErrorCode", \.errorCode, .int16, versions: "0+"),
        ]
    }
}
