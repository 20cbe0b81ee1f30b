"""confluent-kafka (a current librdkafka) against the kafka protocol plugin: produce with
every acks setting and idempotence, consume from the beginning and from a timestamp,
topic admin and configs."""
import time

import pytest
from confluent_kafka import OFFSET_BEGINNING, Consumer, Producer, TopicPartition
from confluent_kafka.admin import AdminClient, ConfigResource, ConfigSource, NewPartitions, NewTopic

BASE_TS = 1_700_000_000_000


def consumer(server, **extra):
    # assign() needs no group coordinator; group.id is still required by the library.
    return Consumer({"bootstrap.servers": server.bootstrap, "group.id": "interop", "enable.auto.commit": False, **extra})


def consume(c, expected, timeout=30):
    got = []
    deadline = time.monotonic() + timeout
    while len(got) < expected and time.monotonic() < deadline:
        message = c.poll(0.5)
        if message is None:
            continue
        assert message.error() is None, message.error()
        got.append(message)
    return got


@pytest.mark.parametrize("acks", ["0", "1", "all"])
def test_produce_with_each_acks_and_consume_from_beginning(make_server, acks):
    server = make_server()
    producer = Producer({"bootstrap.servers": server.bootstrap, "acks": acks,
                         "enable.idempotence": acks == "all", "compression.type": "lz4", "linger.ms": 5})
    reports = []
    for i in range(1000):
        producer.produce("ck", key=b"k%d" % i, value=b"value-%d" % i, on_delivery=lambda e, m: reports.append((e, m)))
    assert producer.flush(30) == 0
    assert all(error is None for error, _ in reports)
    if acks != "0":
        assert sorted(m.offset() for _, m in reports) == list(range(1000))
    c = consumer(server)
    c.assign([TopicPartition("ck", 0, OFFSET_BEGINNING)])
    got = consume(c, 1000)
    c.close()
    assert [m.value() for m in got] == [b"value-%d" % i for i in range(1000)]


def test_consume_from_a_timestamp(make_server):
    server = make_server()
    producer = Producer({"bootstrap.servers": server.bootstrap})
    for i in range(10):
        producer.produce("ck-time", value=b"at-%d" % i, timestamp=BASE_TS + i * 1000)
    assert producer.flush(30) == 0
    c = consumer(server)
    found = c.offsets_for_times([TopicPartition("ck-time", 0, BASE_TS + 5500)], timeout=10)[0]
    assert found.error is None and found.offset == 6
    c.assign([found])
    got = consume(c, 4)
    c.close()
    assert [m.value() for m in got] == [b"at-6", b"at-7", b"at-8", b"at-9"]


def test_admin_create_describe_partitions_delete(make_server):
    server = make_server()
    admin = AdminClient({"bootstrap.servers": server.bootstrap})
    for future in admin.create_topics([NewTopic("ck-admin", 2, 1, config={"retention.ms": "3600000"})]).values():
        future.result(timeout=10)
    with pytest.raises(Exception, match="TOPIC_ALREADY_EXISTS|already exists"):
        for future in admin.create_topics([NewTopic("ck-admin", 2, 1)]).values():
            future.result(timeout=10)
    for future in admin.describe_configs([ConfigResource("topic", "ck-admin")]).values():
        configs = future.result(timeout=10)
    assert configs["retention.ms"].value == "3600000"
    assert configs["retention.ms"].source == ConfigSource.DYNAMIC_TOPIC_CONFIG.value
    assert configs["cleanup.policy"].value == "delete"
    for future in admin.create_partitions([NewPartitions("ck-admin", 4)]).values():
        future.result(timeout=10)
    assert len(admin.list_topics(timeout=10).topics["ck-admin"].partitions) == 4
    for future in admin.delete_topics(["ck-admin"]).values():
        future.result(timeout=10)
    assert "ck-admin" not in admin.list_topics(timeout=10).topics
