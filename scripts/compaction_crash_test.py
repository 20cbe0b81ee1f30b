"""Kill -9 during log cleaning (run it through scripts/compaction-crash-test).

A compacted topic (small segments, cleaner every 100 ms) receives keyed records from
confluent-kafka (acks=all); each round overwrites many keys and tombstones a few, waits
a random moment so the cleaner is mid-pass, and kills the server with SIGKILL. Then:

- `sluice storage check` on the killed directory is run and its result counted (a kill
  inside a swap leaves `.cleaned`/`.swap` files there: a figure, not a failure);
- the server is started again (recovery finishes or discards the interrupted swap) and
  every key must hold its latest acknowledged value, and every deleted key be absent or
  a tombstone;
- the server is stopped cleanly and `sluice storage check` must pass.

Prints figures (rounds, records, kills that interrupted a clean, cleaned-away records);
exit status 0 only when every round held.
"""
import argparse
import json
import os
import random
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time

from confluent_kafka import Consumer, Producer, TopicPartition
from confluent_kafka.admin import AdminClient, NewTopic

TOPIC = "compacted"


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    def __init__(self, binary, workdir, port):
        self.binary, self.workdir, self.port = binary, workdir, port
        self.config_path = os.path.join(workdir, "plugins.json")
        self.log_path = os.path.join(workdir, "sluice.log")
        config = {
            "broker": {"dataDir": "data", "autoCreateTopics": False, "logCleanerIntervalMs": 100},
            "storage": {"plugin": "segment-log", "config": {}},
            "metadata": {"plugin": "sqlite", "config": {}},
            "protocols": [{"plugin": "kafka", "config": {"listen": f"127.0.0.1:{port}"}}],
            "connectors": [],
        }
        with open(self.config_path, "w") as f:
            json.dump(config, f)
        self.process = None

    @property
    def bootstrap(self):
        return f"127.0.0.1:{self.port}"

    @property
    def data_dir(self):
        return os.path.join(self.workdir, "data")

    def start(self, timeout=60):
        log = open(self.log_path, "ab")
        started = time.monotonic()
        self.process = subprocess.Popen([self.binary, "serve", "--config", self.config_path], cwd=self.workdir,
                                        stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
        deadline = started + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise SystemExit(f"sluice exited with {self.process.returncode} at start; see {self.log_path}")
            with open(self.log_path, "rb") as f:
                if f.read().count(b"sluice serving") >= self.starts + 1:
                    self.starts += 1
                    return time.monotonic() - started
            time.sleep(0.05)
        raise SystemExit(f"sluice did not start within {timeout}s; see {self.log_path}")

    starts = 0

    def kill(self):
        self.process.kill()
        self.process.wait(timeout=30)

    def stop(self):
        self.process.send_signal(signal.SIGTERM)
        code = self.process.wait(timeout=60)
        if code != 0:
            raise SystemExit(f"sluice exited with {code} on SIGTERM; see {self.log_path}")


def check(binary, directory):
    result = subprocess.run([binary, "storage", "check", directory], capture_output=True, text=True, timeout=300,
                            stdin=subprocess.DEVNULL)
    return result.returncode, result.stdout + result.stderr


def read_latest(bootstrap):
    consumer = Consumer({"bootstrap.servers": bootstrap, "group.id": "verify", "enable.auto.commit": False})
    try:
        _, high = consumer.get_watermark_offsets(TopicPartition(TOPIC, 0), timeout=30)
        consumer.assign([TopicPartition(TOPIC, 0, 0)])
        latest, count, last = {}, 0, -1
        deadline = time.monotonic() + 60
        while last < high - 1 and time.monotonic() < deadline:
            msg = consumer.poll(0.5)
            if msg is None:
                continue
            if msg.error():
                raise SystemExit(f"consumer error: {msg.error()}")
            latest[msg.key().decode()] = None if msg.value() is None else msg.value().decode()
            count += 1
            last = msg.offset()
        if last < high - 1:
            raise SystemExit(f"could not read up to offset {high - 1} (got {last})")
        return latest, count, high
    finally:
        consumer.close()


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rounds", type=int, default=50)
    parser.add_argument("--keys", type=int, default=2000)
    parser.add_argument("--records-per-round", type=int, default=20000)
    parser.add_argument("--seed", type=int, default=None)
    parser.add_argument("--keep", action="store_true", help="keep the work directory")
    args = parser.parse_args()
    seed = args.seed if args.seed is not None else random.randrange(1 << 30)
    rng = random.Random(seed)
    binary = os.environ.get("SLUICE_BIN", ".build/debug/sluice")
    workdir = tempfile.mkdtemp(prefix="sluice-compaction-crash-")
    server = Server(binary, workdir, free_port())
    failures = []
    acked = {}  # key -> latest acknowledged value (None: tombstone)
    produced = 0
    interrupted = 0
    recoveries = []
    print(f"compaction crash test: {args.rounds} rounds, {args.keys} keys, {args.records_per_round} records a round, seed {seed}")
    try:
        server.start()
        admin = AdminClient({"bootstrap.servers": server.bootstrap})
        admin.create_topics([NewTopic(TOPIC, 1, 1, config={
            "cleanup.policy": "compact", "segment.bytes": "65536", "min.cleanable.dirty.ratio": "0.01",
            "delete.retention.ms": "1000"})])[TOPIC].result(30)
        for round_number in range(1, args.rounds + 1):
            producer = Producer({"bootstrap.servers": server.bootstrap, "acks": "all", "linger.ms": 5,
                                 "batch.size": 16384, "enable.idempotence": True, "log_level": 2})
            pending = {}

            def delivered(err, msg, pending=pending):
                if err is None:
                    pending[msg.offset()] = (msg.key().decode(), None if msg.value() is None else msg.value().decode())
            for i in range(args.records_per_round):
                key = f"k{rng.randrange(args.keys)}"
                value = None if rng.random() < 0.02 else f"r{round_number}-{i}"
                producer.produce(TOPIC, key=key.encode(), value=None if value is None else value.encode(),
                                 partition=0, on_delivery=delivered)
                if i % 1000 == 999:
                    producer.poll(0)
            if producer.flush(60) != 0:
                raise SystemExit("producer could not deliver everything within 60 s")
            for offset in sorted(pending):
                key, value = pending[offset]
                acked[key] = value
            produced += len(pending)
            time.sleep(rng.uniform(0.0, 0.4))  # the cleaner runs every 100 ms
            server.kill()
            del producer
            code, _ = check(binary, server.data_dir)
            left = code != 0
            interrupted += left
            recoveries.append(server.start())
            latest, count, high = read_latest(server.bootstrap)
            wrong = [k for k, v in acked.items() if latest.get(k) != v and not (v is None and k not in latest)]
            if wrong:
                failures.append(f"round {round_number}: {len(wrong)} keys lost their latest acknowledged value, e.g. "
                                f"{wrong[0]}: acknowledged {acked[wrong[0]]!r}, read {latest.get(wrong[0])!r}")
            server.stop()
            code, report = check(binary, server.data_dir)
            if code != 0:
                failures.append(f"round {round_number}: storage check failed after a clean stop:\n{report}")
            server.start()
            print(f"round {round_number}: {produced} records acknowledged so far, {count} in the log "
                  f"(log end {high}), check after the kill {'found work for recovery' if left else 'clean'}", flush=True)
            if failures:
                break
    finally:
        if server.process and server.process.poll() is None:
            server.stop()
        if args.keep or failures:
            print(f"work directory kept: {workdir}")
        else:
            shutil.rmtree(workdir, ignore_errors=True)
    print(f"rounds: {len(recoveries)}; records acknowledged: {produced}; keys: {len(acked)}")
    print(f"kills that left an interrupted clean or torn tail for recovery: {interrupted}")
    if recoveries:
        print(f"restart after kill: median {sorted(recoveries)[len(recoveries) // 2]:.2f} s, max {max(recoveries):.2f} s")
    if failures:
        print("FAILED:\n" + "\n".join(failures))
        sys.exit(1)
    print("ok: every round's log passed the segment checker and every key held its latest acknowledged value")


if __name__ == "__main__":
    main()
