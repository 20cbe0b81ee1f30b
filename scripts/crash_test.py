"""Kill -9 and torn-tail test for `sluice serve` (run it through scripts/crash-test).

While idempotent Kafka producers (acks=all), a Lumberjack v2 (beats) client and a
consumer group committing offsets run against the server, the server is killed with
SIGKILL at random moments and restarted on the same data directory. Between some rounds
the tail of a partition's last segment is torn while the server is down: garbage bytes,
a batch cut short, or a whole batch with a bad CRC are appended after the last record
(never over acknowledged bytes), as an interrupted write would leave them. At the end:

- every record a producer saw acknowledged is in the log exactly once (idempotence is on,
  so no record at all may appear twice, acknowledged or not), in producer order within
  its partition;
- every event of an acknowledged beats window is in the log; an event may appear more
  than once only when its window was sent more than once (the client resends a window
  whose ack it did not get before the kill), and at most once per send;
- the consumer group's committed offset after every restart is at least the last commit
  acknowledged before the kill;
- the server started again every round (recovery time = start until 'sluice serving').

Exit status 0 only when all of this holds; the summary names every violation.
"""
import argparse
import json
import os
import random
import shutil
import signal
import socket
import struct
import subprocess
import sys
import tempfile
import threading
import time

from confluent_kafka import Consumer, KafkaException, Producer, TopicPartition

TOPIC = "crash"
BEATS_TOPIC = "beats"
GROUP = "crash-group"
PARTITIONS = 4


def log(msg):
    print(f"crash-test: {msg}", flush=True)


# --- server ------------------------------------------------------------------------


class Server:
    """`sluice serve` on a fixed data dir; ports picked by the first start (port 0 +
    portFile) and reused by every restart so clients keep their bootstrap address."""

    def __init__(self, binary, workdir):
        self.binary = binary
        self.workdir = workdir
        self.kafka_port = 0
        self.beats_port = 0
        self.process = None
        self.log_path = os.path.join(workdir, "sluice.log")

    @property
    def data_dir(self):
        return os.path.join(self.workdir, "data")

    def config(self):
        return {
            "broker": {"dataDir": "data", "autoCreateTopics": True, "defaultPartitions": PARTITIONS},
            "storage": {"plugin": "segment-log", "config": {"flush": "always", "segmentBytes": 262144}},
            "metadata": {"plugin": "sqlite", "config": {}},
            "protocols": [{"plugin": "kafka", "config": {
                "listen": f"127.0.0.1:{self.kafka_port}", "portFile": os.path.join(self.workdir, "kafka.port")}}],
            "connectors": [{"name": "beats", "plugin": "beats-input", "config": {
                "listen": f"127.0.0.1:{self.beats_port}", "topic": BEATS_TOPIC,
                "portFile": os.path.join(self.workdir, "beats.port")}}],
        }

    def start(self, timeout=60.0):
        """Starts and waits for 'sluice serving'; returns the seconds that took."""
        for name in ("kafka.port", "beats.port"):
            try:
                os.unlink(os.path.join(self.workdir, name))
            except FileNotFoundError:
                pass
        config_path = os.path.join(self.workdir, "plugins.json")
        with open(config_path, "w") as f:
            json.dump(self.config(), f, indent=2)
        self.log_offset = os.path.getsize(self.log_path) if os.path.exists(self.log_path) else 0
        started = time.monotonic()
        with open(self.log_path, "ab") as out:
            self.process = subprocess.Popen([self.binary, "serve", "--config", config_path, "--log-level", "info"],
                                            cwd=self.workdir, stdout=out, stderr=subprocess.STDOUT,
                                            stdin=subprocess.DEVNULL)
        deadline = started + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"sluice exited with {self.process.returncode} during start-up:\n{self.tail()}")
            # 'sluice serving' can precede the listeners' bind: wait for their port files too.
            if "sluice serving" in self.tail() and all(
                    os.path.exists(os.path.join(self.workdir, name)) for name in ("kafka.port", "beats.port")):
                break
            time.sleep(0.02)
        else:
            raise RuntimeError(f"sluice did not log 'sluice serving' within {timeout}s:\n{self.tail()}")
        elapsed = time.monotonic() - started
        self.kafka_port = self.read_port("kafka.port")
        self.beats_port = self.read_port("beats.port")
        return elapsed

    def read_port(self, name):
        with open(os.path.join(self.workdir, name)) as f:
            return int(f.read().strip().rsplit(":", 1)[1])

    def tail(self):
        try:
            with open(self.log_path, "rb") as f:
                f.seek(self.log_offset)
                return f.read().decode(errors="replace")
        except OSError:
            return ""

    def kill(self):
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(timeout=30)

    def stop(self):
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)


