"""Transactions (issue 25) with confluent-kafka (librdkafka) against the real server:
commit and abort, read_committed consumers that see exactly the committed records in
order with offsets that skip the markers, read_committed offset lookups at the last
stable offset, fencing by a second producer with the same transactional id, offsets
committed inside a transaction (consume-transform-produce), a transaction left open past
its timeout aborted by the coordinator, and the CLI (`sluice consume --isolation
read_committed`, `sluice transactions list|describe`)."""
import json
import subprocess
import time

import pytest
from confluent_kafka import OFFSET_BEGINNING, Consumer, KafkaError, KafkaException, Producer, TopicPartition

from conftest import sluice_bin


def transactional(server, transactional_id, **extra):
    producer = Producer({"bootstrap.servers": server.bootstrap, "transactional.id": transactional_id, "linger.ms": 5, **extra})
    producer.init_transactions(30)
    return producer


def send(producer, topic, values, partition=0):
    for value in values:
        producer.produce(topic, value=value.encode(), partition=partition)
    assert producer.flush(30) == 0


def read_all(server, topic, isolation, expected, partition=0, timeout=30):
    """(offset, value) of the first `expected` records from the beginning."""
    c = Consumer({"bootstrap.servers": server.bootstrap, "group.id": "txn-reader", "enable.auto.commit": False,
                  "isolation.level": isolation})
    c.assign([TopicPartition(topic, partition, OFFSET_BEGINNING)])
    got = []
    deadline = time.monotonic() + timeout
    while len(got) < expected and time.monotonic() < deadline:
        message = c.poll(0.5)
        if message is None:
            continue
        assert message.error() is None, message.error()
        got.append((message.offset(), message.value().decode()))
    # Nothing more arrives: a record past `expected` would be a wrong answer, not a late one.
    extra = c.poll(2.0)
    c.close()
    assert extra is None or extra.error() is not None, f"unexpected record {extra.offset()}: {extra.value()!r}"
    return got


def sluice(server, *args, timeout=60):
    result = subprocess.run([sluice_bin(), *args, "--bootstrap", server.bootstrap], capture_output=True, text=True,
                            timeout=timeout, stdin=subprocess.DEVNULL)
    assert result.returncode == 0, f"sluice {' '.join(args)}: {result.stderr}"
    return result.stdout


def test_commit_and_abort_read_committed_sees_exactly_the_committed_records(make_server):
    server = make_server()
    producer = transactional(server, "tx-commit-abort")
    committed_first = [f"c{i}" for i in range(5)]
    aborted = [f"a{i}" for i in range(3)]
    committed_second = [f"c{i}" for i in range(5, 10)]
    for values, commit in ((committed_first, True), (aborted, False), (committed_second, True)):
        producer.begin_transaction()
        send(producer, "txn", values)
        (producer.commit_transaction if commit else producer.abort_transaction)(30)

    # Offsets: c0-c4 at 0-4, commit marker 5, a0-a2 at 6-8, abort marker 9, c5-c9 at
    # 10-14, commit marker 15.
    committed = read_all(server, "txn", "read_committed", 10)
    assert committed == [(i, f"c{i}") for i in range(5)] + [(10 + i, f"c{5 + i}") for i in range(5)]
    uncommitted = read_all(server, "txn", "read_uncommitted", 13)
    assert [v for _, v in uncommitted] == committed_first + aborted + committed_second
    assert [o for o, _ in uncommitted] == list(range(5)) + [6, 7, 8] + list(range(10, 15))

    # An open transaction holds the last stable offset (read_committed's end) at its
    # first offset; the high watermark moves on.
    producer.begin_transaction()
    send(producer, "txn", ["open0", "open1"])
    rc = Consumer({"bootstrap.servers": server.bootstrap, "group.id": "txn-lso", "isolation.level": "read_committed"})
    ru = Consumer({"bootstrap.servers": server.bootstrap, "group.id": "txn-lso", "isolation.level": "read_uncommitted"})
    assert rc.get_watermark_offsets(TopicPartition("txn", 0), timeout=10, cached=False) == (0, 16)
    assert ru.get_watermark_offsets(TopicPartition("txn", 0), timeout=10, cached=False) == (0, 18)

    # The CLI while the transaction is open: listed and described as Ongoing.
    listed = json.loads(sluice(server, "transactions", "list", "--output", "json"))
    assert [(row["transactional-id"], row["state"]) for row in listed] == [("tx-commit-abort", "Ongoing")]
    described = json.loads(sluice(server, "transactions", "describe", "tx-commit-abort", "--output", "json"))
    assert len(described) == 1 and described[0]["state"] == "Ongoing" and described[0]["partitions"] == "txn-0"

    producer.commit_transaction(30)
    assert rc.get_watermark_offsets(TopicPartition("txn", 0), timeout=10, cached=False) == (0, 19)
    rc.close()
    ru.close()

    out = sluice(server, "consume", "txn", "--isolation", "read_committed", "--from-beginning", "--exit-at-end",
                 "--format", "%o %s\\n")
    expected = [f"{o} {v}" for o, v in committed] + ["16 open0", "17 open1"]
    assert out.splitlines() == expected
    raw = sluice(server, "consume", "txn", "--from-beginning", "--exit-at-end", "--format", "%s\\n")
    assert raw.splitlines() == committed_first + aborted + committed_second + ["open0", "open1"]


