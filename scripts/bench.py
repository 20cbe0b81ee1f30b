#!/usr/bin/env python3
"""The figures of scripts/bench, side by side, each the median of --runs runs.

Starts the release `sluice serve` on a scratch data directory with the default plugins
(segment-log + sqlite + kafka + beats + file-sink) on free 127.0.0.1 ports, then measures:
raw disk and segment-log appends (`sluice bench storage`), kcat (librdkafka) produce and
consume, `sluice bench produce|consume|e2e` when the binary has them, beats ingest,
the file sink draining what beats wrote, server CPU time per record (/proc/PID/stat) and
peak RSS (/proc/PID/status VmHWM); 10,000 partitions on one node (create time, idle RSS and
descriptors, a produce to every partition and a consume of all of them, start-up after a clean
stop and after kill -9); server CPU per fetch of a consumer of 1,000 quiet partitions with and
without a fetch session; transactions (`sluice bench transactions` at 1,000 and 10,000
records per transaction); then the cluster case:
a standalone ZooKeeper and three nodes on this machine, one partition with replication
factor 3, kcat with acks=all and produce-ack latency at a fixed rate against its leader.
Standard library only (ZooKeeper is started with Tests/Interop/zookeeper.py).
"""
import argparse
import json
import os
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time

CLK_TCK = os.sysconf("SC_CLK_TCK")


def log(message):
    print(message, file=sys.stderr, flush=True)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """A release `sluice serve` on the default plugins, in a scratch directory."""

    def __init__(self, binary, workdir, flush="interval", extra_connectors=True, cluster=None, listen_timeout=60,
                 log_level="warning", sasl_mechanisms=None):
        """`cluster` = (broker id, ZooKeeper connect string) makes this a cluster node. A
        server started again on the same `workdir` finds the data of the one before;
        `listen_seconds` is how long it took to listen (its start-up)."""
        self.binary = binary
        self.workdir = workdir
        self.kafka_port = free_port()
        self.beats_port = free_port()
        self.archive = os.path.join(workdir, "archive")
        config = {
            "broker": {"dataDir": os.path.join(workdir, "data"), "autoCreateTopics": True, "defaultPartitions": 1},
            "storage": {"plugin": "segment-log", "config": {"segmentBytes": 1073741824, "retentionHours": 168,
                                                            "flush": flush, "flushIntervalMs": 1000}},
            "metadata": {"plugin": "sqlite", "config": {"path": "metadata.sqlite"}},
            "protocols": [{"plugin": "kafka", "config": {"listen": f"127.0.0.1:{self.kafka_port}"}}],
            "connectors": [],
        }
        self.sasl_port = free_port()
        if sasl_mechanisms:
            # Authentication without ACLs would close every resource (allowEveryoneIfNoAclFound).
            config["broker"]["allowEveryoneIfNoAclFound"] = True
            config["protocols"].append({"plugin": "kafka", "config": {
                "listen": f"127.0.0.1:{self.sasl_port}", "sasl": {"mechanisms": sasl_mechanisms}}})
        if cluster:
            config["broker"]["id"] = cluster[0]
            config["metadata"] = {"plugin": "zookeeper", "config": {"connect": cluster[1]}}
        if extra_connectors:
            config["connectors"] = [
                {"name": "beats", "plugin": "beats-input",
                 "config": {"listen": f"127.0.0.1:{self.beats_port}", "topic": "logs"}},
                {"name": "archive", "plugin": "file-sink",
                 "config": {"topics": ["logs"], "format": "value", "path": self.archive}},
            ]
        self.config_path = os.path.join(workdir, "plugins.json")
        with open(self.config_path, "w") as f:
            json.dump(config, f)
        self.log_file = open(os.path.join(workdir, "sluice.log"), "w")
        self.process = subprocess.Popen([binary, "serve", "--config", self.config_path, "--log-level", log_level],
                                        stdout=self.log_file, stderr=subprocess.STDOUT, cwd=workdir)
        started = time.monotonic()
        while time.monotonic() < started + listen_timeout:
            if self.process.poll() is not None:
                raise SystemExit(f"sluice serve exited with {self.process.returncode}; see {self.log_file.name}")
            try:
                with socket.create_connection(("127.0.0.1", self.kafka_port), timeout=0.5):
                    break
            except OSError:
                time.sleep(0.02)
        else:
            self.process.kill()
            raise SystemExit(f"sluice serve did not listen within {listen_timeout} s")
        self.listen_seconds = time.monotonic() - started

    @property
    def bootstrap(self):
        return f"127.0.0.1:{self.kafka_port}"

    def cpu_seconds(self):
        with open(f"/proc/{self.process.pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / CLK_TCK

    def status_kib(self, key):
        with open(f"/proc/{self.process.pid}/status") as f:
            for line in f:
                if line.startswith(key + ":"):
                    return int(line.split()[1])
        return 0

    def open_descriptors(self):
        return len(os.listdir(f"/proc/{self.process.pid}/fd"))

    def stop(self, timeout=30):
        """SIGTERM, then SIGKILL after `timeout` s; returns whether it stopped cleanly (exit 0)."""
        clean = False
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                clean = self.process.wait(timeout=timeout) == 0
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)
        self.log_file.close()
        return clean

    def storage_opened(self):
        """The counts of the storage's last `opened partitions` line (segment-log, notice
        level or lower), e.g. {"trusted": 10000, "recovered": 0, ...}; {} when none."""
        self.log_file.flush()
        found = {}
        with open(self.log_file.name, errors="replace") as f:
            for line in f:
                if "opened partitions" in line:
                    found = {k: int(v) for k, v in re.findall(r"(trusted|recovered|segmentsRead|bytesValidated)=(\d+)", line)}
        return found

    def kill(self):
        """SIGKILL: a crash, nothing flushed or closed."""
        self.process.kill()
        self.process.wait(timeout=10)
        self.log_file.close()


