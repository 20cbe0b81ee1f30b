"""One consumer-group member in its own process, so that tests can close it (SIGTERM:
leave the group cleanly) or kill it (SIGKILL: the broker notices by session timeout).

    python group_worker.py LIBRARY BOOTSTRAP GROUP TOPIC [ASSIGNOR]

LIBRARY is kafka-python, confluent or aiokafka. The worker subscribes, and after every
poll prints what it did as one JSON line on stdout, in this order:

    {"started": 1700000000.1}                 just before it first contacts the group
    {"assigned": [0, 2], "at": 1700000001.2}  when its assignment changed (wall clock)
    {"records": [[partition, offset, value]]}  records received (before the commit)
    {"committed": {"0": 17, "2": 4}}           the commit of those records succeeded
    {"closed": true}                           after a clean close (SIGTERM)

Records are printed before they are committed, so a killed member may have its last
batch read again by the next owner (a duplicate), but a record is never committed
without having been printed (no loss hidden by the accounting).
"""
import asyncio
import json
import signal
import sys
import time

SESSION_TIMEOUT_MS = 6000      # the broker's minimum: a killed member is noticed fastest
HEARTBEAT_INTERVAL_MS = 1000
MAX_POLL_INTERVAL_MS = 30000   # also the rebalance timeout of the Java-style clients

stopping = False


def stop(*_):
    global stopping
    stopping = True


def emit(**event):
    sys.stdout.write(json.dumps(event) + "\n")
    sys.stdout.flush()


class Tracker:
    """Prints assignment changes and batches; the library-specific loops feed it."""

    def __init__(self):
        self.assigned = None

    def assignment(self, partitions):
        current = sorted(partitions)
        if current != self.assigned:
            self.assigned = current
            emit(assigned=current, at=time.time())

    def batch(self, records):
        if records:
            emit(records=records)


def run_kafka_python(bootstrap, group, topic, assignor):
    from kafka import KafkaConsumer
    from kafka.coordinator.assignors.range import RangePartitionAssignor
    from kafka.coordinator.assignors.roundrobin import RoundRobinPartitionAssignor
    from kafka.structs import OffsetAndMetadata
    assignors = {"range": RangePartitionAssignor, "roundrobin": RoundRobinPartitionAssignor}
    consumer = KafkaConsumer(
        topic, bootstrap_servers=bootstrap, group_id=group, enable_auto_commit=False,
        auto_offset_reset="earliest", session_timeout_ms=SESSION_TIMEOUT_MS,
        heartbeat_interval_ms=HEARTBEAT_INTERVAL_MS, max_poll_interval_ms=MAX_POLL_INTERVAL_MS,
        partition_assignment_strategy=[assignors[assignor or "range"]])
    emit(started=time.time())  # kafka-python joins in its first poll
    tracker = Tracker()
    while not stopping:
        batches = consumer.poll(timeout_ms=200)
        tracker.assignment(tp.partition for tp in consumer.assignment())
        records = [[r.partition, r.offset, r.value.decode()] for rs in batches.values() for r in rs]
        tracker.batch(records)
        if records:
            offsets = {tp: OffsetAndMetadata(rs[-1].offset + 1, "", -1) for tp, rs in batches.items()}
            try:
                consumer.commit(offsets)
                emit(committed={str(tp.partition): o.offset for tp, o in offsets.items()})
            except Exception as error:  # a rebalance raced the commit: the records come again
                emit(commit_failed=str(error))
    consumer.close(autocommit=False)
    emit(closed=True)


def run_confluent(bootstrap, group, topic, assignor):
    from confluent_kafka import Consumer
    consumer = Consumer({
        "bootstrap.servers": bootstrap, "group.id": group, "enable.auto.commit": False,
        "auto.offset.reset": "earliest", "session.timeout.ms": SESSION_TIMEOUT_MS,
        "heartbeat.interval.ms": HEARTBEAT_INTERVAL_MS, "max.poll.interval.ms": MAX_POLL_INTERVAL_MS,
        "partition.assignment.strategy": assignor or "range",
    })
    emit(started=time.time())
    consumer.subscribe([topic])
    tracker = Tracker()
    while not stopping:
        messages = consumer.consume(num_messages=500, timeout=0.2)
        tracker.assignment(tp.partition for tp in consumer.assignment())
        records = [[m.partition(), m.offset(), m.value().decode()] for m in messages if m.error() is None]
        tracker.batch(records)
        if records:
            try:
                committed = consumer.commit(asynchronous=False)
                emit(committed={str(tp.partition): tp.offset for tp in committed if tp.offset >= 0})
            except Exception as error:
                emit(commit_failed=str(error))
    consumer.close()
    emit(closed=True)


def run_aiokafka(bootstrap, group, topic, assignor):
    from aiokafka import AIOKafkaConsumer
    from aiokafka.coordinator.assignors.range import RangePartitionAssignor
    from aiokafka.coordinator.assignors.roundrobin import RoundRobinPartitionAssignor
    assignors = {"range": RangePartitionAssignor, "roundrobin": RoundRobinPartitionAssignor}

    async def run():
        consumer = AIOKafkaConsumer(
            topic, bootstrap_servers=bootstrap, group_id=group, enable_auto_commit=False,
            auto_offset_reset="earliest", session_timeout_ms=SESSION_TIMEOUT_MS,
            heartbeat_interval_ms=HEARTBEAT_INTERVAL_MS, max_poll_interval_ms=MAX_POLL_INTERVAL_MS,
            rebalance_timeout_ms=MAX_POLL_INTERVAL_MS, partition_assignment_strategy=[assignors[assignor or "range"]])
        emit(started=time.time())
        await consumer.start()
        tracker = Tracker()
        while not stopping:
            batches = await consumer.getmany(timeout_ms=200)
            tracker.assignment(tp.partition for tp in consumer.assignment())
            records = [[r.partition, r.offset, r.value.decode()] for rs in batches.values() for r in rs]
            tracker.batch(records)
            if records:
                offsets = {tp: rs[-1].offset + 1 for tp, rs in batches.items()}
                try:
                    await consumer.commit(offsets)
                    emit(committed={str(tp.partition): o for tp, o in offsets.items()})
                except Exception as error:
                    emit(commit_failed=str(error))
        await consumer.stop()
        emit(closed=True)

    asyncio.run(run())


if __name__ == "__main__":
    signal.signal(signal.SIGTERM, stop)
    library, bootstrap, group, topic = sys.argv[1:5]
    assignor = sys.argv[5] if len(sys.argv) > 5 else None
    {"kafka-python": run_kafka_python, "confluent": run_confluent, "aiokafka": run_aiokafka}[library](
        bootstrap, group, topic, assignor)