# --- Kafka producers and the consumer group ------------------------------------------


class ProducerThread(threading.Thread):
    """One idempotent producer; values are '<name>:<seq>' so each record is traceable."""

    def __init__(self, name, bootstrap, stop, rate):
        super().__init__(daemon=True)
        self.name_ = name
        self.stop = stop
        self.rate = rate
        self.lock = threading.Lock()
        self.acked = {}          # seq -> (partition, offset)
        self.failed = {}         # seq -> error text
        self.sent = 0
        self.producer = Producer({
            "bootstrap.servers": bootstrap, "acks": "all", "enable.idempotence": True,
            "linger.ms": 5, "message.timeout.ms": 120000, "retry.backoff.ms": 100,
            "reconnect.backoff.max.ms": 500, "socket.connection.setup.timeout.ms": 3000,
            "topic.metadata.refresh.interval.ms": 2000, "log_level": 2,
        })

    def report(self, err, msg):
        seq = int(msg.value().decode().split(":")[1])
        with self.lock:
            if err is None:
                self.acked[seq] = (msg.partition(), msg.offset())
            else:
                self.failed[seq] = str(err)

    def run(self):
        seq = 0
        while not self.stop.is_set():
            try:
                self.producer.produce(TOPIC, key=f"key-{seq % 17}", value=f"{self.name_}:{seq}", on_delivery=self.report)
                seq += 1
                self.sent = seq
            except BufferError:
                pass
            self.producer.poll(0)
            time.sleep(1.0 / self.rate)

    def finish(self, timeout):
        remaining = self.producer.flush(timeout)
        return remaining


class GroupConsumerThread(threading.Thread):
    """A group member that commits synchronously every few records and remembers the
    last commit the server acknowledged, per partition."""

    def __init__(self, bootstrap, stop):
        super().__init__(daemon=True)
        self.stop = stop
        self.lock = threading.Lock()
        self.last_commit = {}    # partition -> offset acknowledged
        self.commits = 0
        self.consumer = Consumer({
            "bootstrap.servers": bootstrap, "group.id": GROUP, "enable.auto.commit": False,
            "auto.offset.reset": "earliest", "session.timeout.ms": 10000, "heartbeat.interval.ms": 1000,
            "reconnect.backoff.max.ms": 500, "socket.connection.setup.timeout.ms": 3000, "log_level": 2,
        })

    def run(self):
        self.consumer.subscribe([TOPIC])
        since = 0
        while not self.stop.is_set():
            try:
                msg = self.consumer.poll(0.2)
            except KafkaException:
                continue
            if msg is None or msg.error():
                continue
            since += 1
            if since >= 25:
                since = 0
                try:
                    done = self.consumer.commit(asynchronous=False)
                except KafkaException:
                    continue
                with self.lock:
                    for tp in done or []:
                        if tp.error is None and tp.offset >= 0:
                            self.last_commit[tp.partition] = max(tp.offset, self.last_commit.get(tp.partition, -1))
                            self.commits += 1

    def snapshot(self):
        with self.lock:
            return dict(self.last_commit)


def committed_offsets(bootstrap):
    """The group's committed offsets as a fresh client sees them (OffsetFetch)."""
    consumer = Consumer({"bootstrap.servers": bootstrap, "group.id": GROUP, "enable.auto.commit": False, "log_level": 2})
    try:
        for _ in range(20):
            try:
                parts = consumer.committed([TopicPartition(TOPIC, p) for p in range(PARTITIONS)], timeout=10)
                return {tp.partition: tp.offset for tp in parts if tp.error is None}
            except KafkaException:
                time.sleep(0.5)
        raise RuntimeError("could not fetch committed offsets after restart")
    finally:
        consumer.close()


# --- beats (Lumberjack v2) client ---------------------------------------------------------