def run(cmd, timeout, stdin=None, capture=True, check=True):
    started = time.monotonic()
    result = subprocess.run(cmd, stdin=stdin, stdout=subprocess.PIPE if capture else subprocess.DEVNULL,
                            stderr=subprocess.PIPE, timeout=timeout, text=True)
    elapsed = time.monotonic() - started
    if check and result.returncode != 0:
        raise SystemExit(f"{' '.join(cmd)} failed ({result.returncode}): {result.stderr.strip()[-2000:]}")
    return result, elapsed


def create_topic(binary, server, name, partitions):
    run([binary, "topics", "create", name, "--partitions", str(partitions), "--bootstrap", server.bootstrap], 120)


class Figures:
    """Named figures collected over runs; the summary prints the median of each."""

    def __init__(self):
        self.values = {}
        self.units = {}
        self.order = []

    def add(self, name, value, unit):
        if name not in self.values:
            self.values[name] = []
            self.units[name] = unit
            self.order.append(name)
        self.values[name].append(value)
        log(f"  {name}: {value:,.2f} {unit}")

    def summary(self):
        lines = [f"{'figure':58} {'median':>14}  unit          runs"]
        for name in self.order:
            values = self.values[name]
            lines.append(f"{name:58} {statistics.median(values):>14,.2f}  {self.units[name]:13} "
                         + " ".join(f"{v:,.0f}" if abs(v) >= 100 else f"{v:,.3g}" for v in values))
        return "\n".join(lines)


def kcat_consumer_options():
    """Options that let kcat's consumer measure the broker rather than its own pauses.

    librdkafka 2.3 and later stop fetching for `fetch.queue.backoff.ms` (default 1000 ms)
    whenever the local queue is full, so a broker that serves faster than kcat prints
    shows up as a 1 s stall per refill. Older librdkafka (Debian bookworm's kcat carries
    2.0.2) has no such pause and no such property, and rejects it."""
    version = subprocess.run(["kcat", "-V"], capture_output=True, text=True).stdout
    found = re.search(r"librdkafka (\d+)\.(\d+)", version)
    if found and (int(found.group(1)), int(found.group(2))) >= (2, 3):
        return ["-X", "fetch.queue.backoff.ms=10"], f"librdkafka {found.group(1)}.{found.group(2)}, fetch.queue.backoff.ms=10"
    label = f"librdkafka {found.group(1)}.{found.group(2)}" if found else "librdkafka version unknown"
    return [], f"{label}, no queue backoff"


