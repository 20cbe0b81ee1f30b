"""A full disk under a real server: the data directory is a 16 MiB tmpfs mounted by the
test (the suite runs as root). Producers get KAFKA_STORAGE_ERROR (56), a beats client gets
no ack for the window that could not be written, the server stays up and logs where the
disk is full, everything acknowledged before stays readable, and once the test deletes
its filler file producing works again."""
import contextlib
import json
import os
import socket
import struct
import subprocess
import time

import pytest
from confluent_kafka import OFFSET_BEGINNING, Consumer, KafkaError, Producer, TopicPartition

VALUE = b"x" * 10_000


@contextlib.contextmanager
def small_tmpfs(path):
    """A 16 MiB tmpfs mounted on `path` for the test's duration (lazily unmounted if busy)."""
    os.makedirs(path, exist_ok=True)
    result = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=16m", "tmpfs", path],
                            capture_output=True, text=True, stdin=subprocess.DEVNULL, timeout=30)
    if result.returncode != 0:
        pytest.fail(f"cannot mount a 16 MiB tmpfs on {path} for the disk-full test (it needs root or "
                    f"CAP_SYS_ADMIN): {result.stderr.strip()}")
    try:
        yield path
    finally:
        result = subprocess.run(["umount", path], capture_output=True, text=True, stdin=subprocess.DEVNULL, timeout=30)
        if result.returncode != 0:
            subprocess.run(["umount", "-l", path], stdin=subprocess.DEVNULL, timeout=30)


def produce(server, count, tag):
    """Produces `count` records one at a time; returns (acked values, first error)."""
    producer = Producer({"bootstrap.servers": server.bootstrap, "acks": "all", "enable.idempotence": False,
                         "retries": 0, "message.timeout.ms": 20000, "linger.ms": 0})
    acked, errors = [], []
    for i in range(count):
        value = b"%s-%d-" % (tag, i) + VALUE
        producer.produce("full", value=value,
                         on_delivery=lambda err, msg: errors.append(err) if err else acked.append(msg.value()))
        producer.flush(30)
        if errors:
            break
    return acked, (errors[0] if errors else None)


def consume_all(server):
    consumer = Consumer({"bootstrap.servers": server.bootstrap, "group.id": "full-check", "enable.auto.commit": False})
    low, high = consumer.get_watermark_offsets(TopicPartition("full", 0), timeout=10)
    consumer.assign([TopicPartition("full", 0, OFFSET_BEGINNING)])
    got = []
    deadline = time.monotonic() + 60
    while len(got) < high and time.monotonic() < deadline:
        message = consumer.poll(0.5)
        if message is not None and message.error() is None:
            got.append(message.value())
    consumer.close()
    return got


def send_beats_window(port, tag, events=5, timeout=8.0):
    """Sends one Lumberjack v2 window; True when it was acknowledged."""
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as sock:
        frames = [b"2W" + struct.pack(">I", events)]
        for i in range(events):
            payload = json.dumps({"message": f"{tag}-{i}", "pad": "p" * 20_000}).encode()
            frames.append(b"2J" + struct.pack(">II", i + 1, len(payload)) + payload)
        sock.sendall(b"".join(frames))
        deadline = time.monotonic() + timeout
        try:
            while time.monotonic() < deadline:
                header = sock.recv(6)
                if len(header) < 6:
                    return False
                if struct.unpack(">I", header[2:])[0] == events:
                    return True
        except (socket.timeout, ConnectionResetError):
            return False
    return False


