"""Compaction figures (run it through scripts/compaction-bench): a compacted topic receives
--records records over --keys keys from confluent-kafka, twice on a fresh server:

1. with the log cleaner off (broker.logCleanerEnabled false): produce throughput and the
   produce latency (send to acknowledgement) p50/p99;
2. with the cleaner on (every 200 ms): the same produce figures measured while the
   cleaner runs, the cleaner's throughput (bytes cleaned over the cleaner's own run time,
   from /metrics) and how far the topic shrinks once the cleaner is done.

Prints the figures; asserts nothing about speed. Exit status 1 only when a key's latest
value is not read back after cleaning.
"""
import argparse
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request

from confluent_kafka import Consumer, Producer, TopicPartition
from confluent_kafka.admin import AdminClient, NewTopic

TOPIC = "bench-compacted"


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start(binary, workdir, cleaner):
    port = free_port()
    config = {
        "broker": {"dataDir": "data", "logCleanerEnabled": cleaner, "logCleanerIntervalMs": 200},
        "storage": {"plugin": "segment-log", "config": {}},
        "metadata": {"plugin": "sqlite", "config": {}},
        "protocols": [{"plugin": "kafka", "config": {"listen": f"127.0.0.1:{port}"}},
                      {"plugin": "http", "config": {"listen": "127.0.0.1:0", "portFile": os.path.join(workdir, "http.port")}}],
        "connectors": [],
    }
    with open(os.path.join(workdir, "plugins.json"), "w") as f:
        json.dump(config, f)
    log = open(os.path.join(workdir, "sluice.log"), "ab")
    process = subprocess.Popen([binary, "serve", "--config", "plugins.json", "--log-level", "warning"], cwd=workdir,
                               stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            with open(os.path.join(workdir, "http.port")) as f:
                http = int(f.read().strip().rsplit(":", 1)[1])
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return process, f"127.0.0.1:{port}", f"http://127.0.0.1:{http}"
        except (OSError, ValueError, IndexError):
            if process.poll() is not None:
                raise SystemExit(f"sluice exited with {process.returncode}; see {workdir}/sluice.log")
            time.sleep(0.1)
    raise SystemExit("sluice did not start within 60 s")


def cleaner_metrics(http):
    body = urllib.request.urlopen(http + "/metrics", timeout=10).read().decode()
    values = {}
    for line in body.splitlines():
        if line.startswith("sluice_log_cleaner_"):
            name, _, value = line.rpartition(" ")
            values[name] = values.get(name, 0.0) + float(value)
    return values


def total(values, prefix):
    return sum(v for k, v in values.items() if k.split("{")[0] == prefix)


def produce(bootstrap, records, keys):
    producer = Producer({"bootstrap.servers": bootstrap, "acks": "all", "linger.ms": 5, "batch.size": 65536,
                         "queue.buffering.max.messages": 200000})
    latencies = []
    value = b"x" * 100

    def delivered(err, msg, sent):
        if err is None:
            latencies.append(time.perf_counter() - sent)
    started = time.perf_counter()
    for i in range(records):
        sent = time.perf_counter()
        while True:
            try:
                producer.produce(TOPIC, key=b"key-%d" % (i % keys), value=value + b"%d" % i, partition=0,
                                 on_delivery=lambda err, msg, sent=sent: delivered(err, msg, sent))
                break
            except BufferError:
                producer.poll(0.01)
        if i % 5000 == 0:
            producer.poll(0)
    producer.flush(300)
    elapsed = time.perf_counter() - started
    latencies.sort()
    if len(latencies) != records:
        raise SystemExit(f"only {len(latencies)} of {records} records were acknowledged")
    return elapsed, latencies[len(latencies) // 2] * 1000, latencies[int(len(latencies) * 0.99)] * 1000


def count_and_check(bootstrap, keys, records):
    consumer = Consumer({"bootstrap.servers": bootstrap, "group.id": "bench-reader", "enable.auto.commit": False})
    _, high = consumer.get_watermark_offsets(TopicPartition(TOPIC, 0), timeout=30)
    consumer.assign([TopicPartition(TOPIC, 0, 0)])
    latest, count, last = {}, 0, -1
    deadline = time.monotonic() + 300
    while last < high - 1 and time.monotonic() < deadline:
        msg = consumer.poll(0.5)
        if msg is None or msg.error():
            continue
        latest[msg.key()] = msg.value()
        count += 1
        last = msg.offset()
    consumer.close()
    return count, latest == expected_latest(keys, records)


def expected_latest(keys, records):
    """Key k was last written by record i = the largest i < records with i % keys == k."""
    return {b"key-%d" % k: b"x" * 100 + b"%d" % (records - 1 - ((records - 1 - k) % keys)) for k in range(keys)}


def kcat_latest_matches(bootstrap, keys, records):
    """kcat (librdkafka) reads the cleaned topic from the beginning; the last value per key
    must be each key's latest acknowledged value."""
    out = subprocess.run(["kcat", "-C", "-b", bootstrap, "-t", TOPIC, "-o", "beginning", "-e", "-q",
                          "-f", "%k\t%s\n"], capture_output=True, timeout=300, stdin=subprocess.DEVNULL)
    if out.returncode != 0:
        raise SystemExit(f"kcat failed: {out.stderr.decode(errors='replace')}")
    latest = {}
    for line in out.stdout.splitlines():
        key, _, value = line.partition(b"\t")
        latest[key] = value
    return latest == expected_latest(keys, records)


def run(binary, args, cleaner):
    workdir = tempfile.mkdtemp(prefix="sluice-compaction-bench-")
    process, bootstrap, http = start(binary, workdir, cleaner)
    try:
        admin = AdminClient({"bootstrap.servers": bootstrap})
        admin.create_topics([NewTopic(TOPIC, 1, 1, config={
            "cleanup.policy": "compact", "segment.bytes": str(args.segment_bytes),
            "min.cleanable.dirty.ratio": "0.1"})])[TOPIC].result(30)
        elapsed, p50, p99 = produce(bootstrap, args.records, args.keys)
        produced_mb = args.records * 120 / 1e6
        label = "cleaner on " if cleaner else "cleaner off"
        print(f"{label}: produce {args.records / elapsed:,.0f} records/s ({produced_mb / elapsed:.1f} MB/s), "
              f"latency p50 {p50:.1f} ms, p99 {p99:.1f} ms", flush=True)
        if cleaner:
            during = cleaner_metrics(http)
            print(f"  while producing: the cleaner read {total(during, 'sluice_log_cleaner_bytes_cleaned_total') / 1e6:.1f} MB, "
                  f"removed {total(during, 'sluice_log_cleaner_records_removed_total'):,.0f} records", flush=True)
            # Let the cleaner finish: every log below the dirty ratio and no record removed
            # for 3 s (a pass publishes its counts only when it ends).
            last, stable_since = -1.0, time.monotonic()
            deadline = time.monotonic() + 600
            while time.monotonic() < deadline:
                now = cleaner_metrics(http)
                removed = total(now, "sluice_log_cleaner_records_removed_total")
                if removed != last:
                    last, stable_since = removed, time.monotonic()
                if total(now, "sluice_log_cleaner_max_dirty_ratio") <= 0.1 and time.monotonic() - stable_since >= 3:
                    break
                time.sleep(0.25)
            after = cleaner_metrics(http)
            cleaned = total(after, "sluice_log_cleaner_bytes_cleaned_total")
            busy = total(after, "sluice_log_cleaner_run_duration_seconds_sum")
            rate = f"{cleaned / 1e6 / busy:.1f} MB/s over {busy:.1f} s of passes" if busy > 0 else "run time not exported"
            print(f"  cleaner: {cleaned / 1e6:.1f} MB cleaned, {rate}; "
                  f"{total(after, 'sluice_log_cleaner_records_removed_total'):,.0f} records removed", flush=True)
            count, ok = count_and_check(bootstrap, args.keys, args.records)
            by_kcat = kcat_latest_matches(bootstrap, args.keys, args.records)
            print(f"  after cleaning: {count:,} records in the topic for {args.keys:,} keys "
                  f"(the active segment is never cleaned); every key's latest value read back: "
                  f"confluent-kafka {ok}, kcat {by_kcat}", flush=True)
            return ok and by_kcat
        return True
    finally:
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=60)
        shutil.rmtree(workdir, ignore_errors=True)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--records", type=int, default=1_000_000)
    parser.add_argument("--keys", type=int, default=10_000)
    parser.add_argument("--segment-bytes", type=int, default=1 << 20)
    args = parser.parse_args()
    binary = os.environ.get("SLUICE_BIN", ".build/debug/sluice")
    print(f"compaction bench: {args.records:,} records over {args.keys:,} keys, segment.bytes {args.segment_bytes}, "
          f"binary {binary}")
    run(binary, args, cleaner=False)
    ok = run(binary, args, cleaner=True)
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