def kcat_cases(binary, server, figures, records, record_bytes, scratch):
    """kcat produce (acks=1 and acks=all) and consume of `records` lines of `record_bytes`."""
    data = os.path.join(scratch, f"records-{records}-{record_bytes}.txt")
    if not os.path.exists(data):
        line = ("x" * (record_bytes - 1) + "\n").encode()
        with open(data, "wb") as f:
            chunk = line * 10_000
            for _ in range(records // 10_000):
                f.write(chunk)
            f.write(line * (records % 10_000))
    consumer_options, consumer_label = kcat_consumer_options()
    for acks, label in (("1", "acks=1"), ("all", "acks=all")):
        topic = f"kcat-{label.replace('=', '')}-{time.monotonic_ns()}"
        create_topic(binary, server, topic, 1)
        cpu0 = server.cpu_seconds()
        with open(data, "rb") as f:
            _, elapsed = run(["kcat", "-P", "-b", server.bootstrap, "-t", topic, "-X", "linger.ms=5",
                              "-X", "batch.size=1000000", "-X", f"acks={acks}", "-X", "queue.buffering.max.messages=2000000"],
                             timeout=600, stdin=f)
        cpu = server.cpu_seconds() - cpu0
        figures.add(f"kcat produce {record_bytes} B, {label}", records / elapsed, "records/s")
        figures.add(f"server CPU per produced record ({label})", cpu / records * 1e6, "µs/record")
        if acks == "1":
            cpu0 = server.cpu_seconds()
            _, elapsed = run(["kcat", "-C", "-b", server.bootstrap, "-t", topic, "-o", "beginning", "-e", "-q",
                              "-c", str(records), "-f", "%o\n", "-X", "fetch.max.bytes=52428800", *consumer_options],
                             timeout=600, capture=False)
            cpu = server.cpu_seconds() - cpu0
            figures.add(f"kcat consume {record_bytes} B ({consumer_label})", records / elapsed, "records/s")
            figures.add("server CPU per consumed record", cpu / records * 1e6, "µs/record")


def sluice_bench_json(binary, server, kind, *options):
    result, _ = run([binary, "bench", kind, "--bootstrap", server.bootstrap, "--json", *map(str, options)], timeout=600)
    return json.loads(result.stdout)


def sluice_bench_cases(binary, server, figures, records, latency_seconds):
    """`sluice bench produce|consume|e2e` with 100 B and 1 KiB records (throughput), then
    produce-ack and end-to-end latency at a fixed 10,000 records/s."""
    probe = subprocess.run([binary, "bench", "produce", "--help"], capture_output=True, text=True)
    if probe.returncode != 0:
        raise SystemExit(f"{binary} has no `bench produce`: {probe.stderr.strip()[:500]}")
    for size in (100, 1024):
        count = records if size == 100 else records // 4
        topic = f"bench-{size}-{time.monotonic_ns()}"
        for kind in ("produce", "consume", "e2e"):
            name = topic if kind != "e2e" else topic + "-e2e"
            report = sluice_bench_json(binary, server, kind, "--topic", name, "--records", count,
                                       "--record-size", size, "--acks", "1")
            figures.add(f"sluice bench {kind} {size} B (acks=1)", report["recordsPerSecond"], "records/s")
            figures.add(f"sluice bench {kind} {size} B latency p99", report["latencyMs"].get("p99", 0), "ms")
    count = int(10_000 * latency_seconds)
    for acks in ("1", "all"):
        report = sluice_bench_json(binary, server, "produce", "--topic", f"latency-{acks}-{time.monotonic_ns()}",
                                   "--records", count, "--rate", 10_000, "--batch-records", 10, "--acks", acks)
        for q in ("p50", "p99"):
            figures.add(f"produce ack latency {q} at 10k records/s (acks={acks})", report["latencyMs"][q], "ms")
    report = sluice_bench_json(binary, server, "e2e", "--topic", f"latency-e2e-{time.monotonic_ns()}",
                               "--records", count, "--rate", 10_000, "--batch-records", 10, "--acks", "1")
    for q in ("p50", "p99"):
        figures.add(f"end-to-end latency {q} at 10k records/s", report["latencyMs"][q], "ms")


def beats_case(binary, server, figures, events):
    """Beats ingest of `events` 1 KiB JSON events, then the file sink draining them."""
    before = archived_lines(server.archive)
    cpu0 = server.cpu_seconds()
    started = time.monotonic()
    result, elapsed = run([binary, "bench", "beats", "--connect", f"127.0.0.1:{server.beats_port}",
                           "--events", str(events), "--event-bytes", "1024"], timeout=600)
    sent = int(re.search(r"^(\d+) events", result.stdout.strip()).group(1))
    figures.add("beats ingest 1 KiB events", float(re.search(r"([\d.]+) events/s", result.stdout).group(1)), "events/s")
    figures.add("server CPU per beats event", (server.cpu_seconds() - cpu0) / sent * 1e6, "µs/event")
    deadline = time.monotonic() + 300
    while archived_lines(server.archive) < before + sent and time.monotonic() < deadline:
        time.sleep(0.1)
    drained = archived_lines(server.archive) - before
    figures.add("file sink (beats → file, end to end)", drained / (time.monotonic() - started), "records/s")


def beats_only_case(binary, scratch, figures, events):
    """`sluice bench beats` in-process (its own segment-log store), then `beats_case` against
    a `sluice serve` with the file sink beside the beats input."""
    result, _ = run([binary, "bench", "beats", "--events", str(events), "--event-bytes", "1024", "--dir", scratch],
                    timeout=600)
    figures.add("beats ingest 1 KiB events, in-process", float(re.search(r"([\d.]+) events/s", result.stdout).group(1)),
                "events/s")
    workdir = tempfile.mkdtemp(dir=scratch)
    server = Server(binary, workdir)
    try:
        beats_case(binary, server, figures, events)
    finally:
        server.stop()
        shutil.rmtree(workdir, ignore_errors=True)


def archived_lines(path):
    total = 0
    for root, _, files in os.walk(path):
        for name in files:
            if name.endswith(".log"):
                with open(os.path.join(root, name), "rb") as f:
                    total += sum(chunk.count(b"\n") for chunk in iter(lambda: f.read(1 << 20), b""))
    return total


def cluster_case(binary, scratch, figures, records, latency_seconds):
    """Three nodes and a standalone ZooKeeper on this machine: one partition with
    replication factor 3; kcat produce with acks=all (all three copies before each ack),
    and produce-ack latency at a fixed 10,000 records/s against the partition's leader."""
    sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "Tests", "Interop"))
    from zookeeper import zookeeper_server
    workdir = tempfile.mkdtemp(dir=scratch)
    nodes = []
    with zookeeper_server() as zk:
        try:
            cluster_nodes(binary, zk.connect(f"/bench-{time.monotonic_ns()}"), workdir, nodes)
            cluster_figures(binary, nodes, scratch, figures, records, latency_seconds)
        finally:
            for node in nodes:
                node.stop()
            shutil.rmtree(workdir, ignore_errors=True)