class BeatsThread(threading.Thread):
    """Sends windows of JSON events ('beats:<window>:<i>') and waits for each window's
    ack; a window whose ack did not arrive is resent after reconnecting, as Filebeat does."""

    def __init__(self, server, stop, window=20):
        super().__init__(daemon=True)
        self.server = server
        self.stop = stop
        self.window = window
        self.lock = threading.Lock()
        self.acked = set()       # window numbers
        self.attempts = {}       # window number -> times sent (partly or whole)

    def run(self):
        number = 0
        sock = None
        while not self.stop.is_set():
            try:
                if sock is None:
                    sock = socket.create_connection(("127.0.0.1", self.server.beats_port), timeout=5)
                    sock.settimeout(10)
                with self.lock:
                    self.attempts[number] = self.attempts.get(number, 0) + 1
                frames = [b"2W" + struct.pack(">I", self.window)]
                for i in range(self.window):
                    payload = json.dumps({"message": f"beats:{number}:{i}"}).encode()
                    frames.append(b"2J" + struct.pack(">II", i + 1, len(payload)) + payload)
                sock.sendall(b"".join(frames))
                while True:
                    header = recv_exact(sock, 6)
                    if header[:2] != b"2A":
                        raise OSError(f"unexpected frame {header!r}")
                    if struct.unpack(">I", header[2:])[0] == self.window:
                        break
                with self.lock:
                    self.acked.add(number)
                number += 1
                time.sleep(0.02)
            except OSError:
                if sock is not None:
                    sock.close()
                sock = None
                time.sleep(0.1)
        if sock is not None:
            sock.close()


def recv_exact(sock, n):
    data = b""
    while len(data) < n:
        chunk = sock.recv(n - len(data))
        if not chunk:
            raise OSError("connection closed")
        data += chunk
    return data


# --- tearing the tail of a segment ---------------------------------------------------------


def batches_in(path):
    """(position, length) of each whole v2 batch in a segment file."""
    with open(path, "rb") as f:
        data = f.read()
    found, pos = [], 0
    while pos + 12 <= len(data):
        length = struct.unpack(">i", data[pos + 8:pos + 12])[0]
        if length <= 0 or pos + 12 + length > len(data):
            break
        found.append((pos, 12 + length))
        pos += 12 + length
    return data, found


def tear(data_dir, rng):
    """Appends an interrupted write after the last batch of a random partition's active
    segment; returns a description, or None when the partition has no batch yet."""
    partition = rng.randrange(PARTITIONS)
    directory = os.path.join(data_dir, f"{TOPIC}-{partition}")
    segments = sorted(n for n in os.listdir(directory) if n.endswith(".log")) if os.path.isdir(directory) else []
    if not segments:
        return None
    path = os.path.join(directory, segments[-1])
    data, found = batches_in(path)
    if not found:
        return None
    pos, length = found[-1]
    last = bytearray(data[pos:pos + length])
    mode = rng.choice(["garbage", "cut-batch", "bad-crc"])
    if mode == "garbage":
        tail = bytes(rng.randrange(256) for _ in range(rng.randrange(1, 300)))
    elif mode == "cut-batch":
        # A whole copy appended, then truncated inside it: a write the crash interrupted.
        tail = bytes(last[:rng.randrange(1, len(last))])
    else:
        last[-1] ^= 0xFF  # the records no longer match the CRC
        tail = bytes(last)
    with open(path, "ab") as f:
        f.write(tail)
    return f"{mode} ({len(tail)} bytes) after {os.path.basename(directory)}/{segments[-1]} at {len(data)}"


# --- reading everything back ------------------------------------------------------------------


def read_all(bootstrap, topic):
    """Every record of `topic`: {partition: [(offset, value)]}, read to the high watermark."""
    consumer = Consumer({"bootstrap.servers": bootstrap, "group.id": f"verify-{time.time()}",
                         "enable.auto.commit": False, "auto.offset.reset": "earliest",
                         "enable.partition.eof": True, "fetch.max.bytes": 4 << 20, "log_level": 2})
    out = {}
    try:
        ends = {}
        for p in range(PARTITIONS):
            low, high = consumer.get_watermark_offsets(TopicPartition(topic, p), timeout=10)
            ends[p] = high
            out[p] = []
        consumer.assign([TopicPartition(topic, p, 0) for p in range(PARTITIONS) if ends[p] > 0])
        pending = {p for p in range(PARTITIONS) if ends[p] > 0}
        deadline = time.monotonic() + 300
        while pending and time.monotonic() < deadline:
            msg = consumer.poll(1.0)
            if msg is None:
                continue
            if msg.error():
                continue
            out[msg.partition()].append((msg.offset(), msg.value().decode()))
            if msg.offset() + 1 >= ends[msg.partition()]:
                pending.discard(msg.partition())
        if pending:
            raise RuntimeError(f"could not read {topic} partitions {sorted(pending)} to their end")
    finally:
        consumer.close()
    return out


