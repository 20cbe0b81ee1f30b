"""Transactions in cluster mode (issue 25): three real `sluice serve` nodes on a real
ZooKeeper, topics with replication factor 3 whose partitions are led by different
brokers, and confluent-kafka transactional producers and read_committed consumers.
The transaction coordinator writes markers to partition leaders on other brokers, those
leaders verify a transactional produce with the coordinator (KIP-890 part 1), and when the
coordinator's broker is killed with `kill -9` another node finishes or aborts its
transaction. Ports are free ones, data in temp dirs; every wait is bounded."""
import time
import uuid

import pytest
from confluent_kafka import OFFSET_BEGINNING, Consumer, Producer, TopicPartition

from cluster import SluiceCluster
from zookeeper import zookeeper  # noqa: F401 (fixture)


@pytest.fixture
def cluster(zookeeper, workdir):
    made = SluiceCluster(zookeeper.hosts, workdir, size=3)
    made.start()
    yield made
    made.stop()


def create_topic(node, name, partitions, replication_factor=3):
    from confluent_kafka.admin import AdminClient, NewTopic
    admin = AdminClient({"bootstrap.servers": node.bootstrap})
    admin.create_topics([NewTopic(name, partitions, replication_factor)], operation_timeout=10)[name].result(timeout=30)


def wait_for(what, condition, timeout=60.0, interval=0.2, logs=None):
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        assert time.monotonic() < deadline, f"timed out waiting until {what}\n{logs() if logs else ''}"
        time.sleep(interval)


def fully_replicated(cluster, topic):
    """The topic's view once every partition has a leader and all three replicas in sync,
    as every live node reports it."""
    views = [cluster.describe(n, topic, missing_ok=True) for n in cluster.live()]
    ok = all(v and all(p["leader"] is not None and len(p["isr"]) == len(cluster.live()) for p in v.values()) for v in views)
    return views[0] if ok else None


def transactional(bootstrap, transactional_id, **extra):
    producer = Producer({"bootstrap.servers": bootstrap, "transactional.id": transactional_id, "linger.ms": 5,
                         "acks": "all", "socket.timeout.ms": 10000, **extra})
    producer.init_transactions(60)
    return producer


def send(producer, topic, rows):
    """rows: (partition, value)."""
    for partition, value in rows:
        producer.produce(topic, value=value.encode(), partition=partition)
    assert producer.flush(60) == 0


def read_committed(bootstrap, topic, partitions, expected, timeout=60.0):
    """Every record of `partitions` read read_committed from the beginning, as
    {partition: [values]}, until `expected` records arrived; then nothing more may come."""
    consumer = Consumer({"bootstrap.servers": bootstrap, "group.id": f"rc-{uuid.uuid4()}", "enable.auto.commit": False,
                         "isolation.level": "read_committed"})
    consumer.assign([TopicPartition(topic, p, OFFSET_BEGINNING) for p in partitions])
    got = {p: [] for p in partitions}
    count = 0
    deadline = time.monotonic() + timeout
    try:
        while count < expected and time.monotonic() < deadline:
            message = consumer.poll(0.5)
            if message is None or message.error() is not None:
                continue
            got[message.partition()].append(message.value().decode())
            count += 1
        extra = consumer.poll(3.0)
        assert extra is None or extra.error() is not None, f"unexpected record {extra.partition()}@{extra.offset()}: {extra.value()!r}"
    finally:
        consumer.close()
    return got


def test_commit_and_abort_spanning_partitions_led_by_different_brokers(cluster):
    create_topic(cluster.node(1), "txn-spread", 3)
    view = wait_for("the topic is fully replicated", lambda: fully_replicated(cluster, "txn-spread"), logs=cluster.logs)
    assert {p["leader"] for p in view.values()} == {1, 2, 3}, view

    producer = transactional(cluster.bootstrap, "tx-spread")
    committed = {p: [f"c{p}-{i}" for i in range(5)] for p in range(3)}
    producer.begin_transaction()
    send(producer, "txn-spread", [(p, v) for p in range(3) for v in committed[p]])
    producer.commit_transaction(60)

    producer.begin_transaction()
    send(producer, "txn-spread", [(p, f"a{p}-{i}") for p in range(3) for i in range(4)])
    producer.abort_transaction(60)

    more = {p: [f"d{p}-{i}" for i in range(3)] for p in range(3)}
    producer.begin_transaction()
    send(producer, "txn-spread", [(p, v) for p in range(3) for v in more[p]])
    producer.commit_transaction(60)

    expected = {p: committed[p] + more[p] for p in range(3)}
    got = read_committed(cluster.bootstrap, "txn-spread", range(3), sum(map(len, expected.values())))
    assert got == expected, cluster.logs()