def cluster_nodes(binary, chroot, workdir, nodes):
    """Starts three nodes (appending each to `nodes` at once, for the caller's cleanup)."""
    for broker_id in (1, 2, 3):
        node_dir = os.path.join(workdir, f"node{broker_id}")
        os.makedirs(node_dir)
        nodes.append(Server(binary, node_dir, extra_connectors=False, cluster=(broker_id, chroot)))


def cluster_figures(binary, nodes, scratch, figures, records, latency_seconds):
    """kcat acks=all throughput and produce-ack latency on a replication-factor-3 partition."""
    topic = "cluster-bench"
    deadline = time.monotonic() + 60
    while True:
        result = subprocess.run([binary, "cluster", "--bootstrap", nodes[0].bootstrap, "--output", "json"],
                                capture_output=True, text=True, timeout=30)
        if result.returncode == 0 and len(json.loads(result.stdout)) == 3:
            break
        if time.monotonic() > deadline:
            raise SystemExit(f"the three nodes did not form a cluster: {result.stderr}")
        time.sleep(0.2)
    run([binary, "topics", "create", topic, "--partitions", "1", "--replication-factor", "3",
         "--bootstrap", nodes[0].bootstrap], 120)
    while True:
        result, _ = run([binary, "topics", "describe", topic, "--bootstrap", nodes[0].bootstrap, "--output", "json"], 60)
        partition = json.loads(result.stdout)["partitions"][0]
        if len(partition["isr"].split(",")) == 3:
            break
        if time.monotonic() > deadline + 60:
            raise SystemExit(f"the replicas of {topic} did not get in sync: {partition}")
        time.sleep(0.2)
    leader = nodes[int(partition["leader"]) - 1]
    data = os.path.join(scratch, f"cluster-records-{records}.txt")
    with open(data, "wb") as f:
        f.write(("x" * 99 + "\n").encode() * records)
    with open(data, "rb") as f:
        _, elapsed = run(["kcat", "-P", "-b", ",".join(n.bootstrap for n in nodes), "-t", topic, "-p", "0",
                          "-X", "linger.ms=5", "-X", "batch.size=1000000", "-X", "acks=all",
                          "-X", "queue.buffering.max.messages=2000000"], timeout=900, stdin=f)
    figures.add("cluster: kcat produce 100 B, acks=all, RF 3", records / elapsed, "records/s")
    report = sluice_bench_json(binary, leader, "produce", "--topic", topic, "--records", int(10_000 * latency_seconds),
                               "--rate", 10_000, "--batch-records", 10, "--acks", "all")
    for q in ("p50", "p99"):
        figures.add(f"cluster: produce ack latency {q} at 10k records/s (acks=all, RF 3)", report["latencyMs"][q], "ms")


