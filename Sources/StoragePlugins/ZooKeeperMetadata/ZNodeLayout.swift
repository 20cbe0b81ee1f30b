import Foundation
import SluiceKernel

/// Where the `zookeeper` plugin keeps everything, relative to the chroot of the connect
/// string (Kafka's ZooKeeper-era layout, adapted). All payloads are JSON; times are
/// milliseconds since 1970.
///
/// ```
/// /brokers/ids/<id>            ephemeral  BrokerEndpoint {id, host, port, rack}
/// /controller                  ephemeral  {brokerId, epoch}
/// /controller_epoch            persistent the last controller epoch, decimal text ("0" at first)
/// /topics/<name>               persistent {id, partitionCount, replicas, configs, createdAtMs}
/// /partitions/<topic>/<p>      persistent PartitionState {leader, leaderEpoch, isr, controllerEpoch};
///                                         the znode's data version is VersionedPartitionState.version
/// /groups/<group>/offsets      persistent [{topic, partition, offset, leaderEpoch, metadata, commitTimeMs}]
/// /groups/<group>/state        persistent {protocolType, generation, updatedAtMs}
/// /groups/<group>/staged/<pid> persistent offsets staged by producer <pid>'s open transaction
/// /transactions/<id>           persistent TransactionPayload (the coordinator's state of a transactional id)
/// /connectors/<name>           persistent {key: value} positions
/// /admin/reassign_partitions   persistent [{topic, partition, target, original}] reassignments in progress
/// /quotas/<entity>             persistent {quota key: value} of one client quota entity
///                                         (<entity>: ClientQuotaEntity.storageKey)
/// /kafka-acl/<Type>/<name>     persistent {version: 1, acls: [{principal, host, operation, permissionType}]}
///                                         literal ACLs of one resource, Kafka's layout and names
/// /kafka-acl-extended/prefixed/<Type>/<prefix>  the same for prefixed ACLs
/// /config/users/<user>         persistent Kafka's user config znode, {"version":1,"config":{"SCRAM-SHA-512":
///                                         "salt=<b64>,stored_key=<b64>,server_key=<b64>,iterations=4096"}};
///                                         other keys Kafka keeps there are preserved
/// ```
///
/// Partition states live in their own tree, not under `/topics/<name>`: the coordination
/// contract lets the controller create and delete them independently of the registry
/// (`deleteTopic` removes both). A group's offsets are one znode so that a commit of many
/// partitions is one versioned write: all or nothing (znodes hold up to 1 MiB, some
/// 10 000 offsets). Names are percent-encoded where ZooKeeper would refuse them (`/`,
/// `.`/`..`, the empty name, control characters).
enum ZNodeLayout {
    static let brokerIDs = "/brokers/ids"
    static let controller = "/controller"
    static let controllerEpoch = "/controller_epoch"
    static let topics = "/topics"
    static let partitions = "/partitions"
    static let groups = "/groups"
    static let connectors = "/connectors"
    static let transactions = "/transactions"
    static let quotas = "/quotas"
    static let admin = "/admin"
    static let users = "/config/users"
    static let reassignments = "/admin/reassign_partitions"
    /// Persistent parents created at start-up.
    static let parents = [brokerIDs, topics, partitions, groups, connectors, transactions, quotas, admin, users]

    static func broker(_ id: Int32) -> String { "\(brokerIDs)/\(id)" }
    static func topic(_ name: String) -> String { "\(topics)/\(encode(name))" }
    static func partitionStates(_ topic: String) -> String { "\(partitions)/\(encode(topic))" }
    static func partitionState(_ tp: TopicPartition) -> String { "\(partitionStates(tp.topic))/\(tp.partition)" }
    static func group(_ name: String) -> String { "\(groups)/\(encode(name))" }
    static func offsets(_ group: String) -> String { "\(self.group(group))/offsets" }
    static func groupState(_ group: String) -> String { "\(self.group(group))/state" }
    static func stagedOffsets(_ group: String) -> String { "\(self.group(group))/staged" }
    static func stagedOffsets(_ group: String, producerId: Int64) -> String { "\(stagedOffsets(group))/\(producerId)" }
    static func transaction(_ id: String) -> String { "\(transactions)/\(encode(id))" }
    /// One client quota entity's quotas (`ClientQuotaEntity.storageKey` is znode-safe).
    static func quota(_ entityKey: String) -> String { "\(quotas)/\(entityKey)" }
    static let literalAcls = "/kafka-acl"
    static let prefixedAcls = "/kafka-acl-extended/prefixed"
    /// The parent of the ACL znodes of one resource type and pattern type.
    static func aclDirectory(_ type: AclResourceType, _ pattern: AclPatternType) -> String {
        "\(pattern == .prefixed ? prefixedAcls : literalAcls)/\(type.kafkaName)"
    }
    /// The ACLs of one resource pattern.
    static func acls(_ pattern: AclResourcePattern) -> String {
        "\(aclDirectory(pattern.resourceType, pattern.patternType))/\(encode(pattern.name))"
    }
    /// A user's config znode; the name is encoded as Kafka's `Sanitizer` does (URL encoding).
    static func user(_ name: String) -> String { "\(users)/\(encode(name))" }
    static func connector(_ name: String) -> String { "\(connectors)/\(encode(name))" }

    private static let safe = CharacterSet(charactersIn: "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.")

    /// A name as one znode path segment.
    static func encode(_ name: String) -> String {
        if name.isEmpty { return "%" }
        if name == "." || name == ".." { return name.replacingOccurrences(of: ".", with: "%2E") }
        return name.addingPercentEncoding(withAllowedCharacters: safe) ?? name
    }

    /// The name a path segment stands for.
    static func decode(_ segment: String) -> String {
        segment == "%" ? "" : (segment.removingPercentEncoding ?? segment)
    }
}