def test_a_second_producer_with_the_same_id_fences_the_first(make_server):
    server = make_server()
    first = transactional(server, "tx-fence")
    first.begin_transaction()
    send(first, "fence", ["zombie0", "zombie1"])

    second = transactional(server, "tx-fence")  # bumps the epoch; aborts the first's open transaction
    second.begin_transaction()
    send(second, "fence", ["live0"])
    second.commit_transaction(30)

    with pytest.raises(KafkaException) as raised:
        first.produce("fence", value=b"zombie2", partition=0)
        first.flush(10)
        first.commit_transaction(10)
    error = raised.value.args[0]
    assert error.code() in (KafkaError._FENCED, KafkaError.PRODUCER_FENCED, KafkaError.INVALID_PRODUCER_EPOCH), error
    assert [v for _, v in read_all(server, "fence", "read_committed", 1)] == ["live0"]


def test_offsets_committed_in_a_transaction_apply_on_commit_and_vanish_on_abort(make_server):
    server = make_server()
    feeder = Producer({"bootstrap.servers": server.bootstrap})
    send(feeder, "ctp-in", [f"in{i}" for i in range(20)])

    consumer = Consumer({"bootstrap.servers": server.bootstrap, "group.id": "ctp", "enable.auto.commit": False,
                         "auto.offset.reset": "earliest", "isolation.level": "read_committed"})
    consumer.subscribe(["ctp-in"])
    producer = transactional(server, "tx-ctp")
    copied = []
    deadline = time.monotonic() + 60
    while len(copied) < 20 and time.monotonic() < deadline:
        message = consumer.poll(0.5)
        if message is None:
            continue
        assert message.error() is None, message.error()
        copied.append(message.value().decode())
    assert copied == [f"in{i}" for i in range(20)]

    producer.begin_transaction()
    send(producer, "ctp-out", [v.replace("in", "out") for v in copied[:10]])
    producer.send_offsets_to_transaction([TopicPartition("ctp-in", 0, 10)], consumer.consumer_group_metadata(), 30)
    producer.commit_transaction(30)
    assert consumer.committed([TopicPartition("ctp-in", 0)], timeout=10)[0].offset == 10

    producer.begin_transaction()
    send(producer, "ctp-out", [v.replace("in", "out") for v in copied[10:]])
    producer.send_offsets_to_transaction([TopicPartition("ctp-in", 0, 20)], consumer.consumer_group_metadata(), 30)
    producer.abort_transaction(30)
    assert consumer.committed([TopicPartition("ctp-in", 0)], timeout=10)[0].offset == 10
    consumer.close()
    assert [v for _, v in read_all(server, "ctp-out", "read_committed", 10)] == [f"out{i}" for i in range(10)]


def test_a_transaction_left_open_past_its_timeout_is_aborted(make_server):
    server = make_server()
    stale = transactional(server, "tx-stale", **{"transaction.timeout.ms": 2000})
    stale.begin_transaction()
    send(stale, "timeout", ["stale0", "stale1", "stale2"])
    # Left open. Another producer's committed records come after it in the log; a
    # read_committed consumer sees them only once the coordinator has aborted the stale one.
    live = transactional(server, "tx-live")
    live.begin_transaction()
    send(live, "timeout", ["live0", "live1"])
    live.commit_transaction(30)

    got = read_all(server, "timeout", "read_committed", 2, timeout=90)
    assert [v for _, v in got] == ["live0", "live1"]
    with pytest.raises(KafkaException):
        stale.commit_transaction(10)
