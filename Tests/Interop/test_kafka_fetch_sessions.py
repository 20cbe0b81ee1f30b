"""Incremental fetch sessions (KIP-227) with real clients consuming many partitions of a
real `sluice serve`: every record arrives exactly once, and the broker's session metrics
(/metrics of the http plugin) show the session the client holds.

- Apache Kafka's Java client 3.9 (Tests/Interop/java/FetchSessions.java): 100
  partitions, two rounds of 10 records each, small responses so a round takes many
  incremental fetches; one session of 100 partitions while it runs.
- kafka-python (implements fetch sessions): 100 partitions, the same two rounds, one session.
- kafka-python, 1,000 quiet partitions: a few records, round after round, each arrive once.
- confluent-kafka (librdkafka): 100 partitions, the same two rounds; librdkafka sends
  sessionless fetches, so no session is kept for it.
"""
import subprocess
import time

from confluent_kafka import Consumer, Producer
from confluent_kafka import TopicPartition as ConfluentPartition
from kafka import KafkaConsumer, KafkaProducer, TopicPartition
from kafka.admin import KafkaAdminClient, NewTopic
from prometheus_client.parser import text_string_to_metric_families

from http_setup import get
from java_client import JAVA_DIR, kafka_java  # noqa: F401

PARTITIONS = 100
PER_ROUND = 10


def session_metrics(server):
    """(sessions, partitions cached, evictions) from the broker's /metrics."""
    status, body, _ = get(server, "/metrics")
    assert status == 200
    found = {}
    for family in text_string_to_metric_families(body.decode()):
        for sample in family.samples:
            found[sample.name] = sample.value
    return (found.get("sluice_kafka_fetch_sessions", 0), found.get("sluice_kafka_fetch_session_partitions", 0),
            found.get("sluice_kafka_fetch_session_evictions_total", 0))


def create_and_produce(server, topic, round_):
    if round_ == 0:
        admin = KafkaAdminClient(bootstrap_servers=server.bootstrap)
        try:
            admin.create_topics([NewTopic(topic, PARTITIONS, 1)])
        finally:
            admin.close()
    producer = KafkaProducer(bootstrap_servers=server.bootstrap, linger_ms=5)
    try:
        for partition in range(PARTITIONS):
            for i in range(PER_ROUND):
                producer.send(topic, value=f"{partition}:{round_ * PER_ROUND + i}".encode(), partition=partition)
        producer.flush(timeout=60)
    finally:
        producer.close()


class ExactlyOnce:
    """Checks that records arrive in offset order per partition with nothing repeated or lost."""

    def __init__(self):
        self.next = {}
        self.seen = 0

    def add(self, partition, offset, value):
        expected = self.next.get(partition, 0)
        assert offset == expected, f"partition {partition}: offset {offset} arrived where {expected} was next"
        assert value == f"{partition}:{offset}".encode(), (partition, offset, value)
        self.next[partition] = expected + 1
        self.seen += 1

    def complete(self, rounds):
        return all(self.next.get(p, 0) == rounds * PER_ROUND for p in range(PARTITIONS))


def test_java_consumer_reads_100_partitions_through_one_session(make_server, kafka_java):  # noqa: F811
    server = make_server(protocols=("kafka", "http"))
    process = subprocess.Popen(["java", "-cp", kafka_java.classpath, f"{JAVA_DIR}/FetchSessions.java", server.bootstrap,
                                "java-sessions", str(PARTITIONS)], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, text=True)
    try:
        line = process.stdout.readline()  # bounded: the program exits after at most 2 × 120 s of polling
        assert line.strip() == f"consumed {2 * PARTITIONS * PER_ROUND}", (
            f"{line!r}\n--- stderr ---\n{process.stderr.read()[-6000:]}\n--- server log ---\n{server.read_log()[-4000:]}")
        sessions, partitions, _ = session_metrics(server)
        assert (sessions, partitions) == (1, PARTITIONS), "the Java consumer holds no fetch session of its 100 partitions"
        out, err = process.communicate("close\n", timeout=60)
        assert process.returncode == 0, f"{out}\n--- stderr ---\n{err[-6000:]}"
        assert out.strip().endswith("ok")
    finally:
        if process.poll() is None:
            process.kill()
            process.wait(timeout=10)