def many_partitions_case(binary, scratch, figures, partitions, consumer_options):
    """One node holding one topic of `partitions` partitions (segment-log + SQLite, under
    this shell's open-file limits): creation time, idle RSS and open descriptors, one
    record produced to every partition (`sluice bench produce`, one partition per request)
    and every partition consumed by kcat (librdkafka, one consumer of all of them), then
    start-up after a clean stop, after kill -9, and after kill -9 right after another record
    to every partition (time from exec to listening; with a binary that logs them, the
    partitions opened without a read and the segments read at each start)."""
    workdir = tempfile.mkdtemp(dir=scratch)
    label = f"{partitions:,} partitions"
    server = Server(binary, workdir, extra_connectors=False)
    try:
        result, created = run([binary, "topics", "create", "wide", "--partitions", str(partitions),
                               "--bootstrap", server.bootstrap, "--timeout", "600"], 660, check=False)
        if result.returncode != 0:
            log(f"  many partitions: creating {label} failed: {result.stderr.strip()[-500:]}")
            return
        figures.add(f"create a topic of {label}", created, "s")
        time.sleep(2)
        figures.add(f"idle RSS, {label}", server.status_kib("VmRSS") / 1024, "MiB")
        figures.add(f"open descriptors, {label} idle", server.open_descriptors(), "fds")
        _, produced = run([binary, "bench", "produce", "--bootstrap", server.bootstrap, "--topic", "wide",
                           "--records", str(partitions), "--batch-records", "1", "--record-size", "20", "--acks", "1",
                           "--concurrency", "1", "--json"], 900)
        figures.add(f"produce one record to each of {label}", produced, "s")
        started = time.monotonic()
        consumed = subprocess.run(["kcat", "-C", "-b", server.bootstrap, "-t", "wide", "-o", "beginning", "-e", "-q",
                                   "-f", "%p\n", *consumer_options], capture_output=True, text=True, timeout=900)
        elapsed = time.monotonic() - started
        seen = {line for line in consumed.stdout.split()}
        if consumed.returncode != 0 or len(seen) != partitions:
            raise SystemExit(f"kcat read {len(seen)} of {partitions} partitions: {consumed.stderr.strip()[-500:]}")
        figures.add(f"consume every partition of {label} (kcat)", elapsed, "s")
        figures.add(f"RSS after produce and consume, {label}", server.status_kib("VmRSS") / 1024, "MiB")
        figures.add(f"open descriptors, {label} after produce and consume", server.open_descriptors(), "fds")
        started = time.monotonic()
        if not server.stop(timeout=600):
            log(f"  many partitions: the server did not stop cleanly; see {server.log_file.name}")
        figures.add(f"clean stop, {label}", time.monotonic() - started, "s")
        server = Server(binary, workdir, extra_connectors=False, listen_timeout=600, log_level="notice")
        figures.add(f"start-up after a clean stop, {label}", server.listen_seconds, "s")
        add_recovery_figures(figures, server, "after a clean stop")
        server.kill()
        server = Server(binary, workdir, extra_connectors=False, listen_timeout=600, log_level="notice")
        figures.add(f"start-up after kill -9, {label}", server.listen_seconds, "s")
        add_recovery_figures(figures, server, "after kill -9")
        figures.add(f"RSS after start-up, {label}", server.status_kib("VmRSS") / 1024, "MiB")
        # A crash right after writing to every partition: what was written since the last
        # flush round is validated at the next start.
        run([binary, "bench", "produce", "--bootstrap", server.bootstrap, "--topic", "wide",
             "--records", str(partitions), "--batch-records", "1", "--record-size", "20", "--acks", "1",
             "--concurrency", "1", "--json"], 900)
        server.kill()
        server = Server(binary, workdir, extra_connectors=False, listen_timeout=600, log_level="notice")
        figures.add(f"start-up after a produce to every partition and kill -9, {label}", server.listen_seconds, "s")
        add_recovery_figures(figures, server, "after a produce and kill -9")
    finally:
        server.stop(timeout=600)
        # The partitions' files stay until the end of the bench (the scratch directory goes
        # then): ext4 without a journal skips inodes freed in the last minutes when it
        # allocates new ones, so deleting 50,000 files here made the next run's creation
        # scan past all of them and several times slower.


