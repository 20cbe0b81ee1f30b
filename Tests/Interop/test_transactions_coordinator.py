"""confluent-kafka's transactional producer against the transaction coordinator on a real
server: init, produce, commit and abort; read_committed consumers see exactly the
committed records with offsets that skip the markers; a second producer with the same
transactional.id fences the first; sendOffsetsToTransaction commits a group's offsets
only with the transaction."""
import time

import pytest
from confluent_kafka import Consumer, KafkaException, Producer, TopicPartition


def transactional(server, txn_id, **extra):
    return Producer({"bootstrap.servers": server.bootstrap, "transactional.id": txn_id, "linger.ms": 5, **extra})


def read_all(server, topic, isolation, expected, timeout=30):
    consumer = Consumer({"bootstrap.servers": server.bootstrap, "group.id": f"reader-{isolation}-{time.monotonic_ns()}",
                         "enable.auto.commit": False, "auto.offset.reset": "earliest", "isolation.level": isolation})
    consumer.assign([TopicPartition(topic, 0, 0)])
    got = []
    deadline = time.monotonic() + timeout
    idle_since = None
    while time.monotonic() < deadline:
        message = consumer.poll(0.5)
        if message is None:
            if len(got) >= expected:
                idle_since = idle_since or time.monotonic()
                if time.monotonic() - idle_since > 2:
                    break
            continue
        if message.error():
            continue
        got.append((message.offset(), message.value()))
    consumer.close()
    return got


def test_commit_and_abort_and_read_committed(make_server):
    server = make_server()
    producer = transactional(server, "app-1")
    producer.init_transactions(30)
    producer.begin_transaction()
    for i in range(5):
        producer.produce("txn-out", value=b"committed-%d" % i, partition=0)
    producer.commit_transaction(30)
    producer.begin_transaction()
    for i in range(3):
        producer.produce("txn-out", value=b"aborted-%d" % i, partition=0)
    producer.flush(30)
    producer.abort_transaction(30)
    producer.begin_transaction()
    producer.produce("txn-out", value=b"committed-5", partition=0)
    producer.commit_transaction(30)

    committed = read_all(server, "txn-out", "read_committed", 6)
    assert [v for _, v in committed] == [b"committed-%d" % i for i in range(6)]
    offsets = [o for o, _ in committed]
    # 5 records, commit marker (5), 3 aborted records (6-8), abort marker (9), then 10.
    assert offsets == [0, 1, 2, 3, 4, 10], offsets
    uncommitted = read_all(server, "txn-out", "read_uncommitted", 9)
    assert len(uncommitted) == 9 and b"aborted-0" in [v for _, v in uncommitted]


def test_second_producer_with_the_same_transactional_id_fences_the_first(make_server):
    server = make_server()
    first = transactional(server, "shared")
    first.init_transactions(30)
    first.begin_transaction()
    first.produce("fence-out", value=b"zombie", partition=0)
    first.flush(30)

    second = transactional(server, "shared")
    second.init_transactions(30)   # aborts the first's open transaction and bumps the epoch
    second.begin_transaction()
    second.produce("fence-out", value=b"live", partition=0)
    second.commit_transaction(30)

    with pytest.raises(KafkaException) as raised:
        first.produce("fence-out", value=b"late", partition=0)
        first.commit_transaction(30)
    error = raised.value.args[0]
    assert error.fatal() or "fenced" in str(error).lower(), error
    values = [v for _, v in read_all(server, "fence-out", "read_committed", 1)]
    assert values == [b"live"]


def test_send_offsets_to_transaction_commits_with_the_transaction_only(make_server):
    server = make_server()
    seed = Producer({"bootstrap.servers": server.bootstrap})
    for i in range(10):
        seed.produce("copy-in", value=b"in-%d" % i, partition=0)
    assert seed.flush(30) == 0

    group = "copier"
    consumer = Consumer({"bootstrap.servers": server.bootstrap, "group.id": group, "enable.auto.commit": False,
                         "auto.offset.reset": "earliest", "isolation.level": "read_committed"})
    consumer.subscribe(["copy-in"])
    producer = transactional(server, "copier-txn")
    producer.init_transactions(30)

    got = []
    deadline = time.monotonic() + 60
    while len(got) < 10 and time.monotonic() < deadline:
        message = consumer.poll(0.5)
        if message is not None and not message.error():
            got.append(message)
    assert len(got) == 10

    producer.begin_transaction()
    for message in got[:4]:
        producer.produce("copy-out", value=message.value(), partition=0)
    producer.send_offsets_to_transaction([TopicPartition("copy-in", 0, 4)], consumer.consumer_group_metadata(), 30)
    producer.abort_transaction(30)
    committed = consumer.committed([TopicPartition("copy-in", 0)], 10)
    assert committed[0].offset < 0, "aborted offsets must not be committed"

    producer.begin_transaction()
    for message in got:
        producer.produce("copy-out", value=message.value(), partition=0)
    producer.send_offsets_to_transaction([TopicPartition("copy-in", 0, 10)], consumer.consumer_group_metadata(), 30)
    producer.commit_transaction(30)
    committed = consumer.committed([TopicPartition("copy-in", 0)], 10)
    assert committed[0].offset == 10
    consumer.close()
    values = [v for _, v in read_all(server, "copy-out", "read_committed", 10)]
    assert values == [b"in-%d" % i for i in range(10)]
