"""Compacted topics (cleanup.policy containing compact) through real clients against a
real `sluice serve`.

Produce: a record without a key is refused with Kafka's INVALID_RECORD (Produce v8+ also
carries the record errors and Kafka's error message) and nothing of its batch is appended,
whichever client sends it; keyed records are taken.
"""
import pytest
from confluent_kafka import Consumer, KafkaError, Producer, TopicPartition
from confluent_kafka.admin import AdminClient, NewTopic
from kafka import KafkaProducer
from kafka.errors import InvalidRecordError


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
