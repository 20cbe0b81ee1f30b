"""aiokafka against the kafka protocol plugin: produce with every acks setting and
idempotence, consume from the beginning and from a timestamp, topic admin and configs."""
import asyncio

import pytest
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from aiokafka.admin.config_resource import ConfigResource, ConfigResourceType

BASE_TS = 1_700_000_000_000


async def consume(server, tp, expected, seek=None):
    consumer = AIOKafkaConsumer(bootstrap_servers=server.bootstrap, auto_offset_reset="earliest")
    await consumer.start()
    try:
        consumer.assign([tp])
        if seek is not None:
            consumer.seek(tp, seek)
        got = []
        for _ in range(60):
            batches = await consumer.getmany(timeout_ms=500)
            got.extend(r for records in batches.values() for r in records)
            if len(got) >= expected:
                break
        return got
    finally:
        await consumer.stop()


@pytest.mark.parametrize("acks", [0, 1, "all"])
def test_produce_with_each_acks_and_consume_from_beginning(make_server, acks):
    server = make_server()

    async def run():
        producer = AIOKafkaProducer(bootstrap_servers=server.bootstrap, acks=acks,
                                    enable_idempotence=acks == "all", compression_type="gzip")
        await producer.start()
        try:
            futures = [await producer.send("ak", key=b"k%d" % i, value=b"value-%d" % i) for i in range(300)]
            results = await asyncio.gather(*futures)
        finally:
            await producer.stop()
        if acks != 0:
            assert sorted(r.offset for r in results) == list(range(300))
        got = await consume(server, TopicPartition("ak", 0), 300)
        assert [r.value for r in got] == [b"value-%d" % i for i in range(300)]

    asyncio.run(run())


def test_consume_from_a_timestamp(make_server):
    server = make_server()

    async def run():
        producer = AIOKafkaProducer(bootstrap_servers=server.bootstrap)
        await producer.start()
        for i in range(10):
            await producer.send_and_wait("ak-time", value=b"at-%d" % i, timestamp_ms=BASE_TS + i * 1000)
        await producer.stop()
        tp = TopicPartition("ak-time", 0)
        consumer = AIOKafkaConsumer(bootstrap_servers=server.bootstrap)
        await consumer.start()
        found = (await consumer.offsets_for_times({tp: BASE_TS + 5500}))[tp]
        await consumer.stop()
        assert found.offset == 6 and found.timestamp == BASE_TS + 6000
        got = await consume(server, tp, 4, seek=found.offset)
        assert [r.value for r in got] == [b"at-6", b"at-7", b"at-8", b"at-9"]

    asyncio.run(run())


def test_admin_create_describe_delete(make_server):
    server = make_server()

    async def run():
        admin = AIOKafkaAdminClient(bootstrap_servers=server.bootstrap)
        await admin.start()
        try:
            await admin.create_topics([NewTopic("ak-admin", 2, 1, topic_configs={"retention.ms": "3600000"})])
            assert "ak-admin" in await admin.list_topics()
            [response] = await admin.describe_configs([ConfigResource(ConfigResourceType.TOPIC, "ak-admin")])
            entries = {entry[0]: entry for entry in response.resources[0][4]}
            assert entries["retention.ms"][1] == "3600000"
            assert entries["segment.bytes"][1] is not None
            await admin.delete_topics(["ak-admin"])
            assert "ak-admin" not in await admin.list_topics()
        finally:
            await admin.close()

    asyncio.run(run())
