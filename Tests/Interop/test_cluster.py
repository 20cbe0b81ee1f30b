"""Cluster mode end to end: a real ZooKeeper, three real `sluice serve` processes and real
clients (confluent-kafka, kafka-python). Ports are free ones, data in temp dirs; every
wait is bounded and every process is stopped at the end.
"""
import threading
import time
import uuid

import pytest

from cluster import SluiceCluster
from zookeeper import zookeeper  # noqa: F401 (fixture)


@pytest.fixture
def make_cluster(zookeeper, workdir):
    clusters = []

    def make(size=3, start=True, **options):
        cluster = SluiceCluster(zookeeper.hosts, workdir, size=size, **options)
        clusters.append(cluster)
        return cluster.start() if start else cluster

    yield make
    for cluster in clusters:
        cluster.stop()


def create_topic(node, name, partitions, replication_factor, configs=None):
    from confluent_kafka.admin import AdminClient, NewTopic
    admin = AdminClient({"bootstrap.servers": node.bootstrap})
    futures = admin.create_topics([NewTopic(name, partitions, replication_factor, config=configs or {})],
                                  operation_timeout=10)
    futures[name].result(timeout=30)


def wait_for(what, condition, timeout=60.0, interval=0.2, logs=None):
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        assert time.monotonic() < deadline, f"timed out waiting until {what}\n{logs() if logs else ''}"
        time.sleep(interval)


def fully_replicated(cluster, topic, via, size=3):
    view = cluster.describe(via, topic, missing_ok=True)
    return view if view and all(p["leader"] is not None and len(p["isr"]) == size for p in view.values()) else None


def read_all(bootstrap, topic, expected, timeout=120.0):
    """Every record of `topic` as (partition, offset, key, value), reading until `expected`
    records arrived (or the bound passed)."""
    from confluent_kafka import Consumer
    consumer = Consumer({"bootstrap.servers": bootstrap, "group.id": f"reader-{uuid.uuid4()}",
                         "auto.offset.reset": "earliest", "enable.auto.commit": False})
    consumer.subscribe([topic])
    records = []
    deadline = time.monotonic() + timeout
    try:
        while len(records) < expected and time.monotonic() < deadline:
            for message in consumer.consume(num_messages=10000, timeout=1.0):
                if message.error():
                    continue
                records.append((message.partition(), message.offset(), message.key(), message.value()))
    finally:
        consumer.close()
    return records


def test_topic_created_through_one_node_is_listed_alike_by_all(make_cluster):
    cluster = make_cluster()
    created = time.monotonic()
    create_topic(cluster.node(1), "spread", 6, 3)
    views = wait_for("all three nodes list the topic alike",
                     lambda: (lambda v: v if all(x == v[0] and len(x) == 6 for x in v) else None)(
                         [cluster.describe(n, "spread") for n in cluster.nodes]),
                     timeout=20, interval=0.05, logs=cluster.logs)
    print(f"\ntopic listed alike by all three nodes {time.monotonic() - created:.2f} s after CreateTopics")
    view = views[0]
    assert {p["leader"] for p in view.values()} == {1, 2, 3}, view
    for partition in view.values():
        assert sorted(partition["replicas"]) == [1, 2, 3]
        assert partition["isr"] == [1, 2, 3]
        assert partition["leader"] == partition["replicas"][0], "each partition starts on its preferred leader"
    assert cluster.controller(cluster.node(2)) in (1, 2, 3)
    assert len({cluster.controller(n) for n in cluster.nodes}) == 1, "every node names the same controller"


