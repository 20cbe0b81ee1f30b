"""kafka-python against the kafka protocol plugin: produce with every acks setting and
idempotence, consume from the beginning and from a timestamp, topic admin and configs."""
import time

import pytest
from kafka import KafkaAdminClient, KafkaConsumer, KafkaProducer, TopicPartition
from kafka.admin import ConfigResource, ConfigResourceType, NewTopic

BASE_TS = 1_700_000_000_000


def consume_all(server, topic, partitions, expected, **options):
    consumer = KafkaConsumer(bootstrap_servers=server.bootstrap, consumer_timeout_ms=5000, **options)
    consumer.assign([TopicPartition(topic, p) for p in range(partitions)])
    consumer.seek_to_beginning()
    got = []
    deadline = time.monotonic() + 30
    while len(got) < expected and time.monotonic() < deadline:
        for records in consumer.poll(timeout_ms=500).values():
            got.extend(records)
    consumer.close()
    return got


@pytest.mark.parametrize("acks", [0, 1, "all"])
def test_produce_with_each_acks_and_consume_from_beginning(make_server, acks):
    server = make_server()
    producer = KafkaProducer(bootstrap_servers=server.bootstrap, acks=acks,
                             enable_idempotence=acks == "all", compression_type="gzip" if acks == 1 else None)
    futures = [producer.send("kp", key=b"k%d" % i, value=b"value-%d" % i) for i in range(500)]
    producer.flush(timeout=30)
    if acks != 0:
        offsets = sorted(f.get(timeout=10).offset for f in futures)
        assert offsets == list(range(500))
    producer.close()
    got = consume_all(server, "kp", 1, 500)
    assert [r.value for r in got] == [b"value-%d" % i for i in range(500)]
    assert [r.offset for r in got] == list(range(500))


def test_consume_from_a_timestamp(make_server):
    server = make_server()
    producer = KafkaProducer(bootstrap_servers=server.bootstrap, acks="all")
    for i in range(10):
        producer.send("kp-time", value=b"at-%d" % i, timestamp_ms=BASE_TS + i * 1000)
    producer.flush(timeout=30)
    producer.close()
    consumer = KafkaConsumer(bootstrap_servers=server.bootstrap)
    tp = TopicPartition("kp-time", 0)
    found = consumer.offsets_for_times({tp: BASE_TS + 5500})[tp]
    assert found.offset == 6 and found.timestamp == BASE_TS + 6000
    consumer.assign([tp])
    consumer.seek(tp, found.offset)
    records = consumer.poll(timeout_ms=5000)[tp]
    assert records[0].value == b"at-6"
    assert consumer.offsets_for_times({tp: BASE_TS + 99_000})[tp] is None
    consumer.close()


def test_admin_create_describe_delete(make_server):
    server = make_server()
    admin = KafkaAdminClient(bootstrap_servers=server.bootstrap)
    admin.create_topics([NewTopic("kp-admin", 3, 1, topic_configs={"retention.ms": "3600000"})])
    assert "kp-admin" in admin.list_topics()
    described = admin.describe_configs([ConfigResource(ConfigResourceType.TOPIC, "kp-admin")], config_filter="all")
    configs = described["topic"]["kp-admin"]
    assert configs["retention.ms"]["value"] == "3600000"
    assert configs["retention.ms"]["config_source"] == "DYNAMIC_TOPIC_CONFIG"
    assert configs["max.message.bytes"]["value"] == "1048588"
    topics = admin.describe_topics(["kp-admin"])
    assert len(topics[0]["partitions"]) == 3
    admin.delete_topics(["kp-admin"])
    assert "kp-admin" not in admin.list_topics()
    admin.close()
