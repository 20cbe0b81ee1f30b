import KafkaWire

// The kernel has types of these names too (its fetch, join and sync requests). Inside the
// plugin the bare names mean the Kafka messages, as they did when the messages lived in
// this module; the kernel's are written `SluiceKernel.FetchRequest`.
typealias FetchRequest = KafkaWire.FetchRequest
typealias JoinGroupRequest = KafkaWire.JoinGroupRequest
typealias JoinGroupResponse = KafkaWire.JoinGroupResponse
typealias SyncGroupResponse = KafkaWire.SyncGroupResponse
