"""Partition reassignment end to end: a fourth real `sluice serve` joins a three-broker
cluster on a real ZooKeeper, `sluice cluster reassign` moves a partition onto it (off its
leader) while an acks=all idempotent producer (confluent-kafka) writes, and nothing is
lost: every acknowledged record reads back once, the old leader deletes its copy.
"""
import glob
import json
import os
import threading
import time

from test_cluster import create_topic, fully_replicated, make_cluster, read_all, wait_for  # noqa: F401 (fixture)
from zookeeper import zookeeper  # noqa: F401 (fixture)


def test_a_partition_moves_onto_a_new_broker_under_produce_and_loses_nothing(make_cluster):
    from confluent_kafka import Producer
    cluster = make_cluster(size=4, start=False)
    for node in cluster.nodes[:3]:
        node.start()
    cluster.wait_for_brokers(3, via=cluster.node(1))
    create_topic(cluster.node(1), "moving", 3, 3)
    view = wait_for("the topic is fully replicated", lambda: fully_replicated(cluster, "moving", cluster.node(1)),
                    logs=cluster.logs)
    leader = view[0]["leader"]
    target = [4] + [b for b in view[0]["replicas"] if b != leader]

    producer = Producer({"bootstrap.servers": cluster.bootstrap, "acks": "all", "enable.idempotence": True,
                         "linger.ms": 5, "message.timeout.ms": 120000})
    acked, failed = [], []
    lock = threading.Lock()
    stop = threading.Event()

    def delivered(error, message):
        with lock:
            (failed if error else acked).append(error or (message.partition(), message.offset(), message.value()))

    def produce():
        i = 0
        while not stop.is_set():
            try:
                producer.produce("moving", value=f"value-{i}".encode(), partition=i % 3, on_delivery=delivered)
                i += 1
            except BufferError:
                producer.poll(0.05)
            producer.poll(0)
            if i % 200 == 0:
                time.sleep(0.01)

    writer = threading.Thread(target=produce)
    writer.start()
    try:
        cluster.node(4).start()
        cluster.wait_for_brokers(4, via=cluster.node(1))
        time.sleep(1)
        code, out, err = cluster.sluice(cluster.node(2), "cluster", "reassign", "moving", "0",
                                        "--replicas", ",".join(map(str, target)), "--wait", timeout=180)
        assert code == 0, f"{out}\n{err}\n{cluster.logs()}"
        moved = wait_for("partition 0 sits on its target replicas, all in sync", lambda: (
            lambda v: v if v[0]["replicas"] == target and v[0]["isr"] == sorted(target) and v[0]["leader"] in target else None)(
            cluster.describe(cluster.node(2), "moving")), logs=cluster.logs)
        assert moved[0]["leader"] != leader, "leadership moved off the broker that left"
        time.sleep(1)   # a little more produce onto the new replica set
    finally:
        stop.set()
        writer.join(timeout=30)
    assert producer.flush(120) == 0
    assert not failed, failed[:5]
    assert acked, "the producer got acknowledgements"

    code, out, err = cluster.sluice(cluster.node(3), "cluster", "reassignments", "--output", "json")
    assert code == 0, err
    assert json.loads(out) == [], out
    wait_for(f"broker {leader} deleted its copy of moving-0",
             lambda: not glob.glob(os.path.join(cluster.node(leader).workdir, "**", "moving-0"), recursive=True),
             timeout=30, logs=cluster.logs)
    assert glob.glob(os.path.join(cluster.node(4).workdir, "**", "moving-0"), recursive=True), "broker 4 holds the partition"

    records = read_all(cluster.bootstrap, "moving", len(acked))
    by_position = {(p, o): v for (p, o, _, v) in records}
    assert len(records) == len(by_position) == len(acked), f"read {len(records)} of {len(acked)} acknowledged records"
    for (p, o, v) in acked:
        assert by_position.get((p, o)) == v, f"acknowledged {v!r} at {p}/{o} reads back as {by_position.get((p, o))!r}"
    print(f"\nmoved moving-0 from {view[0]['replicas']} to {target} under produce: {len(acked)} records acknowledged, none lost")