# --- the run -------------------------------------------------------------------------------


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rounds", type=int, default=100, help="kill/restart rounds (default 100)")
    parser.add_argument("--producers", type=int, default=3, help="parallel idempotent producers (default 3)")
    parser.add_argument("--rate", type=float, default=300, help="records per second per producer (default 300)")
    parser.add_argument("--min-up", type=float, default=0.3, help="least seconds of traffic before a kill")
    parser.add_argument("--max-up", type=float, default=3.0, help="most seconds of traffic before a kill")
    parser.add_argument("--seed", type=int, default=None, help="random seed (default: time)")
    parser.add_argument("--keep", action="store_true", help="keep the work directory")
    args = parser.parse_args()

    binary = os.environ.get("SLUICE_BIN") or os.path.join(os.path.dirname(__file__), "..", ".build", "debug", "sluice")
    if not os.access(binary, os.X_OK):
        log(f"no sluice binary at {binary}; build it or set SLUICE_BIN")
        return 2
    seed = args.seed if args.seed is not None else int(time.time())
    rng = random.Random(seed)
    workdir = tempfile.mkdtemp(prefix="sluice-crash-")
    log(f"binary {binary}, work dir {workdir}, seed {seed}, {args.rounds} rounds")
    server = Server(os.path.abspath(binary), workdir)
    problems = []
    recoveries = []
    tears = []
    stop = threading.Event()
    threads = []
    try:
        recoveries.append(server.start())
        bootstrap = f"127.0.0.1:{server.kafka_port}"
        producers = [ProducerThread(f"p{i}", bootstrap, stop, args.rate) for i in range(args.producers)]
        consumer = GroupConsumerThread(bootstrap, stop)
        beats = BeatsThread(server, stop)
        threads = [*producers, consumer, beats]
        for t in threads:
            t.start()
        for round_ in range(1, args.rounds + 1):
            # Every fourth round runs long enough for the group to rejoin after the last
            # restart and commit, so the committed-offset check has commits to check.
            time.sleep(rng.uniform(5.0, 7.0) if round_ % 4 == 0 else rng.uniform(args.min_up, args.max_up))
            server.kill()
            before = consumer.snapshot()
            torn = tear(server.data_dir, rng) if rng.random() < 0.5 else None
            if torn:
                tears.append(torn)
            try:
                recoveries.append(server.start())
            except RuntimeError as error:
                problems.append(f"round {round_}: restart failed: {error}")
                break
            after = committed_offsets(bootstrap)
            STATS["commit_checks"] += len(before)
            for p, offset in before.items():
                if after.get(p, -1) < offset:
                    problems.append(f"round {round_}: partition {p}: committed offset {after.get(p)} after restart, "
                                    f"but {offset} was acknowledged before the kill")
            if round_ % 10 == 0 or round_ == args.rounds:
                acked = sum(len(p.acked) for p in producers)
                log(f"round {round_}/{args.rounds}: {acked} records and {len(beats.acked)} beats windows acknowledged, "
                    f"recovery {recoveries[-1]:.2f}s{', torn: ' + torn if torn else ''}")
        # Let every producer finish what it has in flight, then read everything back.
        stop.set()
        for t in threads:
            t.join(timeout=30)
        for p in producers:
            left = p.finish(120)
            if left:
                problems.append(f"producer {p.name_}: {left} records still unacknowledged after 120 s")
        consumer.consumer.close()
        check_kafka(producers, read_all(bootstrap, TOPIC), problems)
        beats_summary = check_beats(beats, read_all(bootstrap, BEATS_TOPIC), problems)
        server.stop()
    except Exception as error:  # a harness failure is a failed run, with the server log
        problems.append(f"harness: {error!r}")
        log(server.tail()[-3000:])
    finally:
        stop.set()
        server.stop()
        if not args.keep and not problems:
            shutil.rmtree(workdir, ignore_errors=True)

    acked = sum(len(p.acked) for p in producers) if threads else 0
    failed = sum(len(p.failed) for p in producers) if threads else 0
    print()
    print("crash-test summary")
    print(f"  seed                   {seed}")
    print(f"  rounds                 {len(recoveries) - 1} of {args.rounds} (SIGKILL each)")
    print(f"  torn tails             {len(tears)} ({', '.join(sorted({t.split()[0] for t in tears}))})")
    print(f"  kafka records acked    {acked} (failed deliveries reported to producers: {failed})")
    print(f"  kafka lost             {STATS['lost']}")
    print(f"  kafka duplicates       {STATS['duplicates']}")
    print(f"  kafka out of order     {STATS['disorder']}")
    if threads:
        print(f"  beats windows acked    {len(beats.acked)} ({len(beats.acked) * beats.window} events); "
              f"resent windows {sum(1 for n in beats.attempts.values() if n > 1)}")
        print(f"  beats lost             {STATS['beats_lost']}")
        print(f"  beats duplicates       {STATS['beats_dups']} (allowed: events of windows resent after a kill)")
        print(f"  group commits acked    {consumer.commits}")
    if recoveries:
        ordered = sorted(recoveries)
        print(f"  recovery time          min {ordered[0]:.2f}s, median {ordered[len(ordered) // 2]:.2f}s, "
              f"max {ordered[-1]:.2f}s (start until 'sluice serving')")
    print(f"  group offsets checked  {STATS['commit_checks']} partitions after restarts")
    print(f"  problems               {len(problems)}")
    for problem in problems[:50]:
        print(f"    - {problem}")
    if problems:
        print(f"  work dir kept: {workdir}")
    return 1 if problems else 0


