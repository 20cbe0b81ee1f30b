"""Compacted topics (cleanup.policy containing compact) through real clients against a
real `sluice serve`.

Produce: a record without a key is refused with Kafka's INVALID_RECORD (Produce v8+ also
carries the record errors and Kafka's error message) and nothing of its batch is appended,
whichever client sends it; keyed records are taken.

`sluice storage check DIR` passes on a log a server wrote and stopped, and fails (exit
status 1, naming the file) once a batch is damaged.
"""
import glob
import os
import subprocess

import pytest
from confluent_kafka import Consumer, KafkaError, Producer, TopicPartition
from confluent_kafka.admin import AdminClient, NewTopic
from kafka import KafkaProducer
from kafka.errors import InvalidRecordError

from conftest import sluice_bin


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
