"""Exactly-once consume-transform-produce (issue 25) with Apache Kafka's Java client 3.9:
Tests/Interop/java/CopyExactlyOnce.java copies 100,000 records from one topic to another
in transactions that commit the consumed offsets (sendOffsetsToTransaction), while the
broker is killed with SIGKILL and restarted twice mid-run. The output, read
read_committed, holds every input record exactly once, and the group's committed offsets
are the input's end offsets."""
import os
import subprocess
import time
from collections import Counter

from confluent_kafka import OFFSET_BEGINNING, Consumer, Producer, TopicPartition

from java_client import JAVA_DIR, kafka_java  # noqa: F401

RECORDS = 100_000
PARTITIONS = 3


def output_size(server, topic):
    c = Consumer({"bootstrap.servers": server.bootstrap, "group.id": "probe", "isolation.level": "read_uncommitted"})
    try:
        return sum(c.get_watermark_offsets(TopicPartition(topic, p), timeout=5, cached=False)[1] for p in range(PARTITIONS))
    except Exception:  # noqa: BLE001 - the broker may be restarting; the caller polls again
        return 0
    finally:
        c.close()


def test_java_copy_exactly_once_across_two_kill_9(make_server, kafka_java):  # noqa: F811
    server = make_server(defaultPartitions=PARTITIONS)
    producer = Producer({"bootstrap.servers": server.bootstrap, "linger.ms": 20, "enable.idempotence": True})
    for i in range(RECORDS):
        producer.produce("eos-in", key=b"k%d" % i, value=b"v%d" % i, partition=i % PARTITIONS)
        if i % 10_000 == 0:
            producer.poll(0)
    assert producer.flush(60) == 0

    copier = subprocess.Popen(
        ["java", "-cp", kafka_java.classpath, os.path.join(JAVA_DIR, "CopyExactlyOnce.java"),
         server.bootstrap, "eos-in", "eos-out", "eos-group", "eos-tx", str(RECORDS), "500"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, stdin=subprocess.DEVNULL)
    try:
        for threshold in (RECORDS // 4, RECORDS // 2):
            deadline = time.monotonic() + 240
            while output_size(server, "eos-out") < threshold and time.monotonic() < deadline:
                assert copier.poll() is None, f"copier exited early:\n{copier.stdout.read()[-3000:]}\n{copier.stderr.read()[-3000:]}"
                time.sleep(0.2)
            assert time.monotonic() < deadline, f"the copy did not reach {threshold} records\n{server.read_log()[-4000:]}"
            server.kill()
            time.sleep(1)
            server.start()
        stdout, stderr = copier.communicate(timeout=540)
    finally:
        if copier.poll() is None:
            copier.kill()
            copier.wait(timeout=10)
    assert copier.returncode == 0, f"copier failed:\n{stdout[-4000:]}\n--- stderr ---\n{stderr[-4000:]}\n{server.read_log()[-4000:]}"
    assert f"ok copied {RECORDS}" in stdout
    assert "restart" in stdout, "the kills did not interrupt the copier: the test proved nothing"

    reader = Consumer({"bootstrap.servers": server.bootstrap, "group.id": "eos-check", "isolation.level": "read_committed",
                       "enable.auto.commit": False})
    reader.assign([TopicPartition("eos-out", p, OFFSET_BEGINNING) for p in range(PARTITIONS)])
    seen = Counter()
    deadline = time.monotonic() + 120
    idle_since = time.monotonic()
    while time.monotonic() < deadline and time.monotonic() - idle_since < 5:
        message = reader.poll(0.5)
        if message is None:
            continue
        assert message.error() is None, message.error()
        seen[message.value()] += 1
        idle_since = time.monotonic()
    committed = Consumer({"bootstrap.servers": server.bootstrap, "group.id": "eos-group", "enable.auto.commit": False})
    offsets = committed.committed([TopicPartition("eos-in", p) for p in range(PARTITIONS)], timeout=10)
    ends = [committed.get_watermark_offsets(TopicPartition("eos-in", p), timeout=10, cached=False)[1] for p in range(PARTITIONS)]
    committed.close()
    reader.close()

    duplicates = [value for value, count in seen.items() if count > 1]
    missing = RECORDS - len(seen)
    assert not duplicates, f"{len(duplicates)} records copied more than once, e.g. {duplicates[:5]}"
    assert missing == 0, f"{missing} records missing from the output"
    assert set(seen) == {b"copy:v%d" % i for i in range(RECORDS)}
    assert [o.offset for o in offsets] == ends
