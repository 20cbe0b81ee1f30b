"""10,000 partitions on one node started under Debian's default soft open-file limit (1,024):
a topic of all of them is created, every partition takes a record from a real client and gives
it back, and the node holds far fewer descriptors than partitions, because segment-log keeps
its open files in a bounded cache (issue 27). The full-size figures (create time, RSS,
start-up) are `scripts/bench --only many-partitions`."""
import os
import resource
import subprocess
import time

from confluent_kafka import Consumer, Producer, TopicPartition

from conftest import sluice_bin

PARTITIONS = 10_000


def open_descriptors(pid):
    return len(os.listdir(f"/proc/{pid}/fd"))


def test_ten_thousand_partitions_under_a_soft_limit_of_1024(make_server):
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (1024, hard))   # the server inherits soft 1,024, hard unchanged
    try:
        server = make_server()
    finally:
        resource.setrlimit(resource.RLIMIT_NOFILE, (soft, hard))
    pid = server.process.pid

    created = subprocess.run([sluice_bin(), "topics", "create", "wide", "--partitions", str(PARTITIONS),
                              "--bootstrap", server.bootstrap, "--timeout", "280"], capture_output=True, text=True, timeout=300,
                             stdin=subprocess.DEVNULL)
    assert created.returncode == 0, created.stderr
    assert {name for name in os.listdir(server.data_dir) if name.startswith("wide-")} == {f"wide-{p}" for p in range(PARTITIONS)}

    producer = Producer({"bootstrap.servers": server.bootstrap, "linger.ms": 50, "acks": 1})
    for p in range(PARTITIONS):
        producer.produce("wide", value=b"p%d" % p, partition=p)
        if p % 1000 == 999:
            producer.poll(0)
    assert producer.flush(240) == 0, "not every record was acknowledged"

    consumer = Consumer({"bootstrap.servers": server.bootstrap, "group.id": "many", "enable.auto.commit": False,
                         "fetch.wait.max.ms": 100, "fetch.queue.backoff.ms": 10})
    consumer.assign([TopicPartition("wide", p, 0) for p in range(PARTITIONS)])
    seen = {}
    deadline = time.monotonic() + 240
    while len(seen) < PARTITIONS and time.monotonic() < deadline:
        for message in consumer.consume(num_messages=2000, timeout=1.0):
            if message.error() is None:
                seen[message.partition()] = message.value()
    consumer.close()
    missing = sorted(set(range(PARTITIONS)) - set(seen))
    assert not missing, f"{len(missing)} partitions gave nothing back, e.g. {missing[:10]}"
    assert all(seen[p] == b"p%d" % p for p in range(PARTITIONS))

    # Every partition was written and read, yet the descriptors held stay far below one per
    # partition (three each without the cache: 30,000).
    held = open_descriptors(pid)
    assert held < PARTITIONS // 2, f"{held} descriptors held for {PARTITIONS} partitions"
    # A clean stop of 10,000 partitions is the bench's figure, not this test's: stop at once.
    server.kill()