def test_idempotent_acks_all_producer_survives_the_leader_being_killed(make_cluster):
    from confluent_kafka import Producer
    cluster = make_cluster()
    create_topic(cluster.node(1), "payments", 6, 3)
    view = wait_for("the topic is fully replicated", lambda: fully_replicated(cluster, "payments", cluster.node(1)),
                    logs=cluster.logs)
    victim = view[0]["leader"]
    producer = Producer({"bootstrap.servers": cluster.bootstrap, "acks": "all", "enable.idempotence": True,
                         "linger.ms": 5, "message.timeout.ms": 120000, "socket.timeout.ms": 10000})
    acked, failed = [], []
    lock = threading.Lock()

    def delivered(error, message):
        with lock:
            if error:
                failed.append(error)
            else:
                acked.append((message.partition(), message.offset(), message.key(), message.value(), time.monotonic()))

    total = 50_000
    killed_at = None
    for i in range(total):
        while True:
            try:
                producer.produce("payments", key=f"key-{i % 997}".encode(), value=f"value-{i}".encode(), on_delivery=delivered)
                break
            except BufferError:
                producer.poll(0.05)
        producer.poll(0)
        if i == total // 2:
            cluster.node(victim).kill()
            killed_at = time.monotonic()
    assert producer.flush(180) == 0, "the producer finished"
    assert not failed, failed[:5]
    assert len(acked) == total
    after = [t for (p, _, _, _, t) in acked if p == 0 and t > killed_at]
    assert after, "partition 0 got acknowledged records after the kill"
    print(f"\nfailover (SIGKILL of broker {victim} -> first acknowledged produce to partition 0 on its new leader): "
          f"{min(after) - killed_at:.2f} s")

    survivors = ",".join(n.bootstrap for n in cluster.nodes if n.broker_id != victim)
    records = read_all(survivors, "payments", total)
    by_position = {(p, o): v for (p, o, _, v) in records}
    assert len(records) == len(by_position) == total, f"read {len(records)} records, {len(by_position)} distinct positions"
    values = [v for (_, _, _, v) in records]
    assert len(set(values)) == total, "every acknowledged record exactly once"
    for (p, o, _, v, _) in acked:
        assert by_position.get((p, o)) == v, f"acknowledged {v!r} at {p}/{o} reads back as {by_position.get((p, o))!r}"
    for partition in range(6):
        sent = [int(v.split(b"-")[1]) for (p, o, _, v) in sorted(records) if p == partition]
        assert sent == sorted(sent), f"partition {partition} keeps the produce order"


def test_min_insync_replicas_refuses_acks_all_but_not_acks_1(make_cluster):
    from confluent_kafka import KafkaError, Producer
    cluster = make_cluster()
    create_topic(cluster.node(1), "strict", 1, 3, {"min.insync.replicas": "2"})
    view = wait_for("the topic is fully replicated", lambda: fully_replicated(cluster, "strict", cluster.node(1)),
                    logs=cluster.logs)
    leader = cluster.node(view[0]["leader"])
    for node in cluster.nodes:
        if node is not leader:
            node.kill()
    wait_for("the ISR shrank to the leader alone",
             lambda: cluster.describe(leader, "strict")[0]["isr"] == [leader.broker_id], timeout=60, logs=cluster.logs)

    def produce(acks, value):
        producer = Producer({"bootstrap.servers": leader.bootstrap, "acks": acks, "retries": 0,
                             "message.timeout.ms": 15000, "enable.idempotence": False})
        outcome = []
        producer.produce("strict", value=value, partition=0, on_delivery=lambda e, m: outcome.append(e))
        assert producer.flush(30) == 0
        return outcome[0]

    error = produce("all", b"refused")
    assert error is not None and error.code() == KafkaError.NOT_ENOUGH_REPLICAS, error
    assert produce("1", b"accepted") is None
    records = read_all(leader.bootstrap, "strict", 1, timeout=30)
    assert [v for (_, _, _, v) in records] == [b"accepted"], "nothing refused is ever read"


