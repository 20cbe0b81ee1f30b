"""Transactions in cluster mode (issue 25): three real `sluice serve` nodes on a real
ZooKeeper, topics with replication factor 3 whose partitions are led by different
brokers, and confluent-kafka transactional producers and read_committed consumers.
The transaction coordinator writes markers to partition leaders on other brokers, those
leaders verify a transactional produce with the coordinator (KIP-890 part 1), and when the
coordinator's broker is killed with `kill -9` another node finishes or aborts its
transaction. Ports are free ones, data in temp dirs; every wait is bounded."""
import json
import time
import uuid

import pytest
from confluent_kafka import OFFSET_BEGINNING, Consumer, Producer, TopicPartition

from cluster import SluiceCluster
from zookeeper import zookeeper  # noqa: F401 (fixture)


OFFSETS_PARTITIONS = 6


@pytest.fixture
def cluster(zookeeper, workdir):
    made = SluiceCluster(zookeeper.hosts, workdir, size=3, offsetsTopicPartitions=OFFSETS_PARTITIONS)
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


def java_hash(text):
    """Java's String.hashCode (over UTF-16 code units, wrapping at 32 bits)."""
    h = 0
    data = text.encode("utf-16-be")
    for i in range(0, len(data), 2):
        h = (31 * h + int.from_bytes(data[i:i + 2], "big")) & 0xFFFFFFFF
    return h - (1 << 32) if h >= 1 << 31 else h


def coordinator_of(cluster, transactional_id, via):
    """The broker coordinating `transactional_id`: as for groups, the leader of its
    __consumer_offsets partition (abs(hashCode) % partitions), as `via` reports it."""
    h = java_hash(transactional_id)
    index = 0 if h == -(1 << 31) else abs(h) % OFFSETS_PARTITIONS
    view = cluster.describe(via, "__consumer_offsets", missing_ok=True)
    return view[index]["leader"] if view and index in view else None


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


def start_on_three_leaders(cluster, topic, transactional_id, **extra):
    """A fully replicated topic with partitions led by brokers 1, 2 and 3, a transactional
    producer, and the broker coordinating its transactional id."""
    create_topic(cluster.node(1), topic, 3)
    view = wait_for("the topic is fully replicated", lambda: fully_replicated(cluster, topic), logs=cluster.logs)
    assert {p["leader"] for p in view.values()} == {1, 2, 3}, view
    producer = transactional(cluster.bootstrap, transactional_id, **extra)
    coordinator = wait_for("the coordinator is known", lambda: coordinator_of(cluster, transactional_id, cluster.node(1)),
                           logs=cluster.logs)
    return producer, coordinator


def test_coordinator_killed_mid_transaction_the_new_coordinator_commits_it(cluster):
    producer, coordinator = start_on_three_leaders(cluster, "txn-takeover", "tx-takeover")
    first = {p: [f"one{p}-{i}" for i in range(4)] for p in range(3)}
    producer.begin_transaction()
    send(producer, "txn-takeover", [(p, v) for p in range(3) for v in first[p]])
    producer.commit_transaction(60)

    second = {p: [f"two{p}-{i}" for i in range(4)] for p in range(3)}
    producer.begin_transaction()
    send(producer, "txn-takeover", [(p, v) for p in range(3) for v in second[p]])
    cluster.node(coordinator).kill()
    survivor = next(n for n in cluster.live())
    new = wait_for("another broker coordinates the id",
                   lambda: (lambda c: c if c not in (None, coordinator) else None)(coordinator_of(cluster, "tx-takeover", survivor)),
                   logs=cluster.logs)
    assert new != coordinator
    # The producer finds the new coordinator, which loaded the transaction from ZooKeeper
    # and writes the commit markers to the partitions' leaders (one of them new too).
    producer.commit_transaction(90)

    expected = {p: first[p] + second[p] for p in range(3)}
    got = read_committed(",".join(n.bootstrap for n in cluster.live()), "txn-takeover", range(3),
                         sum(map(len, expected.values())), timeout=90)
    assert got == expected, cluster.logs()


def test_coordinator_killed_mid_transaction_another_node_aborts_it(cluster):
    producer, coordinator = start_on_three_leaders(cluster, "txn-orphan", "tx-orphan", **{"transaction.timeout.ms": 10000})
    first = {p: [f"one{p}-{i}" for i in range(4)] for p in range(3)}
    producer.begin_transaction()
    send(producer, "txn-orphan", [(p, v) for p in range(3) for v in first[p]])
    producer.commit_transaction(60)

    producer.begin_transaction()
    send(producer, "txn-orphan", [(p, f"half{p}-{i}") for p in range(3) for i in range(4)])
    cluster.node(coordinator).kill()
    # The producer is abandoned mid-transaction. The broker that takes the id over finds
    # it Ongoing in ZooKeeper and aborts it at its timeout, writing abort markers, so the
    # last stable offsets move past it and a later transaction becomes visible.
    bootstrap = ",".join(n.bootstrap for n in cluster.live())
    later = transactional(bootstrap, "tx-later")
    third = {p: [f"three{p}-{i}" for i in range(2)] for p in range(3)}
    later.begin_transaction()
    send(later, "txn-orphan", [(p, v) for p in range(3) for v in third[p]])
    later.commit_transaction(90)

    expected = {p: first[p] + third[p] for p in range(3)}
    got = read_committed(bootstrap, "txn-orphan", range(3), sum(map(len, expected.values())), timeout=120)
    assert got == expected, cluster.logs()
    # The new coordinator aborted it at its timeout, bumping the epoch (fencing the producer).
    code, out, err = cluster.sluice(cluster.live()[0], "transactions", "describe", "tx-orphan", "--output", "json")
    assert code == 0, err
    described = json.loads(out)
    assert len(described) == 1 and described[0]["state"] == "CompleteAbort", described
    assert "open longer than its timeout" in "".join(n.read_log() for n in cluster.live()), cluster.logs()