def fill(path):
    """Writes a filler file until the filesystem is full (unbuffered, to the last byte)."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
    try:
        for size in (256 << 10, 4096, 1):
            try:
                while True:
                    os.write(fd, b"\0" * size)
            except OSError:
                pass
    finally:
        os.close(fd)


def test_full_disk_refuses_with_storage_error_and_recovers(make_server, workdir):
    with small_tmpfs(os.path.join(workdir, "data")) as data:
        run_full_disk_case(make_server, data)


def run_full_disk_case(make_server, data):
    server = None
    try:
        def configure(config, ports):
            config["storage"]["config"] = {"flush": "always", "segmentBytes": 4 << 20}
            config["connectors"].append({"name": "beats", "plugin": "beats-input", "config": {
                "listen": f"127.0.0.1:{ports['beats']}", "topic": "beats-full"}})
        server = make_server(configure=configure, listeners=("beats",))
        before, error = produce(server, 100, b"before")
        assert error is None and len(before) == 100, error
        assert send_beats_window(server.ports["beats"], "ok"), "a beats window was not acknowledged on a free disk"

        filler = os.path.join(data, "filler")
        fill(filler)
        refused, error = produce(server, 50, b"full")
        assert error is not None, f"{len(refused)} records of 10 kB were acknowledged on a full 16 MiB disk"
        assert error.code() == KafkaError.KAFKA_STORAGE_ERROR, f"expected KAFKA_STORAGE_ERROR (56), got {error}"
        # The beats topic's segment holds blocks its first 100 kB window reserved ahead (the
        # segment log preallocates up to 8 such appends, at most 16 MiB): windows that fit in
        # them are written and acknowledged; the first one that does not fit is refused.
        stored_windows = 0
        while send_beats_window(server.ports["beats"], f"lost-{stored_windows}"):
            stored_windows += 1
            assert stored_windows <= 200, "200 beats windows of 100 kB were acknowledged on a full 16 MiB disk"
        assert server.process.poll() is None, "the server exited on a full disk"
        log = server.read_log()
        assert "KAFKA_STORAGE_ERROR" in log and "no space left on the device holding" in log, log[-3000:]
        assert data in log, "the log line does not say where the disk is full"

        stored = consume_all(server)
        assert stored[:100] == before, "records acknowledged before the disk filled are not all readable"
        assert stored[100:] == refused, "the log holds records that were not acknowledged"

        os.unlink(filler)
        after, error = produce(server, 20, b"after")
        assert error is None and len(after) == 20, f"producing after space was freed failed: {error}"
        assert consume_all(server) == before + refused + after
        assert send_beats_window(server.ports["beats"], "again"), "beats windows are not acknowledged after space was freed"
    finally:
        if server is not None:
            server.stop()


def test_full_disk_fails_offset_commits_cleanly_and_keeps_what_was_committed(make_server, workdir):
    """The SQLite metadata store on a full disk: a commit either succeeds (and reads back) or
    fails with KAFKA_STORAGE_ERROR as a whole; the server stays up, and after space is freed
    commits work again and survive a restart (the file was not damaged)."""
    with small_tmpfs(os.path.join(workdir, "data")) as data:
        run_metadata_full_case(make_server, data)


def run_metadata_full_case(make_server, data):
    from confluent_kafka import KafkaException
    from confluent_kafka.admin import AdminClient, NewTopic
    server = None
    try:
        server = make_server()
        admin = AdminClient({"bootstrap.servers": server.bootstrap})
        admin.create_topics([NewTopic("meta", 50, 1)])["meta"].result(timeout=30)
        consumer = Consumer({"bootstrap.servers": server.bootstrap, "group.id": "full-meta", "enable.auto.commit": False})
        partitions = [TopicPartition("meta", p) for p in range(50)]
        metadata = "m" * 4000   # 50 × 4 kB per commit: the metadata file must grow

        def commit(offset):
            consumer.commit(offsets=[TopicPartition("meta", p, offset, metadata) for p in range(50)], asynchronous=False)

        def committed():
            return {tp.offset for tp in consumer.committed(partitions, timeout=30)}

        commit(1)
        fill(os.path.join(data, "filler"))
        last_ok, errors = 1, []
        for offset in range(2, 40):
            try:
                commit(offset)
                last_ok = offset
            except KafkaException as error:
                errors.append(error.args[0])
        assert errors, "every commit of 200 kB succeeded on a full 16 MiB disk"
        assert all(e.code() == KafkaError.KAFKA_STORAGE_ERROR for e in errors), errors[:3]
        assert server.process.poll() is None, "the server exited on a full disk"
        assert committed() == {last_ok}, "a failed commit left some partitions changed (commits are all or nothing)"
        assert "no space left on the device holding the metadata file" in server.read_log(), server.read_log()[-3000:]

        os.unlink(os.path.join(data, "filler"))
        commit(100)
        assert committed() == {100}
        consumer.close()
        server.stop()
        server.start()
        consumer = Consumer({"bootstrap.servers": server.bootstrap, "group.id": "full-meta", "enable.auto.commit": False})
        assert committed() == {100}, "committed offsets did not survive a restart after the disk was full"
        consumer.close()
    finally:
        if server is not None:
            server.stop()