def add_recovery_figures(figures, server, when):
    """Partitions opened without a read and segments read at a start (binaries that log
    the segment-log's `opened partitions` line; others add nothing)."""
    opened = server.storage_opened()
    if opened:
        figures.add(f"partitions trusted at start-up {when}", opened.get("trusted", 0), "partitions")
        figures.add(f"segments read at start-up {when}", opened.get("segmentsRead", 0), "segments")


def fetch_session_case(binary, scratch, figures, partitions, fetches):
    """A consumer of `partitions` quiet partitions (one record produced every 10 fetches)
    sends `fetches` fetches answered at once, with an incremental fetch session (KIP-227)
    and then with full requests each time (`sluice bench fetch-sessions`): server CPU per
    fetch each way, and their ratio."""
    workdir = tempfile.mkdtemp(dir=scratch)
    server = Server(binary, workdir, extra_connectors=False)
    try:
        topic = "sessions"
        create_topic(binary, server, topic, partitions)
        per_fetch = {}
        for mode in ("--sessions", "--no-sessions"):
            cpu0 = server.cpu_seconds()
            result, _ = run([binary, "bench", "fetch-sessions", "--bootstrap", server.bootstrap, "--topic", topic,
                             "--partitions", str(partitions), "--fetches", str(fetches), mode, "--json"], timeout=900)
            cpu = server.cpu_seconds() - cpu0
            report = json.loads(result.stdout)
            if report["sessionErrors"]:
                raise SystemExit(f"fetch-sessions {mode}: {report['sessionErrors']} session errors")
            label = "with a session" if mode == "--sessions" else "without sessions"
            per_fetch[mode] = cpu / fetches * 1e6
            figures.add(f"server CPU per fetch, {partitions} partitions, {label}", per_fetch[mode], "µs/fetch")
            figures.add(f"fetches/s, {partitions} quiet partitions, {label}", report["fetchesPerSecond"], "fetches/s")
        figures.add(f"server CPU per fetch, sessions / none ({partitions} partitions)",
                    per_fetch["--sessions"] / max(per_fetch["--no-sessions"], 1e-9), "ratio")
    finally:
        server.stop()
        shutil.rmtree(workdir, ignore_errors=True)