def test_kafka_python_reads_every_record_once_through_a_session(make_server):
    server = make_server(protocols=("kafka", "http"))
    create_and_produce(server, "kp-sessions", 0)
    consumer = KafkaConsumer(bootstrap_servers=server.bootstrap, enable_auto_commit=False, auto_offset_reset="earliest",
                             fetch_max_wait_ms=200, fetch_max_bytes=4096)
    try:
        consumer.assign([TopicPartition("kp-sessions", p) for p in range(PARTITIONS)])
        check = ExactlyOnce()
        for rounds in (1, 2):
            if rounds == 2:
                create_and_produce(server, "kp-sessions", 1)
            deadline = time.monotonic() + 120
            while not check.complete(rounds) and time.monotonic() < deadline:
                for tp, records in consumer.poll(timeout_ms=500).items():
                    for record in records:
                        check.add(tp.partition, record.offset, record.value)
            assert check.complete(rounds), f"round {rounds}: read {check.seen} records"
        assert not any(consumer.poll(timeout_ms=1000).values()), "records after all were read"
        assert check.seen == 2 * PARTITIONS * PER_ROUND
        sessions, partitions, _ = session_metrics(server)
        assert (sessions, partitions) == (1, PARTITIONS), "kafka-python holds no fetch session of its 100 partitions"
    finally:
        consumer.close()


def test_confluent_kafka_reads_every_record_once(make_server):
    server = make_server(protocols=("kafka", "http"))
    create_and_produce(server, "ck-sessions", 0)
    consumer = Consumer({"bootstrap.servers": server.bootstrap, "group.id": "ck-sessions", "enable.auto.commit": False,
                         "fetch.wait.max.ms": 200, "fetch.max.bytes": 4096, "message.max.bytes": 4096,
                         "fetch.queue.backoff.ms": 10})
    try:
        consumer.assign([ConfluentPartition("ck-sessions", p, 0) for p in range(PARTITIONS)])
        check = ExactlyOnce()
        for rounds in (1, 2):
            if rounds == 2:
                create_and_produce(server, "ck-sessions", 1)
            deadline = time.monotonic() + 120
            while not check.complete(rounds) and time.monotonic() < deadline:
                for message in consumer.consume(num_messages=500, timeout=0.5):
                    assert message.error() is None, message.error()
                    check.add(message.partition(), message.offset(), message.value())
            assert check.complete(rounds), f"round {rounds}: read {check.seen} records"
        assert not consumer.consume(num_messages=10, timeout=1.0), "records after all were read"
        sessions, _, _ = session_metrics(server)
        assert sessions == 0, "librdkafka was expected to fetch without sessions"
    finally:
        consumer.close()


def test_kafka_python_session_of_1000_quiet_partitions_gets_each_new_record(make_server):
    """A session over 1,000 partitions that stay quiet: the broker skips the unchanged
    partitions of each incremental fetch without reading them; records produced to a few
    partitions, round after round, each arrive once, and nothing else does."""
    server = make_server(protocols=("kafka", "http"))
    topic, count, targets = "kp-quiet", 1000, (0, 411, 999)
    admin = KafkaAdminClient(bootstrap_servers=server.bootstrap)
    try:
        admin.create_topics([NewTopic(topic, count, 1)])
    finally:
        admin.close()
    consumer = KafkaConsumer(bootstrap_servers=server.bootstrap, enable_auto_commit=False, auto_offset_reset="earliest",
                             fetch_max_wait_ms=100)
    producer = KafkaProducer(bootstrap_servers=server.bootstrap)
    try:
        consumer.assign([TopicPartition(topic, p) for p in range(count)])
        for _ in range(5):  # quiet polls: the session settles on all 1,000 partitions
            assert not any(consumer.poll(timeout_ms=200).values())
        sessions, partitions, _ = session_metrics(server)
        assert (sessions, partitions) == (1, count), "kafka-python holds no fetch session of its 1,000 partitions"
        received = {p: [] for p in targets}
        for round_ in range(3):
            for p in targets:
                producer.send(topic, value=f"{p}:{round_}".encode(), partition=p)
            producer.flush(timeout=60)
            deadline = time.monotonic() + 60
            while any(len(v) < round_ + 1 for v in received.values()) and time.monotonic() < deadline:
                for tp, records in consumer.poll(timeout_ms=200).items():
                    assert tp.partition in received, f"records from partition {tp.partition}, where none were produced"
                    received[tp.partition].extend((r.offset, r.value) for r in records)
            assert received == {p: [(i, f"{p}:{i}".encode()) for i in range(round_ + 1)] for p in targets}, received
        assert not any(consumer.poll(timeout_ms=500).values()), "records after all were read"
        assert session_metrics(server)[:2] == (1, count)
    finally:
        producer.close()
        consumer.close()
