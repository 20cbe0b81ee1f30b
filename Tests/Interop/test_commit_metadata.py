"""Commit metadata round-trips through every client as the client sent it: empty, ASCII,
UTF-8 and 4 KiB (Kafka's offset.metadata.max.bytes), and null where the client can send
it. Kafka Streams, Flink and Spark keep state there. librdkafka 2.16 once read back
'Hello\\x7f' because the broker cut its metadata at the NUL librdkafka appends.

kcat has no way to commit or show metadata; its OffsetCommit is covered by the golden
wire captures (Tests/SluiceKafkaTests/GoldenWireTests.swift)."""
import asyncio
import base64

import pytest

from java_client import kafka_java  # noqa: F401

VALUES = ["", "Hello", "ünïcødé ✓ 日本 🚀", "0123456789abcdef" * 256]
# librdkafka appends a NUL, so its largest accepted metadata is one character shorter
# (Kafka refuses 4,097 characters the same way).
LIBRDKAFKA_VALUES = VALUES[:3] + [VALUES[3][:-1]]


def test_confluent_kafka_round_trips_commit_metadata(make_server):
    from confluent_kafka import Consumer, TopicPartition
    from confluent_kafka.admin import AdminClient, NewTopic
    server = make_server()
    admin = AdminClient({"bootstrap.servers": server.bootstrap})
    admin.create_topics([NewTopic("mdc", len(VALUES) + 1, 1)])["mdc"].result(30)
    consumer = Consumer({"bootstrap.servers": server.bootstrap, "group.id": "mdc", "enable.auto.commit": False})
    offsets = [TopicPartition("mdc", i, 100 + i, metadata=v) for i, v in enumerate(LIBRDKAFKA_VALUES)]
    offsets.append(TopicPartition("mdc", len(VALUES), 200))  # no metadata
    consumer.commit(offsets=offsets, asynchronous=False)
    back = consumer.committed([TopicPartition("mdc", i) for i in range(len(VALUES) + 1)], timeout=30)
    # The broker answers "" for a commit without metadata, as Kafka does
    # (CommitMetadataVersionsTests); confluent-kafka shows an empty string as None.
    consumer.close()
    assert [(tp.offset, tp.metadata) for tp in back] == [(100 + i, v) for i, v in enumerate(LIBRDKAFKA_VALUES)] + [(200, None)]


def test_kafka_python_round_trips_commit_metadata(make_server):
    from kafka import KafkaConsumer, TopicPartition
    from kafka.admin import KafkaAdminClient, NewTopic
    from kafka.structs import OffsetAndMetadata
    server = make_server()
    admin = KafkaAdminClient(bootstrap_servers=server.bootstrap)
    admin.create_topics([NewTopic("mdk", len(VALUES) + 1, 1)])
    consumer = KafkaConsumer(bootstrap_servers=server.bootstrap, group_id="mdk", enable_auto_commit=False)
    commits = {TopicPartition("mdk", i): OffsetAndMetadata(100 + i, v, -1) for i, v in enumerate(VALUES)}
    commits[TopicPartition("mdk", len(VALUES))] = OffsetAndMetadata(200, None, -1)
    consumer.commit(commits)
    consumer.close()
    back = admin.list_group_offsets("mdk")["mdk"]
    admin.close()
    assert [(back[TopicPartition("mdk", i)].offset, back[TopicPartition("mdk", i)].metadata)
            for i in range(len(VALUES))] == [(100 + i, v) for i, v in enumerate(VALUES)]
    # kafka-python sends a null as null; Kafka answers "" for it (OffsetAndMetadata.NoMetadata).
    assert back[TopicPartition("mdk", len(VALUES))].offset == 200
    assert back[TopicPartition("mdk", len(VALUES))].metadata == ""


def test_aiokafka_round_trips_commit_metadata(make_server):
    from aiokafka import AIOKafkaConsumer, TopicPartition
    from aiokafka.admin import AIOKafkaAdminClient, NewTopic
    from aiokafka.structs import OffsetAndMetadata
    server = make_server()

    async def scenario():
        admin = AIOKafkaAdminClient(bootstrap_servers=server.bootstrap)
        await admin.start()
        await admin.create_topics([NewTopic("mda", len(VALUES), 1)])
        consumer = AIOKafkaConsumer(bootstrap_servers=server.bootstrap, group_id="mda", enable_auto_commit=False)
        await consumer.start()
        tps = [TopicPartition("mda", i) for i in range(len(VALUES))]
        consumer.assign(tps)
        await consumer.commit({tp: OffsetAndMetadata(100 + i, v) for i, (tp, v) in enumerate(zip(tps, VALUES))})
        await consumer.stop()
        back = await admin.list_consumer_group_offsets("mda")
        await admin.close()
        return [(back[tp].offset, back[tp].metadata) for tp in tps]

    assert asyncio.run(scenario()) == [(100 + i, v) for i, v in enumerate(VALUES)]


def test_java_client_round_trips_commit_metadata(make_server, kafka_java):  # noqa: F811
    server = make_server()
    encoded = [base64.b64encode(v.encode()).decode() or "" for v in VALUES]
    result = kafka_java.run("CommitMetadata.java", server.bootstrap, "mdj", "mdj", *encoded)
    assert result.returncode == 0, f"{result.stderr[-4000:]}\n{server.read_log()[-3000:]}"
    lines = [l.split(" ") for l in result.stdout.splitlines() if l[:1].isdigit()]
    got = [(int(offset), base64.b64decode(value + "").decode()) for _, offset, value in
           [(l + [""])[:3] for l in lines]]
    assert got == [(100 + i, v) for i, v in enumerate(VALUES)]