def test_killed_broker_truncates_catches_up_and_rejoins_the_isr(make_cluster):
    from confluent_kafka import Producer
    cluster = make_cluster(replicaLagTimeMs=5000)
    create_topic(cluster.node(1), "ledger", 3, 3)
    view = wait_for("the topic is fully replicated", lambda: fully_replicated(cluster, "ledger", cluster.node(1)),
                    logs=cluster.logs)
    victim = cluster.node(view[0]["leader"])
    # acks=1 at full speed: the leader holds records its followers have not fetched yet
    # when it dies, a tail the cluster never committed.
    producer = Producer({"bootstrap.servers": cluster.bootstrap, "acks": "1", "linger.ms": 2,
                         "message.timeout.ms": 60000})
    for i in range(60_000):
        while True:
            try:
                producer.produce("ledger", value=f"r{i}".encode(), partition=i % 3)
                break
            except BufferError:
                producer.poll(0.05)
        if i == 30_000:
            victim.kill()
    producer.flush(120)
    victim.restart()
    wait_for("the restarted broker is back in every ISR",
             lambda: fully_replicated(cluster, "ledger", cluster.node(victim.broker_id % 3 + 1)),
             timeout=120, logs=cluster.logs)
    code, out, err = cluster.sluice(cluster.node(1), "topics", "verify-replicas", "ledger", timeout=120)
    truncations = [line for line in victim.read_log().splitlines() if "truncated divergent tail" in line]
    print(f"\n{out}restarted broker {victim.broker_id} truncated a divergent tail {len(truncations)} time(s)")
    for line in truncations:
        print(line[-300:])
    assert code == 0, out + err
    assert "identical" in out


def test_group_offsets_survive_the_loss_of_the_coordinator(make_cluster):
    from confluent_kafka.admin import AdminClient
    from kafka import KafkaConsumer, KafkaProducer, TopicPartition
    cluster = make_cluster()
    create_topic(cluster.node(1), "work", 4, 3)
    wait_for("the topic is fully replicated", lambda: fully_replicated(cluster, "work", cluster.node(1)), logs=cluster.logs)
    producer = KafkaProducer(bootstrap_servers=cluster.bootstrap, acks="all")
    for i in range(2000):
        producer.send("work", value=f"job-{i}".encode(), partition=i % 4)
    producer.flush(60)
    producer.close()

    first = KafkaConsumer("work", bootstrap_servers=cluster.bootstrap, group_id="workers", enable_auto_commit=False,
                          auto_offset_reset="earliest", consumer_timeout_ms=20000)
    seen = []
    for message in first:
        seen.append(message.value)
        if len(seen) == 1000:
            break
    first.commit()
    committed = {tp: first.committed(tp) for tp in (TopicPartition("work", p) for p in range(4))}
    first.close()
    assert sum(committed.values()) == 1000

    admin = AdminClient({"bootstrap.servers": cluster.bootstrap})
    description = admin.describe_consumer_groups(["workers"])["workers"].result(timeout=30)
    coordinator = cluster.node(description.coordinator.id)
    coordinator.kill()
    survivors = ",".join(n.bootstrap for n in cluster.nodes if n is not coordinator)
    # Until its session expires the dead broker is still listed (and still named coordinator);
    # kafka-python's iterator raises the connection error instead of retrying, so start the
    # second member once the survivors have dropped it.
    survivor = next(n for n in cluster.nodes if n is not coordinator)
    wait_for("the survivors dropped the killed coordinator",
             lambda: coordinator.broker_id not in cluster.brokers(survivor), timeout=60, logs=cluster.logs)

    # The group's coordinator is the leader of its __consumer_offsets partition, which moves
    # to a survivor once the controller has acted. The new coordinator loads the group with
    # the members it had and, as Kafka's does, waits for them to rejoin or for their
    # sessions to expire before the first rebalance completes: allow for that.
    survivor_admin = AdminClient({"bootstrap.servers": survivors})
    wait_for("a survivor coordinates the group",
             lambda: survivor_admin.describe_consumer_groups(["workers"])["workers"].result(timeout=30).coordinator.id
             != coordinator.broker_id, timeout=60, logs=cluster.logs)
    second = KafkaConsumer("work", bootstrap_servers=survivors, group_id="workers", enable_auto_commit=False,
                           auto_offset_reset="earliest", consumer_timeout_ms=60000)
    rest, first_offsets = [], {}
    for message in second:
        first_offsets.setdefault(message.partition, message.offset)
        rest.append(message.value)
        if len(rest) == 1000:
            break
    second.close()
    for partition, offset in first_offsets.items():
        assert offset == (committed[TopicPartition("work", partition)] or 0), f"partition {partition} resumed at its committed offset"
    assert sorted(seen + rest) == sorted(f"job-{i}".encode() for i in range(2000)), \
        f"nothing lost, nothing twice ({len(rest)} read after the failover)\n{cluster.logs()}"


