"""The open-file limit: `sluice serve` raises its soft RLIMIT_NOFILE to the hard limit, the
segment log keeps its descriptors within its cache (maxOpenFiles, default 1024) whatever the
number of partitions, and a topic that cannot fit under the limit fails whole, leaving
nothing behind (issue 27)."""
import os
import resource
import subprocess
import threading
import time

from confluent_kafka import Consumer, Producer, TopicPartition

from conftest import sluice_bin


def sluice(server, *args, timeout=120):
    return subprocess.run([sluice_bin(), *args, "--bootstrap", server.bootstrap], capture_output=True, text=True,
                          timeout=timeout, stdin=subprocess.DEVNULL)


def open_descriptors(pid):
    return len(os.listdir(f"/proc/{pid}/fd"))


def soft_limit(pid):
    with open(f"/proc/{pid}/limits") as f:
        for line in f:
            if line.startswith("Max open files"):
                return int(line.split()[3])
    raise AssertionError("no 'Max open files' line in /proc/PID/limits")


def partition_dirs(server, topic):
    return sorted(name for name in os.listdir(server.data_dir) if name.startswith(f"{topic}-"))


def produce_and_read_every_partition(server, topic, partitions):
    producer = Producer({"bootstrap.servers": server.bootstrap, "linger.ms": 20})
    for p in range(partitions):
        producer.produce(topic, value=b"p%d" % p, partition=p)
    assert producer.flush(60) == 0, "not every record was acknowledged"
    consumer = Consumer({"bootstrap.servers": server.bootstrap, "group.id": f"fd-{time.time()}", "enable.auto.commit": False,
                         "fetch.wait.max.ms": 50})
    consumer.assign([TopicPartition(topic, p, 0) for p in range(partitions)])
    seen = {}
    deadline = time.monotonic() + 120
    while len(seen) < partitions and time.monotonic() < deadline:
        message = consumer.poll(0.5)
        if message is not None and message.error() is None:
            seen[message.partition()] = message.value()
    consumer.close()
    assert seen == {p: b"p%d" % p for p in range(partitions)}


class DescriptorPeak:
    """Samples a process's open descriptors every few milliseconds while the block runs."""

    def __init__(self, pid):
        self.pid, self.most, self._stop = pid, 0, threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)

    def _sample(self):
        while not self._stop.is_set():
            try:
                self.most = max(self.most, open_descriptors(self.pid))
            except OSError:
                pass
            self._stop.wait(0.005)

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join(5)


def test_serve_raises_a_low_soft_limit_and_serves_more_partitions_than_it_allowed(make_server):
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    assert hard == resource.RLIM_INFINITY or hard >= 4096, f"the test needs a hard RLIMIT_NOFILE >= 4096, not {hard}"
    resource.setrlimit(resource.RLIMIT_NOFILE, (1024, hard))   # Debian's default soft limit; the server inherits it
    try:
        server = make_server()
    finally:
        resource.setrlimit(resource.RLIMIT_NOFILE, (soft, hard))
    if hard != resource.RLIM_INFINITY:
        assert soft_limit(server.process.pid) == hard
    assert "raised the open-file limit" in server.read_log()
    # 2,000 segment-log partitions, written and read: descriptors stay within the cache
    # (1,024) plus the sockets, SQLite and the like.
    result = sluice(server, "topics", "create", "wide", "--partitions", "2000")
    assert result.returncode == 0, result.stderr
    with DescriptorPeak(server.process.pid) as peak:
        produce_and_read_every_partition(server, "wide", 2000)
        time.sleep(1.5)   # one more periodic flush (flushIntervalMs 1000) of the 2,000 written partitions
    assert open_descriptors(server.process.pid) <= 1024 + 200
    # At no point beyond the cache plus the 256 it leaves free (DescriptorCache.reserve): the
    # periodic flush syncs 64 partitions at a time and short reads hold no descriptor. Unbounded,
    # a flush of 2,000 partitions on a slow disk reached the 4,096 hard limit and failed.
    assert peak.most <= 1024 + 256, f"{peak.most} descriptors open at the peak"
    assert "Too many open files" not in server.read_log()


def test_a_topic_that_cannot_fit_under_the_hard_limit_fails_whole_and_leaves_no_trace(make_server):
    server = make_server()
    pid = server.process.pid
    sluice(server, "topics", "create", "fits", "--partitions", "20")
    # Soft and hard both lowered below the descriptor cache the storage sized at start.
    resource.prlimit(pid, resource.RLIMIT_NOFILE, (400, 400))
    sluice(server, "topics", "list")   # connections, SQLite: steady state
    before = open_descriptors(pid)

    result = sluice(server, "topics", "create", "big", "--partitions", "1000")
    assert result.returncode != 0
    assert "open-file limit" in result.stderr and "400" in result.stderr, result.stderr

    listed = sluice(server, "topics", "list")
    assert listed.returncode == 0 and "big" not in listed.stdout.split()
    assert partition_dirs(server, "big") == []
    assert open_descriptors(pid) <= before + 2, "the failed creation left descriptors open"
    # The node still works.
    produce_and_read_every_partition(server, "fits", 20)
    # Growing a topic past the limit fails the same way and keeps its partition count.
    grown = sluice(server, "topics", "alter", "fits", "--partitions", "500")
    assert grown.returncode != 0 and "open-file limit" in grown.stderr, grown.stderr
    assert partition_dirs(server, "fits") == sorted(f"fits-{p}" for p in range(20))

    # After a restart nothing of "big" comes back, and no registered partition is missing.
    assert server.stop() == 0
    server.start()
    listed = sluice(server, "topics", "list")
    assert "big" not in listed.stdout.split() and "fits" in listed.stdout.split()
    assert "data is missing" not in server.read_log()
