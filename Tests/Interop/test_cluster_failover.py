"""Failover time (issue 28): three `sluice serve` brokers on a real ZooKeeper under an
acks=all idempotent confluent-kafka producer; a partition leader is SIGKILLed, every
other round the broker that is also the controller. Per kill it measures, at the client,
the time from the kill to the first acknowledgement of that partition on its new leader,
and, by polling a surviving broker's Metadata every 20 ms, when that broker stopped
listing the dead one (its ZooKeeper session expired and the event arrived) and when it
listed the new leader (the controller's write, seen through ZooKeeper). The killed broker
is then started again and the round waits until it leads its preferred partition again.

Figures are printed, never asserted, except that every kill is followed by an
acknowledgement and no delivery error reaches the application. `scripts/failover` runs
20 kills and prints p50 / p99 / max; scripts/test runs 2 (one of them the controller).

SLUICE_FAILOVER_KILLS (default 2) and SLUICE_FAILOVER_SESSION_MS (default 6000).
"""
import os
import threading
import time

from test_cluster import create_topic, make_cluster, wait_for  # noqa: F401 (fixture)
from zookeeper import zookeeper  # noqa: F401 (fixture)

TOPIC = "failover"
PARTITIONS = 3
RATE = 600  # records/s over the three partitions
# Acknowledgements of requests the dead leader answered just before it died may still be
# read after the kill; none from a new leader can come before the session expires.
IN_FLIGHT_S = 0.5


class Acks(threading.Thread):
    """Produces keyed records to every partition at RATE per second; keeps each
    acknowledgement's (time, partition) and every delivery error."""

    def __init__(self, bootstrap):
        super().__init__(daemon=True)
        from confluent_kafka import Producer
        self.producer = Producer({"bootstrap.servers": bootstrap, "acks": "all", "enable.idempotence": True,
                                  "linger.ms": 2, "message.timeout.ms": 120000, "socket.timeout.ms": 10000})
        self.acked, self.failed = [], []
        self.lock = threading.Lock()
        self.halt = threading.Event()

    def delivered(self, error, message):
        with self.lock:
            if error:
                self.failed.append(str(error))
            else:
                self.acked.append((time.monotonic(), message.partition()))

    def run(self):
        start, sent = time.monotonic(), 0
        while not self.halt.is_set():
            due = int((time.monotonic() - start) * RATE)
            while sent < due:
                try:
                    self.producer.produce(TOPIC, partition=sent % PARTITIONS, value=b"v%d" % sent, on_delivery=self.delivered)
                    sent += 1
                except BufferError:
                    break
            self.producer.poll(0.001)
        self.producer.flush(120)

    def first_after(self, partition, moment):
        with self.lock:
            return next((t for (t, p) in self.acked if p == partition and t > moment), None)


class MetadataWatch(threading.Thread):
    """Polls one broker's Metadata every 20 ms; notes when it no longer lists `victim` and
    when it names a live leader other than `victim` for `partition`."""

    def __init__(self, bootstrap, victim, partition):
        super().__init__(daemon=True)
        from confluent_kafka.admin import AdminClient
        self.admin = AdminClient({"bootstrap.servers": bootstrap})
        self.victim, self.partition = victim, partition
        self.gone = self.led = None
        self.halt = threading.Event()

    def run(self):
        while not self.halt.is_set() and (self.gone is None or self.led is None):
            try:
                metadata = self.admin.list_topics(TOPIC, timeout=1)
            except Exception:  # noqa: BLE001 (a slow answer: poll again)
                continue
            now = time.monotonic()
            if self.gone is None and self.victim not in metadata.brokers:
                self.gone = now
            leader = metadata.topics[TOPIC].partitions[self.partition].leader
            if self.led is None and leader not in (-1, self.victim):
                self.led = now
            time.sleep(0.02)


def leaders(cluster, via):
    view = cluster.describe(via, TOPIC, missing_ok=True) or {}
    return {p: s["leader"] for p, s in view.items()}