def sasl_case(binary, scratch, figures, seconds):
    """Logins per second on a SASL listener (connect, authenticate, close), SCRAM-SHA-512 at
    4096 iterations from 1 and 4 clients, and PLAIN (PBKDF2 on the server per login), with
    the server CPU per login."""
    import bench_sasl
    workdir = tempfile.mkdtemp(dir=scratch)
    server = Server(binary, workdir, extra_connectors=False, sasl_mechanisms=["SCRAM-SHA-512", "PLAIN"])
    try:
        password = "bench-password"
        bench_sasl.add_user(binary, server.bootstrap, "bench", password)
        address = ("127.0.0.1", server.sasl_port)
        scram = bench_sasl.ScramClient("bench", password)
        scram.login(address)  # salts the password once, outside the timing
        cases = [("SCRAM-SHA-512 (4096 iterations)", 1, lambda: scram.login(address)),
                 ("SCRAM-SHA-512 (4096 iterations)", 4, lambda: scram.login(address)),
                 ("PLAIN (server PBKDF2, 4096 iterations)", 1, lambda: bench_sasl.plain_login(address, "bench", password))]
        for label, clients, login in cases:
            cpu0 = server.cpu_seconds()
            rate, count = bench_sasl.logins_per_second(login, seconds, clients)
            cpu = server.cpu_seconds() - cpu0
            figures.add(f"SASL logins/s, {label}, {clients} client{'s' if clients > 1 else ''}", rate, "logins/s")
            figures.add(f"server CPU per login, {label}, {clients} client{'s' if clients > 1 else ''}",
                        cpu / max(count, 1) * 1e6, "µs/login")
    finally:
        server.stop()
        shutil.rmtree(workdir, ignore_errors=True)


