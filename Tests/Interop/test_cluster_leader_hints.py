"""KIP-951 (issue 28): a broker that does not lead a partition answers Produce (v10+) and
Fetch (v16+) with NOT_LEADER_OR_FOLLOWER plus the leader it knows (CurrentLeader: id and
epoch) and that leader's endpoint (NodeEndpoints), so a client can go there without
first asking for metadata. Requests are built and read with kafka-python's protocol
classes (generated from Kafka's message specs) over a plain socket to real brokers on a
real ZooKeeper; an older Produce version carries no hint."""
import socket
import struct

from test_cluster import make_cluster, wait_for  # noqa: F401 (fixture)
from zookeeper import zookeeper  # noqa: F401 (fixture)

NOT_LEADER_OR_FOLLOWER = 6


def roundtrip(node, request, response_class, version):
    """Sends `request` (built at `version`) to `node`; returns the decoded response."""
    request.with_header(correlation_id=1, client_id="kip951-test")
    payload = request.encode(version=version, header=True, framed=True)
    host, port = node.bootstrap.rsplit(":", 1)
    with socket.create_connection((host, int(port)), timeout=10) as s:
        s.sendall(payload)
        size = struct.unpack(">i", read_exactly(s, 4))[0]
        body = read_exactly(s, size)
    return response_class.decode(body, version=version, header=True)


def read_exactly(s, n):
    data = b""
    while len(data) < n:
        chunk = s.recv(n - len(data))
        assert chunk, "the broker closed the connection"
        data += chunk
    return data


def one_record():
    from kafka.record.memory_records import MemoryRecordsBuilder
    builder = MemoryRecordsBuilder(magic=2, compression_type=0, batch_size=1 << 16)
    builder.append(timestamp=None, key=None, value=b"hint", headers=[])
    builder.close()
    return builder.buffer()


def produce(node, version):
    from kafka.protocol.producer import ProduceRequest, ProduceResponse
    r = ProduceRequest[version]
    request = r(transactional_id=None, acks=1, timeout_ms=5000, topic_data=[
        r.TopicProduceData(name="hint", partition_data=[r.TopicProduceData.PartitionProduceData(index=0, records=one_record())])])
    return roundtrip(node, request, ProduceResponse, version)


def fetch(node, topic_id, version):
    from kafka.protocol.consumer import FetchRequest, FetchResponse
    r = FetchRequest[version]
    partition = r.FetchTopic.FetchPartition(partition=0, current_leader_epoch=-1, fetch_offset=0, last_fetched_epoch=-1,
                                            log_start_offset=-1, partition_max_bytes=1 << 20)
    request = r(replica_id=-1, max_wait_ms=0, min_bytes=1, max_bytes=1 << 20, isolation_level=0, session_id=0,
                session_epoch=-1, topics=[r.FetchTopic(topic_id=topic_id, partitions=[partition])],
                forgotten_topics_data=[], rack_id="")
    return roundtrip(node, request, FetchResponse, version)


def topic_id(node):
    from kafka.protocol.metadata import MetadataRequest, MetadataResponse
    r = MetadataRequest[12]
    response = roundtrip(node, r(topics=[r.MetadataRequestTopic(name="hint")], allow_auto_topic_creation=False,
                                 include_topic_authorized_operations=False), MetadataResponse, 12)
    return response.topics[0].topic_id


def test_a_follower_names_the_leader_in_produce_and_fetch(make_cluster):
    from confluent_kafka.admin import AdminClient, NewTopic
    cluster = make_cluster(size=2)
    one, two = cluster.node(1), cluster.node(2)
    admin = AdminClient({"bootstrap.servers": one.bootstrap})
    admin.create_topics([NewTopic("hint", 1, replica_assignment=[[2, 1]])], operation_timeout=10)["hint"].result(timeout=30)
    view = wait_for("broker 2 leads hint-0 with both in sync, as broker 1 sees it",
                    lambda: (lambda v: v if v and v[0]["leader"] == 2 and v[0]["isr"] == [1, 2] else None)(
                        cluster.describe(one, "hint", missing_ok=True)), logs=cluster.logs)
    epoch = None
    # The leader itself takes the record.
    assert produce(two, 11).responses[0].partition_responses[0].error_code == 0

    for version in (10, 11):
        answer = produce(one, version)
        partition = answer.responses[0].partition_responses[0]
        assert partition.error_code == NOT_LEADER_OR_FOLLOWER, answer
        assert partition.current_leader.leader_id == 2, answer
        epoch = partition.current_leader.leader_epoch
        assert epoch >= 0, answer
        host, port = two.bootstrap.rsplit(":", 1)
        assert [(e.node_id, e.host, e.port) for e in answer.node_endpoints] == [(2, host, int(port))], answer

    # Before v10 the fields do not exist: the refusal alone.
    old = produce(one, 9).responses[0].partition_responses[0]
    assert old.error_code == NOT_LEADER_OR_FOLLOWER

    tid = topic_id(two)
    for version in (16, 17):
        answer = fetch(one, tid, version)
        partition = answer.responses[0].partitions[0]
        assert partition.error_code == NOT_LEADER_OR_FOLLOWER, answer
        assert (partition.current_leader.leader_id, partition.current_leader.leader_epoch) == (2, epoch), answer
        assert [e.node_id for e in answer.node_endpoints] == [2], answer
    # The leader serves the fetch and names no one.
    served = fetch(two, tid, 17)
    assert served.responses[0].partitions[0].error_code == 0 and not served.node_endpoints, served
    assert view[0]["leader"] == 2
