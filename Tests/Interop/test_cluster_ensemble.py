"""A cluster on a three-server ZooKeeper ensemble: with one ZooKeeper server killed the
quorum remains, and the cluster carries on (produce with acks=all, topic creation,
failover of a broker), losing nothing acknowledged."""
import time

from cluster import SluiceCluster
from test_cluster import create_topic, fully_replicated, read_all, wait_for
from zookeeper import zookeeper_quorum  # noqa: F401 (fixture)


def test_cluster_carries_on_with_one_zookeeper_server_down(zookeeper_quorum, workdir):
    from confluent_kafka import Producer
    cluster = SluiceCluster(zookeeper_quorum.hosts, workdir, size=3)
    try:
        cluster.start()
        create_topic(cluster.node(1), "quorum", 3, 3)
        wait_for("the topic is fully replicated", lambda: fully_replicated(cluster, "quorum", cluster.node(1)),
                 logs=cluster.logs)
        producer = Producer({"bootstrap.servers": cluster.bootstrap, "acks": "all", "enable.idempotence": True,
                             "linger.ms": 5, "message.timeout.ms": 120000})
        acked = []

        def produce(count, tag):
            for i in range(count):
                producer.produce("quorum", value=f"{tag}-{i}".encode(),
                                 on_delivery=lambda e, m: acked.append(m.value()) if e is None else None)
                producer.poll(0)
            assert producer.flush(120) == 0

        produce(5000, "before")
        zookeeper_quorum.servers[0].kill()
        produce(5000, "one-zookeeper-down")
        create_topic(cluster.node(2), "created-without-one-zookeeper", 2, 3)
        wait_for("the new topic is fully replicated",
                 lambda: fully_replicated(cluster, "created-without-one-zookeeper", cluster.node(3)), logs=cluster.logs)
        # A broker dies too: its session expires on the surviving quorum and leadership moves.
        victim = cluster.describe(cluster.node(1), "quorum")[0]["leader"]
        cluster.node(victim).kill()
        survivor = next(n for n in cluster.nodes if n.broker_id != victim)
        wait_for("partition 0 has a new leader", lambda: cluster.describe(survivor, "quorum")[0]["leader"] not in (None, victim),
                 timeout=60, logs=cluster.logs)
        produce(5000, "after-failover")
        assert len(acked) == 15000
        survivors = ",".join(n.bootstrap for n in cluster.nodes if n.broker_id != victim)
        records = read_all(survivors, "quorum", len(acked))
        assert sorted(v for (_, _, _, v) in records) == sorted(acked)
    finally:
        cluster.stop()