def transactions_case(binary, scratch, figures, records, run_index):
    """`sluice bench transactions` at 1,000 and 10,000 records per transaction:
    transactional vs idempotent produce, read_committed vs read_uncommitted consume of the
    transactional topic, and EndTxn latency. Odd runs go transactional first (produce, then
    read_committed), even runs idempotent first, so the order favours neither side in the
    medians; within a run each isolation level is read twice, A-B-B-A."""
    workdir = tempfile.mkdtemp(dir=scratch)
    server = Server(binary, workdir, extra_connectors=False)
    try:
        for per_txn in (1000, 10_000):
            result, _ = run([binary, "bench", "transactions", "--bootstrap", server.bootstrap, "--records", str(records),
                             "--records-per-transaction", str(per_txn), "--json"]
                            + (["--transactional-first"] if run_index % 2 else []), timeout=1800)
            report = json.loads(result.stdout)
            label = f"{per_txn:,} records/transaction"
            figures.add(f"idempotent produce ({label} run)", report["idempotent produce records/s"], "records/s")
            figures.add(f"transactional produce, {label}", report["transactional produce records/s"], "records/s")
            figures.add(f"transactional / idempotent, {label}", report["transactional / idempotent"], "ratio")
            figures.add(f"read_committed consume, {label}", report["read_committed consume records/s"], "records/s")
            figures.add(f"read_uncommitted consume, {label}", report["read_uncommitted consume records/s"], "records/s")
            figures.add(f"read_committed / read_uncommitted, {label}", report["read_committed / read_uncommitted"], "ratio")
            figures.add(f"EndTxn p50, {label}", report["EndTxn p50 ms"], "ms")
            figures.add(f"EndTxn p99, {label}", report["EndTxn p99 ms"], "ms")
    finally:
        server.stop()
        shutil.rmtree(workdir, ignore_errors=True)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--binary", required=True)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--records", type=int, default=5_000_000, help="kcat records per case")
    parser.add_argument("--bench-records", type=int, default=1_000_000, help="sluice bench records (100 B)")
    parser.add_argument("--beats-events", type=int, default=1_000_000)
    parser.add_argument("--latency-seconds", type=float, default=5, help="length of each fixed-rate latency case")
    parser.add_argument("--storage-seconds", type=float, default=2)
    parser.add_argument("--sasl-seconds", type=float, default=5, help="length of each SASL login case")
    parser.add_argument("--partitions", type=int, default=1000, help="partitions of the fetch-session case")
    parser.add_argument("--many-partitions", type=int, default=10_000, help="partitions of the many-partitions case")
    parser.add_argument("--session-fetches", type=int, default=2000, help="fetches per mode of the fetch-session case")
    parser.add_argument("--transaction-records", type=int, default=200_000,
                        help="records per mode of the transactions case (100 B)")
    parser.add_argument("--only", choices=("fetch-sessions", "beats", "many-partitions", "kcat", "latency", "transactions", "sasl"),
                        help="run just this case (beats: the in-process beats figure, then ingest beside the file sink; "
                             "kcat: kcat produce acks=1, consume, produce acks=all, with the server CPU per record)")
    parser.add_argument("--dir", default=tempfile.gettempdir())
    args = parser.parse_args()
    args.binary = os.path.abspath(args.binary)
    if not shutil.which("kcat"):
        raise SystemExit("kcat is missing: scripts/bench installs it (apt-get install kcat)")

    scratch = tempfile.mkdtemp(prefix="sluice-bench-", dir=args.dir)
    figures = Figures()
    try:
        for run_index in range(args.runs):
            log(f"== run {run_index + 1} of {args.runs}")
            if args.only == "fetch-sessions":
                fetch_session_case(args.binary, scratch, figures, args.partitions, args.session_fetches)
                continue
            if args.only == "many-partitions":
                many_partitions_case(args.binary, scratch, figures, args.many_partitions, kcat_consumer_options()[0])
                continue
            if args.only == "transactions":
                transactions_case(args.binary, scratch, figures, args.transaction_records, run_index)
                continue
            if args.only == "sasl":
                sasl_case(args.binary, scratch, figures, args.sasl_seconds)
                continue
            if args.only == "beats":
                beats_only_case(args.binary, scratch, figures, args.beats_events)
                continue
            if args.only == "latency":
                workdir = tempfile.mkdtemp(dir=scratch)
                server = Server(args.binary, workdir)
                try:
                    sluice_bench_cases(args.binary, server, figures, args.bench_records, args.latency_seconds)
                finally:
                    server.stop()
                    shutil.rmtree(workdir, ignore_errors=True)
                continue
            if args.only == "kcat":
                workdir = tempfile.mkdtemp(dir=scratch)
                server = Server(args.binary, workdir)
                try:
                    kcat_cases(args.binary, server, figures, args.records, 100, scratch)
                finally:
                    server.stop()
                    shutil.rmtree(workdir, ignore_errors=True)
                continue
            result, _ = run([args.binary, "bench", "storage", "--seconds", str(args.storage_seconds), "--dir", scratch,
                             "--raw-read-bytes", str(256 << 20)], timeout=900)
            storage_figures(result.stdout, figures)
            workdir = tempfile.mkdtemp(dir=scratch)
            server = Server(args.binary, workdir)
            try:
                kcat_cases(args.binary, server, figures, args.records, 100, scratch)
                sluice_bench_cases(args.binary, server, figures, args.bench_records, args.latency_seconds)
                beats_case(args.binary, server, figures, args.beats_events)
                figures.add("server peak RSS (VmHWM)", server.status_kib("VmHWM") / 1024, "MiB")
            finally:
                server.stop()
                shutil.rmtree(workdir, ignore_errors=True)
            many_partitions_case(args.binary, scratch, figures, args.many_partitions, kcat_consumer_options()[0])
            fetch_session_case(args.binary, scratch, figures, args.partitions, args.session_fetches)
            transactions_case(args.binary, scratch, figures, args.transaction_records, run_index)
            sasl_case(args.binary, scratch, figures, args.sasl_seconds)
            cluster_case(args.binary, scratch, figures, args.records // 5, args.latency_seconds)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    print(figures.summary())


def storage_figures(table, figures):
    """Picks the MB/s columns out of `sluice bench storage`'s table."""
    for line in table.splitlines():
        m = re.match(r"^(\w+), (\d+) B records\s+([\d.]+)\s+(\d+)\s+([\d.]+)\s+([\d.]+)$", line.strip())
        if m:
            policy, size, log_mb, _, raw_mb, ratio = m.groups()
            figures.add(f"segment-log append {policy}, {size} B", float(log_mb), "MB/s")
            figures.add(f"raw disk write {policy}, {size} B writes", float(raw_mb), "MB/s")
            figures.add(f"segment-log / raw ({policy}, {size} B)", float(ratio), "ratio")
            continue
        m = re.match(r"^(.*): ([\d.]+) MB/s(, ([\d.]+) records/s)?$", line.strip())
        if m:
            figures.add(m.group(1), float(m.group(2)), "MB/s")


if __name__ == "__main__":
    main()
