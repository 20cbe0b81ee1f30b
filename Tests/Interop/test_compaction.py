"""Compacted topics (cleanup.policy containing compact) through real clients against a
real `sluice serve`.

Produce: a record without a key is refused with Kafka's INVALID_RECORD (Produce v8+ also
carries the record errors and Kafka's error message) and nothing of its batch is appended,
whichever client sends it; keyed records are taken.

The log cleaner (broker logCleanerIntervalMs short): a compacted topic shrinks to about
one record per key, every key's latest value is read back by kcat and confluent-kafka,
tombstones go after delete.retention.ms and their keys with them, a consumer positioned
inside a removed range moves on, and /metrics shows the sluice_log_cleaner_* series.
Both storage plugins (memory and segment-log) are run.

`sluice storage check DIR` passes on a log a server wrote and stopped, and fails (exit
status 1, naming the file) once a batch is damaged.
"""
import glob
import os
import subprocess
import time

import pytest
from confluent_kafka import Consumer, KafkaError, Producer, TopicPartition
from confluent_kafka.admin import AdminClient, NewTopic
from kafka import KafkaProducer
from kafka.errors import InvalidRecordError

from conftest import sluice_bin
from http_setup import get
from prometheus_client.parser import text_string_to_metric_families


def create_topic(bootstrap, name, configs, partitions=1):
    admin = AdminClient({"bootstrap.servers": bootstrap})
    futures = admin.create_topics([NewTopic(name, num_partitions=partitions, replication_factor=1, config=configs)])
    futures[name].result(timeout=30)


def watermarks(bootstrap, topic, partition=0):
    consumer = Consumer({"bootstrap.servers": bootstrap, "group.id": "watermarks", "enable.auto.commit": False})
    try:
        return consumer.get_watermark_offsets(TopicPartition(topic, partition), timeout=15)
    finally:
        consumer.close()


@pytest.mark.parametrize("policy", ["compact", "compact,delete"])
def test_record_without_key_refused_confluent(make_server, policy):
    server = make_server()
    create_topic(server.bootstrap, "state", {"cleanup.policy": policy})
    producer = Producer({"bootstrap.servers": server.bootstrap, "linger.ms": 50, "retries": 0})
    reports = []
    # One batch: two keyed records around one without a key; the whole batch is refused.
    producer.produce("state", key=b"a", value=b"1", partition=0, on_delivery=lambda err, msg: reports.append(err))
    producer.produce("state", value=b"no key", partition=0, on_delivery=lambda err, msg: reports.append(err))
    producer.produce("state", key=b"b", value=b"2", partition=0, on_delivery=lambda err, msg: reports.append(err))
    assert producer.flush(30) == 0
    assert len(reports) == 3
    assert all(err is not None and err.code() == KafkaError.INVALID_RECORD for err in reports), reports
    assert watermarks(server.bootstrap, "state") == (0, 0), "nothing of the refused batch was appended"

    producer.produce("state", key=b"a", value=b"1", partition=0, on_delivery=lambda err, msg: reports.append(err))
    assert producer.flush(30) == 0
    assert reports[-1] is None
    assert watermarks(server.bootstrap, "state") == (0, 1)


def test_record_without_key_refused_kafka_python(make_server):
    server = make_server()
    create_topic(server.bootstrap, "profiles", {"cleanup.policy": "compact"})
    producer = KafkaProducer(bootstrap_servers=server.bootstrap, retries=0)
    try:
        with pytest.raises(InvalidRecordError):
            producer.send("profiles", value=b"anonymous", partition=0).get(timeout=30)
        metadata = producer.send("profiles", key=b"user-1", value=b"ann", partition=0).get(timeout=30)
        assert metadata.offset == 0, "the refused record took no offset"
    finally:
        producer.close(timeout=10)


def storage_check(directory):
    return subprocess.run([sluice_bin(), "storage", "check", directory], capture_output=True, text=True, timeout=120,
                          stdin=subprocess.DEVNULL)


def test_storage_check(make_server):
    server = make_server()
    create_topic(server.bootstrap, "checked", {"cleanup.policy": "compact", "segment.bytes": "2048"})
    producer = Producer({"bootstrap.servers": server.bootstrap, "linger.ms": 5})
    for i in range(500):
        producer.produce("checked", key=b"k%d" % (i % 50), value=b"v%d" % i, partition=0)
        if i % 25 == 24:
            assert producer.flush(30) == 0  # small batches, several segments
    assert server.stop() == 0
    result = storage_check(server.data_dir)
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.startswith("ok: 1 partitions"), result.stdout

    logs = sorted(glob.glob(os.path.join(server.data_dir, "checked-0", "*.log")))
    assert len(logs) > 2, logs
    with open(logs[1], "r+b") as f:
        f.seek(70)
        byte = f.read(1)
        f.seek(70)
        f.write(bytes([byte[0] ^ 0xFF]))
    result = storage_check(server.data_dir)
    assert result.returncode == 1, result.stdout + result.stderr
    assert logs[1] in result.stdout and "CRC-32C mismatch" in result.stdout, result.stdout

    result = storage_check(os.path.join(server.workdir, "no-such-dir"))
    assert result.returncode not in (0, 1) and "no-such-dir" in result.stderr, result.stdout + result.stderr


KEYS = 200
ROUNDS = 100