def test_zookeeper_restart_under_load_loses_nothing(make_cluster, zookeeper):
    from confluent_kafka import Producer
    cluster = make_cluster()
    create_topic(cluster.node(1), "steady", 3, 3)
    wait_for("the topic is fully replicated", lambda: fully_replicated(cluster, "steady", cluster.node(1)), logs=cluster.logs)
    producer = Producer({"bootstrap.servers": cluster.bootstrap, "acks": "all", "enable.idempotence": True,
                         "linger.ms": 5, "message.timeout.ms": 120000})
    acked = []
    stop = threading.Event()

    def produce():
        i = 0
        while not stop.is_set():
            try:
                producer.produce("steady", value=f"s{i}".encode(), on_delivery=lambda e, m: acked.append(m.value()) if not e else None)
                i += 1
            except BufferError:
                pass
            producer.poll(0.001)

    thread = threading.Thread(target=produce)
    thread.start()
    try:
        time.sleep(2)
        zookeeper.restart(down_seconds=2)
        time.sleep(3)
    finally:
        stop.set()
        thread.join(30)
    assert producer.flush(120) == 0
    assert len(acked) > 1000
    records = read_all(cluster.bootstrap, "steady", len(acked))
    assert sorted(v for (_, _, _, v) in records) == sorted(acked)


def test_delete_records_reaches_every_replica_and_describe_cluster_lists_all(make_cluster):
    """DeleteRecords through confluent-kafka's admin (routed to the leader); each follower
    takes the leader's log start from its fetch answers and records it in its own
    `log-start-offset`; DescribeCluster from any node lists the three brokers and the controller."""
    import os
    from confluent_kafka import Producer, TopicPartition
    from confluent_kafka.admin import AdminClient
    cluster = make_cluster()
    create_topic(cluster.node(1), "dr-cluster", 1, 3)
    wait_for("dr-cluster fully replicated", lambda: fully_replicated(cluster, "dr-cluster", cluster.node(1)),
             timeout=30, logs=cluster.logs)
    producer = Producer({"bootstrap.servers": cluster.bootstrap, "acks": "all"})
    for i in range(30):
        producer.produce("dr-cluster", value=f"v{i}".encode(), partition=0)
    assert producer.flush(30) == 0
    admin = AdminClient({"bootstrap.servers": cluster.bootstrap})
    futures = admin.delete_records([TopicPartition("dr-cluster", 0, 10)], request_timeout=15)
    assert list(futures.values())[0].result(timeout=30).low_watermark == 10

    def log_starts():
        starts = []
        for node in cluster.nodes:
            path = os.path.join(node.data_dir, "dr-cluster-0", "log-start-offset")
            starts.append(open(path).read().strip() if os.path.exists(path) else None)
        return starts if starts == ["10", "10", "10"] else None
    wait_for("every replica records log start 10", log_starts, timeout=30, logs=cluster.logs)

    controller = cluster.controller(cluster.node(1))
    for node in cluster.nodes:
        node_admin = AdminClient({"bootstrap.servers": node.bootstrap})  # kept alive until the answer
        described = node_admin.describe_cluster(request_timeout=15).result(timeout=20)
        assert sorted(n.id for n in described.nodes) == [1, 2, 3]
        assert described.controller.id == controller
        assert described.cluster_id
