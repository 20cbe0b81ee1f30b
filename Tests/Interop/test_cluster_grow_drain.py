"""Growing and draining a cluster (issue 28): real `sluice serve` brokers on a real
ZooKeeper under an acks=all idempotent confluent-kafka producer.

GROW: a fourth broker joins a three-broker cluster holding 60 partitions of RF 3;
`sluice cluster rebalance --dry-run` prints a plan and changes nothing, then
`sluice cluster rebalance --wait` spreads replicas to within one per broker (and preferred
leaders alike), `sluice topics verify-replicas` finds every replica identical, and every
acknowledged record reads back once.
DRAIN: `sluice cluster drain 2 --wait` leaves broker 2 with no replica and no partition
under-replicated; broker 2 is stopped and producing and consuming go on.
"""
import json
import threading
import time

from test_cluster import create_topic, fully_replicated, make_cluster, read_all, wait_for  # noqa: F401 (fixture)
from zookeeper import zookeeper  # noqa: F401 (fixture)

TOPIC = "growing"
PARTITIONS = 60


class LoadProducer(threading.Thread):
    """An acks=all idempotent producer writing numbered records round the partitions at
    about `rate` records/s until stopped; keeps every acknowledgement and every error."""

    def __init__(self, bootstrap, rate=1000):
        super().__init__(daemon=True)
        from confluent_kafka import Producer
        self.producer = Producer({"bootstrap.servers": bootstrap, "acks": "all", "enable.idempotence": True,
                                  "linger.ms": 5, "message.timeout.ms": 120000})
        self.rate = rate
        self.acked, self.failed = [], []
        self.lock = threading.Lock()
        self.halt = threading.Event()
        self.remaining = None

    def delivered(self, error, message):
        with self.lock:
            if error:
                self.failed.append(str(error))
            else:
                self.acked.append((message.partition(), message.offset(), message.value()))

    def acknowledged(self):
        with self.lock:
            return len(self.acked)

    def run(self):
        start, sent = time.monotonic(), 0
        while not self.halt.is_set():
            due = int((time.monotonic() - start) * self.rate)
            while sent < due:
                try:
                    self.producer.produce(TOPIC, value=f"value-{sent}".encode(), partition=sent % PARTITIONS,
                                          on_delivery=self.delivered)
                    sent += 1
                except BufferError:
                    break
            self.producer.poll(0.005)
        self.remaining = self.producer.flush(120)

    def stop(self):
        self.halt.set()
        self.join(timeout=150)
        assert not self.is_alive(), "the producer thread stopped"
        assert self.remaining == 0, f"{self.remaining} records unacknowledged after flush"
        assert not self.failed, self.failed[:5]


def per_broker(view, brokers):
    replicas = {b: sum(b in p["replicas"] for p in view.values()) for b in brokers}
    preferred = {b: sum(p["replicas"][0] == b for p in view.values()) for b in brokers}
    return replicas, preferred


def settled(cluster, via, brokers):
    """The view when every partition sits only on `brokers`, with a leader and every replica in sync."""
    view = cluster.describe(via, TOPIC)
    ok = all(p["leader"] is not None and set(p["replicas"]) <= set(brokers) and sorted(p["replicas"]) == p["isr"]
             for p in view.values())
    return view if ok else None


def assert_read_back(cluster, acked):
    records = read_all(cluster.bootstrap, TOPIC, len(acked))
    by_position = {(p, o): v for (p, o, _, v) in records}
    assert len(records) == len(by_position), "no record read twice"
    for (p, o, v) in acked:
        assert by_position.get((p, o)) == v, f"acknowledged {v!r} at {p}/{o} reads back as {by_position.get((p, o))!r}"
    return len(records)


def test_a_fourth_broker_gets_its_share_then_broker_2_is_drained_and_stopped(make_cluster):
    cluster = make_cluster(size=4, start=False)
    for node in cluster.nodes[:3]:
        node.start()
    cluster.wait_for_brokers(3, via=cluster.node(1))
    create_topic(cluster.node(1), TOPIC, PARTITIONS, 3)
    wait_for("the topic is fully replicated", lambda: fully_replicated(cluster, TOPIC, cluster.node(1)),
             timeout=120, logs=cluster.logs)

    load = LoadProducer(cluster.bootstrap)
    load.start()
    try:
        wait_for("the producer is acknowledged", lambda: load.acknowledged() > 500, logs=cluster.logs)
        cluster.node(4).start()
        cluster.wait_for_brokers(4, via=cluster.node(1))

        # --dry-run prints the moves and sends none.
        before = cluster.describe(cluster.node(1), TOPIC)
        code, out, err = cluster.sluice(cluster.node(1), "cluster", "rebalance", "--dry-run")
        assert code == 0, f"{out}\n{err}"
        assert "dry run" in out and "broker 4: 0 -> " in out, out
        time.sleep(1)
        assert json.loads(cluster.sluice(cluster.node(1), "cluster", "reassignments", "--output", "json")[1]) == []
        after = cluster.describe(cluster.node(1), TOPIC)
        assert {k: v["replicas"] for k, v in after.items()} == {k: v["replicas"] for k, v in before.items()}

        # GROW: the rebalance moves about a quarter of the replicas onto broker 4.
        started = time.monotonic()
        code, out, err = cluster.sluice(cluster.node(1), "cluster", "rebalance", "--wait", timeout=300)
        assert code == 0, f"{out}\n{err}\n{cluster.logs()}"
        grown = wait_for("every partition sits on its new replicas, all in sync",
                         lambda: settled(cluster, cluster.node(2), [1, 2, 3, 4]), timeout=120, logs=cluster.logs)
        grow_seconds = time.monotonic() - started
        replicas, preferred = per_broker(grown, [1, 2, 3, 4])
        assert max(replicas.values()) - min(replicas.values()) <= 1, replicas
        assert max(preferred.values()) - min(preferred.values()) <= 1, preferred
        assert replicas[4] >= PARTITIONS * 3 // 4 - 1, replicas
        acked_at_grow = load.acknowledged()

        # DRAIN: broker 2 gives up every replica, then stops; the producer keeps going.
        started = time.monotonic()
        code, out, err = cluster.sluice(cluster.node(1), "cluster", "drain", "2", "--wait", timeout=300)
        assert code == 0, f"{out}\n{err}\n{cluster.logs()}"
        drained = wait_for("no partition on broker 2, none under-replicated",
                           lambda: settled(cluster, cluster.node(1), [1, 3, 4]), timeout=120, logs=cluster.logs)
        drain_seconds = time.monotonic() - started
        assert all(2 not in p["replicas"] and len(p["isr"]) == 3 for p in drained.values())
        cluster.node(2).stop()
        cluster.wait_for_brokers(3, via=cluster.node(1))
        count = load.acknowledged()
        wait_for("the producer is acknowledged after broker 2 stopped", lambda: load.acknowledged() > count + 1000,
                 logs=cluster.logs)
    finally:
        load.halt.set()
    load.stop()

    code, out, err = cluster.sluice(cluster.node(1), "topics", "verify-replicas", TOPIC, timeout=180)
    assert code == 0, f"{out}\n{err}"
    assert out.count("identical") == PARTITIONS, out
    read = assert_read_back(cluster, load.acked)
    print(f"\ngrow: rebalance onto broker 4 took {grow_seconds:.1f}s ({acked_at_grow} acknowledged by then); "
          f"drain of broker 2 took {drain_seconds:.1f}s; {len(load.acked)} acknowledged, {read} read back, none lost")
