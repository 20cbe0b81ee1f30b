"""`__consumer_offsets` in cluster mode: three real `sluice serve` nodes on a real ZooKeeper.
Each group is coordinated by the leader of its partition of the internal topic, as in
Kafka, and the records of its commits are there, replicated, decoded with the decoder
written from Kafka's published format. Every wait is bounded; processes are stopped."""
import time
import uuid

import pytest

from cluster import SluiceCluster
from offsets_topic_decoder import decode_key, decode_offset_value, partition_for
from test_cluster import wait_for
from zookeeper import zookeeper  # noqa: F401 (fixture)

OFFSETS = "__consumer_offsets"
PARTITIONS = 6


@pytest.fixture
def cluster(zookeeper, workdir):
    cluster = SluiceCluster(zookeeper.hosts, workdir, size=3, offsetsTopicPartitions=PARTITIONS,
                            groupInitialRebalanceDelayMs=0)
    yield cluster.start()
    cluster.stop()


def test_each_group_is_coordinated_and_recorded_by_the_leader_of_its_partition(cluster):
    from confluent_kafka import Consumer, Producer, TopicPartition, OFFSET_BEGINNING
    from confluent_kafka.admin import AdminClient, NewTopic
    node = cluster.node(1)
    admin = AdminClient({"bootstrap.servers": cluster.bootstrap})
    admin.create_topics([NewTopic("jobs", 3, 3)], operation_timeout=10)["jobs"].result(timeout=30)
    # A Metadata request naming the internal topic creates it, as on Kafka.
    admin.list_topics(topic=OFFSETS, timeout=30)

    def replicated(topic, partitions):
        view = cluster.describe(node, topic)
        return view if len(view) == partitions and all(p["leader"] is not None and len(p["isr"]) == 3 for p in view.values()) else None
    wait_for("jobs is fully replicated", lambda: replicated("jobs", 3), logs=cluster.logs)
    offsets_view = wait_for("__consumer_offsets is fully replicated", lambda: replicated(OFFSETS, PARTITIONS), logs=cluster.logs)

    producer = Producer({"bootstrap.servers": cluster.bootstrap, "acks": "all"})
    for i in range(30):
        producer.produce("jobs", value=f"job-{i}".encode(), partition=i % 3)
    assert producer.flush(60) == 0

    groups = [f"crew-{i}-{uuid.uuid4().hex[:6]}" for i in range(4)]
    expected = {}
    for group in groups:
        consumer = Consumer({"bootstrap.servers": cluster.bootstrap, "group.id": group, "enable.auto.commit": False,
                             "auto.offset.reset": "earliest"})
        consumer.subscribe(["jobs"])
        seen = {}
        deadline = time.monotonic() + 60
        while sum(seen.values()) < 30 and time.monotonic() < deadline:
            message = consumer.poll(0.5)
            if message is not None and not message.error():
                seen[message.partition()] = message.offset() + 1
        assert sum(seen.values()) == 30, seen
        consumer.commit(offsets=[TopicPartition("jobs", p, n) for p, n in sorted(seen.items())], asynchronous=False)
        description = admin.describe_consumer_groups([group])[group].result(timeout=30)
        leader = cluster.describe(node, OFFSETS)[partition_for(group, PARTITIONS)]["leader"]
        assert description.coordinator.id == leader, f"{group}: coordinator {description.coordinator.id}, partition leader {leader}"
        consumer.close()
        expected.update({(group, "jobs", p): n for p, n in seen.items()})

    # Every commit is in the group's partition, read through any broker (fetches go to leaders).
    reader = Consumer({"bootstrap.servers": cluster.bootstrap, "group.id": f"reader-{uuid.uuid4()}", "enable.auto.commit": False})
    ends = {p: reader.get_watermark_offsets(TopicPartition(OFFSETS, p), timeout=30)[1] for p in range(PARTITIONS)}
    reader.assign([TopicPartition(OFFSETS, p, OFFSET_BEGINNING) for p in range(PARTITIONS) if ends[p] > 0])
    latest, counts = {}, {p: 0 for p in range(PARTITIONS)}
    deadline = time.monotonic() + 60
    while any(counts[p] < ends[p] for p in range(PARTITIONS)) and time.monotonic() < deadline:
        message = reader.poll(0.5)
        if message is None or message.error():
            continue
        counts[message.partition()] += 1
        kind = decode_key(message.key())
        if kind[0] == "offset" and kind[1] in groups:
            assert message.partition() == partition_for(kind[1], PARTITIONS)
            latest[kind[1:]] = decode_offset_value(message.value())["offset"]
    reader.close()
    assert counts == ends
    assert latest == expected
    # The followers hold the same records: every replica is in sync.
    assert all(len(p["isr"]) == 3 for p in cluster.describe(node, OFFSETS).values()), offsets_view