STATS = {"commit_checks": 0, "lost": 0, "duplicates": 0, "disorder": 0, "beats_lost": 0, "beats_dups": 0}


def check_kafka(producers, records, problems):
    where = {}
    for partition, items in records.items():
        for offset, value in items:
            where.setdefault(value, []).append((partition, offset))
    names = {p.name_ for p in producers}
    for value, places in where.items():
        name, _, seq = value.partition(":")
        if name not in names or not seq.isdigit():
            problems.append(f"a record no producer sent (torn bytes served as data?): {value[:100]!r} at {places}")
        if len(places) > 1:
            STATS["duplicates"] += len(places) - 1
            if STATS["duplicates"] <= 10:
                problems.append(f"duplicate: {value} at {places} (idempotence is on)")
    for p in producers:
        last = {}
        for seq in sorted(p.acked):
            value = f"{p.name_}:{seq}"
            places = where.get(value)
            if not places:
                STATS["lost"] += 1
                if STATS["lost"] <= 10:
                    problems.append(f"lost: {value}, acknowledged at {p.acked[seq]}")
                continue
            partition, offset = places[0]
            if partition in last and offset < last[partition]:
                STATS["disorder"] += 1
                if STATS["disorder"] <= 10:
                    problems.append(f"out of order: {value} at {partition}/{offset} after offset {last[partition]}")
            last[partition] = offset
    for name, count in (("lost", STATS["lost"]), ("duplicates", STATS["duplicates"]), ("out of order", STATS["disorder"])):
        if count > 10:
            problems.append(f"... {count} {name} in all")


def check_beats(beats, records, problems):
    counts = {}
    for items in records.values():
        for _, value in items:
            try:
                message = json.loads(value)["message"]
            except (ValueError, KeyError, TypeError):
                problems.append(f"beats record that is not an event: {value[:200]!r}")
                continue
            counts[message] = counts.get(message, 0) + 1
    for number, sent in beats.attempts.items():
        for i in range(beats.window):
            seen = counts.get(f"beats:{number}:{i}", 0)
            if number in beats.acked and seen == 0:
                STATS["beats_lost"] += 1
                if STATS["beats_lost"] <= 10:
                    problems.append(f"beats lost: event {i} of acknowledged window {number}")
            if seen > 1:
                STATS["beats_dups"] += seen - 1
            if seen > sent:
                problems.append(f"beats: event {i} of window {number} stored {seen} times but sent {sent} times")


if __name__ == "__main__":
    sys.exit(main())