def cleaner_metrics(server):
    status, body, _ = get(server, "/metrics")
    assert status == 200
    return {s.name + str(sorted(s.labels.items())): s.value
            for family in text_string_to_metric_families(body.decode()) for s in family.samples
            if s.name.startswith("sluice_log_cleaner_")}


def metric(metrics, name):
    return sum(v for k, v in metrics.items() if k.startswith(name + "["))


def read_all(bootstrap, topic, offset=0, timeout=30):
    """(offset, key, value) of every record from `offset` to the high watermark, by confluent-kafka."""
    consumer = Consumer({"bootstrap.servers": bootstrap, "group.id": "reader", "enable.auto.commit": False})
    try:
        _, high = consumer.get_watermark_offsets(TopicPartition(topic, 0), timeout=15)
        consumer.assign([TopicPartition(topic, 0, offset)])
        records = []
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            msg = consumer.poll(0.5)
            if msg is None:
                if records and records[-1][0] >= high - 1:
                    break
                continue
            assert msg.error() is None, msg.error()
            records.append((msg.offset(), msg.key(), msg.value()))
            if msg.offset() >= high - 1:
                break
        return records
    finally:
        consumer.close()


def kcat_latest(bootstrap, topic):
    out = subprocess.run(["kcat", "-C", "-b", bootstrap, "-t", topic, "-p", "0", "-o", "beginning", "-e", "-q",
                          "-Z", "-f", "%k\t%S\t%s\n"], capture_output=True, timeout=60, check=True, stdin=subprocess.DEVNULL)
    latest = {}
    for line in out.stdout.decode().splitlines():
        key, size, value = line.split("\t", 2)
        latest[key] = None if size == "-1" else value
    return latest


@pytest.mark.parametrize("storage", ["memory", "segment-log"])
def test_cleaner_compacts_tombstones_and_gaps(make_server, storage):
    def configure(config):
        config["storage"] = {"plugin": storage, "config": {}}
    server = make_server(protocols=("kafka", "http"), configure=configure, logCleanerIntervalMs=200)
    create_topic(server.bootstrap, "state", {"cleanup.policy": "compact", "segment.bytes": "8192",
                                             "delete.retention.ms": "500", "min.cleanable.dirty.ratio": "0.1"})
    producer = Producer({"bootstrap.servers": server.bootstrap, "linger.ms": 5, "batch.size": 4096})
    for round in range(ROUNDS):
        for key in range(KEYS):
            producer.produce("state", key=b"k%d" % key, value=b"r%d-%d" % (round, key), partition=0)
        producer.poll(0)
    assert producer.flush(60) == 0
    total = ROUNDS * KEYS
    expected = {"k%d" % key: "r%d-%d" % (ROUNDS - 1, key) for key in range(KEYS)}

    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and metric(cleaner_metrics(server), "sluice_log_cleaner_records_removed_total") < total / 2:
        time.sleep(0.2)
    metrics = cleaner_metrics(server)
    assert metric(metrics, "sluice_log_cleaner_records_removed_total") >= total / 2, metrics
    assert metric(metrics, "sluice_log_cleaner_bytes_cleaned_total") > 0, metrics
    assert metric(metrics, "sluice_log_cleaner_last_run_timestamp_seconds") > time.time() - 60, metrics
    assert any(k.startswith("sluice_log_cleaner_dirty_ratio") and "state" in k for k in metrics), metrics
    assert any(k.startswith("sluice_log_cleaner_run_duration_seconds") for k in metrics), metrics

    # The cleaner may take more than one pass; wait until two reads agree.
    records, previous = read_all(server.bootstrap, "state"), None
    deadline = time.monotonic() + 30
    while records != previous and time.monotonic() < deadline:
        time.sleep(0.6)
        previous, records = records, read_all(server.bootstrap, "state")
    assert records == previous, "the log kept changing"
    offsets = [r[0] for r in records]
    assert offsets == sorted(offsets) and offsets[-1] == total - 1, "increasing offsets with gaps, up to the end"
    assert len(records) < total / 2, f"{len(records)} of {total} records left after cleaning"
    latest = {}
    for _, key, value in records:
        latest[key.decode()] = value.decode()
    assert latest == expected, "confluent-kafka reads every key's latest value"
    assert kcat_latest(server.bootstrap, "state") == expected, "kcat reads every key's latest value"

    # A consumer positioned inside a removed range moves on to the next kept record.
    removed = next(o for o in range(1, total) if o not in set(offsets))
    following = read_all(server.bootstrap, "state", offset=removed)
    assert following and following[0][0] == min(o for o in offsets if o > removed)

    # Tombstones for ten keys, then more data so they leave the active segment; after
    # delete.retention.ms and the cleaner's second pass the keys are gone.
    for key in range(10):
        producer.produce("state", key=b"k%d" % key, value=None, partition=0)
    assert producer.flush(30) == 0
    for round in range(20):
        for key in range(10, KEYS):
            producer.produce("state", key=b"k%d" % key, value=b"s%d-%d" % (round, key), partition=0)
    assert producer.flush(60) == 0
    for key in range(10, KEYS):
        expected["k%d" % key] = "s19-%d" % key
    for key in range(10):
        del expected["k%d" % key]
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        latest = {}
        for _, key, value in read_all(server.bootstrap, "state"):
            latest[key.decode()] = None if value is None else value.decode()
        if latest == expected:
            break
        time.sleep(0.5)
    assert latest == expected, {k: v for k, v in latest.items() if expected.get(k) != v}
    assert kcat_latest(server.bootstrap, "state") == expected
