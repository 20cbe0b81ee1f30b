"""Rolling restart (issue 28): three `sluice serve` brokers on a real ZooKeeper, each
stopped with SIGTERM and started again in turn, under an acks=all idempotent
confluent-kafka producer at a fixed rate and a consumer group. A SIGTERMed broker asks
the controller to move its leaderships to in-sync followers first (controlled shutdown),
so the producer's application sees no delivery error and nothing waits for a session to
expire. The longest gap between acknowledgements around each restart is printed, never
asserted (`scripts/rolling-restart` runs this at 10,000 records/s and prints the figures).

SLUICE_ROLLING_RATE (records/s, default 2000) sets the producer's rate.
"""
import os
import threading
import time
import uuid

from test_cluster import create_topic, fully_replicated, make_cluster, read_all, wait_for  # noqa: F401 (fixture)
from zookeeper import zookeeper  # noqa: F401 (fixture)

TOPIC = "rolling"
PARTITIONS = 6


class RateProducer(threading.Thread):
    """Produces numbered records at `rate` per second until stopped; keeps every
    acknowledgement (time, partition, offset, value) and every delivery error."""

    def __init__(self, bootstrap, rate):
        super().__init__(daemon=True)
        from confluent_kafka import Producer
        self.producer = Producer({"bootstrap.servers": bootstrap, "acks": "all", "enable.idempotence": True,
                                  "linger.ms": 5, "message.timeout.ms": 120000, "socket.timeout.ms": 10000})
        self.rate = rate
        self.acked, self.failed = [], []
        self.sent = 0
        self.lock = threading.Lock()
        self.halt = threading.Event()

    def delivered(self, error, message):
        with self.lock:
            if error:
                self.failed.append(str(error))
            else:
                self.acked.append((time.monotonic(), message.partition(), message.offset(), message.value()))

    def run(self):
        start = time.monotonic()
        while not self.halt.is_set():
            due = int((time.monotonic() - start) * self.rate)
            while self.sent < due:
                try:
                    self.producer.produce(TOPIC, key=f"k{self.sent % 101}".encode(), value=f"v-{self.sent}".encode(),
                                          on_delivery=self.delivered)
                    self.sent += 1
                except BufferError:
                    break
            self.producer.poll(0.002)
        self.remaining = self.producer.flush(120)


class GroupConsumer(threading.Thread):
    """A consumer-group member reading every value it is given."""

    def __init__(self, bootstrap):
        super().__init__(daemon=True)
        from confluent_kafka import Consumer
        self.consumer = Consumer({"bootstrap.servers": bootstrap, "group.id": f"rolling-{uuid.uuid4()}",
                                  "auto.offset.reset": "earliest", "enable.auto.commit": True,
                                  "auto.commit.interval.ms": 500})
        self.values = []
        self.errors = []
        self.halt = threading.Event()

    def run(self):
        self.consumer.subscribe([TOPIC])
        try:
            while not self.halt.is_set():
                for message in self.consumer.consume(num_messages=5000, timeout=0.5):
                    if message.error():
                        self.errors.append(str(message.error()))
                    else:
                        self.values.append(message.value())
        finally:
            self.consumer.close()


def longest_gap(times, start, end):
    """The longest pause between consecutive acknowledgements within [start, end], in s."""
    window = [t for t in times if start <= t <= end]
    if len(window) < 2:
        return end - start
    return max(b - a for a, b in zip(window, window[1:]))


def test_rolling_restart_with_sigterm_loses_nothing_and_reports_no_error(make_cluster):
    rate = int(os.environ.get("SLUICE_ROLLING_RATE", "2000"))
    cluster = make_cluster()
    create_topic(cluster.node(1), TOPIC, PARTITIONS, 3, {"min.insync.replicas": "2"})
    wait_for("the topic is fully replicated", lambda: fully_replicated(cluster, TOPIC, cluster.node(1)), logs=cluster.logs)

    producer = RateProducer(cluster.bootstrap, rate)
    consumer = GroupConsumer(cluster.bootstrap)
    producer.start()
    consumer.start()
    time.sleep(2)
    restarts = []
    for node in cluster.nodes:
        other = next(n for n in cluster.nodes if n is not node)
        wait_for("every replica is back in sync", lambda: fully_replicated(cluster, TOPIC, other), timeout=90,
                 logs=cluster.logs)
        stopped_at = time.monotonic()
        assert node.stop() == 0, node.read_log()
        stop_took = time.monotonic() - stopped_at
        log = node.read_log()
        assert "controlled shutdown done" in log, log[-3000:]
        node.restart()
        restarts.append((node.broker_id, stopped_at, stop_took))
        time.sleep(1)
    wait_for("every replica is back in sync", lambda: fully_replicated(cluster, TOPIC, cluster.node(1)), timeout=90,
             logs=cluster.logs)
    time.sleep(2)
    producer.halt.set()
    producer.join(150)
    assert producer.remaining == 0, "the producer flushed every record"
    assert not producer.failed, producer.failed[:5]
    acked_values = {v for (_, _, _, v) in producer.acked}
    assert len(producer.acked) == len(acked_values) == producer.sent

    wait_for("the group consumed every acknowledged record", lambda: acked_values <= set(consumer.values), timeout=120,
             logs=cluster.logs)
    consumer.halt.set()
    consumer.join(30)

    # The log itself: every acknowledged record exactly once, where it was acknowledged.
    records = read_all(cluster.bootstrap, TOPIC, len(acked_values))
    by_position = {(p, o): v for (p, o, _, v) in records}
    assert len(records) == len(by_position) == len(acked_values), "no record lost or duplicated in the log"
    assert {v for (_, _, _, v) in records} == acked_values
    for (_, p, o, v) in producer.acked:
        assert by_position.get((p, o)) == v

    times = sorted(t for (t, _, _, _) in producer.acked)
    print(f"\nrolling restart at {rate} records/s: {len(acked_values)} records, 0 delivery errors, "
          f"{len(consumer.values) - len(set(consumer.values))} redelivered to the group after rebalances")
    for broker_id, stopped_at, stop_took in restarts:
        gap = longest_gap(times, stopped_at - 0.5, stopped_at + stop_took + 8)
        print(f"  broker {broker_id}: SIGTERM to exit {stop_took:.2f} s, longest gap between acknowledgements {gap * 1000:.0f} ms")