def settled(cluster, via):
    """Every partition led by its preferred replica with a full ISR."""
    view = cluster.describe(via, TOPIC, missing_ok=True)
    return view if view and all(s["leader"] == s["replicas"][0] and len(s["isr"]) == 3 for s in view.values()) else None


def percentile(values, fraction):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(fraction * (len(ordered) - 1))))]


def test_first_ack_after_leader_sigkill(make_cluster):
    kills = int(os.environ.get("SLUICE_FAILOVER_KILLS", "2"))
    session_s = int(os.environ.get("SLUICE_FAILOVER_SESSION_MS", "6000")) / 1000
    cluster = make_cluster(session_timeout_ms=int(session_s * 1000))
    create_topic(cluster.node(1), TOPIC, PARTITIONS, 3)
    wait_for("the topic is settled", lambda: settled(cluster, cluster.node(1)), logs=cluster.logs)
    producer = Acks(cluster.bootstrap)
    producer.start()
    rounds = []
    try:
        wait_for("the producer's first acknowledgements", lambda: len(producer.acked) > 100, timeout=60, logs=cluster.logs)
        for round_ in range(kills):
            survivor = cluster.live()[0]
            controller = cluster.controller(survivor)
            view = settled(cluster, survivor)
            led_by = {s["leader"]: p for p, s in view.items()}
            victim = controller if round_ % 2 == 0 else next(b for b in sorted(led_by) if b != controller)
            partition = led_by[victim]
            watched = next(n for n in cluster.live() if n.broker_id != victim)
            watch = MetadataWatch(watched.bootstrap, victim, partition)
            watch.start()
            time.sleep(0.2)
            cluster.node(victim).kill()
            killed = time.monotonic()
            first = wait_for(f"an acknowledgement of partition {partition} after broker {victim}'s kill",
                             lambda: producer.first_after(partition, killed + IN_FLIGHT_S), timeout=60, interval=0.01,
                             logs=cluster.logs)
            watch.halt.set()
            watch.join(5)
            row = {"round": round_ + 1, "victim": victim, "controller": victim == controller, "ack": first - killed,
                   "gone": watch.gone - killed if watch.gone else None, "led": watch.led - killed if watch.led else None}
            rounds.append(row)
            print(f"kill {row['round']:2d}: broker {victim}{' (controller)' if row['controller'] else '             '}"
                  f" first ack {row['ack']:.2f} s ({row['ack'] - session_s:+.2f} s past the session timeout);"
                  f" broker {watched.broker_id} saw it gone at {row['gone'] or float('nan'):.2f} s,"
                  f" the new leader at {row['led'] or float('nan'):.2f} s", flush=True)
            cluster.node(victim).restart()
            wait_for("the restarted broker leads its preferred partition again", lambda: settled(cluster, cluster.node(victim)),
                     timeout=90, logs=cluster.logs)
    finally:
        producer.halt.set()
        producer.join(150)
    assert not producer.failed, producer.failed[:5]
    acks = [r["ack"] for r in rounds]
    print(f"\nfailover over {len(acks)} SIGKILLs (session timeout {session_s:.1f} s): first ack after the kill"
          f" p50 {percentile(acks, 0.5):.2f} s, p99 {percentile(acks, 0.99):.2f} s, max {max(acks):.2f} s;"
          f" past the session timeout p50 {percentile(acks, 0.5) - session_s:+.2f} s,"
          f" p99 {percentile(acks, 0.99) - session_s:+.2f} s, max {max(acks) - session_s:+.2f} s")
    for name in ("gone", "led"):
        values = [r[name] for r in rounds if r[name] is not None]
        if values:
            print(f"  metadata of a survivor: {'dead broker gone' if name == 'gone' else 'new leader listed'}"
                  f" p50 {percentile(values, 0.5):.2f} s, max {max(values):.2f} s after the kill")
