"""Transactions (issue 25) with aiokafka's transactional producer against the real server:
a committed and an aborted transaction, read back by aiokafka's read_committed and
read_uncommitted consumers, and a committed transaction with offsets
(`send_offsets_to_transaction`) that become the group's committed offsets."""
import asyncio

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition


class Abort(Exception):
    pass


async def read(server, topic, isolation, expected):
    consumer = AIOKafkaConsumer(bootstrap_servers=server.bootstrap, auto_offset_reset="earliest",
                                isolation_level=isolation, enable_auto_commit=False)
    await consumer.start()
    try:
        consumer.assign([TopicPartition(topic, 0)])
        got = []
        for _ in range(60):
            batches = await consumer.getmany(timeout_ms=500)
            got.extend((r.offset, r.value.decode()) for records in batches.values() for r in records)
            if len(got) >= expected:
                break
        # Nothing more arrives: an extra record would be a wrong answer, not a late one.
        extra = await consumer.getmany(timeout_ms=1500)
        assert not any(extra.values()), extra
        return got
    finally:
        await consumer.stop()


def test_aiokafka_transactional_producer_commits_and_aborts(make_server):
    server = make_server()

    async def run():
        producer = AIOKafkaProducer(bootstrap_servers=server.bootstrap, transactional_id="aio-tx")
        await producer.start()
        try:
            async with producer.transaction():
                for i in range(4):
                    await producer.send_and_wait("aio-txn", f"c{i}".encode(), partition=0)
            try:
                async with producer.transaction():
                    for i in range(3):
                        await producer.send_and_wait("aio-txn", f"a{i}".encode(), partition=0)
                    raise Abort()
            except Abort:
                pass
            async with producer.transaction():
                await producer.send_and_wait("aio-txn", b"c4", partition=0)
        finally:
            await producer.stop()
        # c0-c3 at 0-3, commit marker 4, a0-a2 at 5-7, abort marker 8, c4 at 9, marker 10.
        assert await read(server, "aio-txn", "read_committed", 5) == [(0, "c0"), (1, "c1"), (2, "c2"), (3, "c3"), (9, "c4")]
        uncommitted = await read(server, "aio-txn", "read_uncommitted", 8)
        assert [v for _, v in uncommitted] == ["c0", "c1", "c2", "c3", "a0", "a1", "a2", "c4"]

    asyncio.run(run())


def test_aiokafka_sends_offsets_to_a_transaction(make_server):
    server = make_server()

    async def run():
        producer = AIOKafkaProducer(bootstrap_servers=server.bootstrap, transactional_id="aio-ctp")
        await producer.start()
        try:
            async with producer.transaction():
                await producer.send_and_wait("aio-in", b"input", partition=0)  # creates the input topic
                await producer.send_and_wait("aio-out", b"x", partition=0)
                await producer.send_offsets_to_transaction({TopicPartition("aio-in", 0): 7}, "aio-group")
            try:
                async with producer.transaction():
                    await producer.send_and_wait("aio-out", b"y", partition=0)
                    await producer.send_offsets_to_transaction({TopicPartition("aio-in", 0): 9}, "aio-group")
                    raise Abort()
            except Abort:
                pass
        finally:
            await producer.stop()
        consumer = AIOKafkaConsumer(bootstrap_servers=server.bootstrap, group_id="aio-group", enable_auto_commit=False)
        await consumer.start()
        try:
            assert await consumer.committed(TopicPartition("aio-in", 0)) == 7
        finally:
            await consumer.stop()
        assert await read(server, "aio-out", "read_committed", 1) == [(0, "x")]

    asyncio.run(run())
