"""The `sluice` command line against a real server and real clients: data that kcat wrote
with every compression codec read back by `sluice consume`, `sluice produce --compression`
read by kcat, a `sluice consume --group` member sharing a group with kafka-python,
`groups describe` showing members and lag, and topic configs altered by kafka-python's
admin client (IncrementalAlterConfigs and AlterConfigs)."""
import json
import os
import signal
import subprocess
import time

import pytest
from kafka.admin import KafkaAdminClient, ConfigResource, ConfigResourceType

from conftest import sluice_bin
from group_members import REBALANCE_DELAY_MS, create_topic, members, produce, values_of, wait_until  # noqa: F401

CODECS = ["gzip", "snappy", "lz4", "zstd"]


def sluice(server, *args, stdin=None, timeout=60):
    result = subprocess.run([sluice_bin(), *args, "--bootstrap", server.bootstrap], input=stdin,
                            capture_output=True, timeout=timeout)
    return result.returncode, result.stdout.decode(), result.stderr.decode()


def kcat_produce(server, topic, lines, codec, partition):
    subprocess.run(["kcat", "-P", "-b", server.bootstrap, "-t", topic, "-z", codec, "-p", str(partition), "-K", ":"],
                   input=("\n".join(lines) + "\n").encode(), check=True, timeout=60)


@pytest.mark.parametrize("codec", CODECS)
def test_consume_reads_what_kcat_compressed(make_server, codec):
    server = make_server(autoCreateTopics=False)
    assert sluice(server, "topics", "create", "z", "--partitions", "2")[0] == 0
    lines = [f"k{i}:{codec} value {i} " + "x" * (i % 300) for i in range(2000)]
    kcat_produce(server, "z", lines[:1000], codec, 0)
    kcat_produce(server, "z", lines[1000:], codec, 1)
    # The batches are stored as kcat compressed them (the broker never recompresses).
    batches = subprocess.run(["kcat", "-C", "-b", server.bootstrap, "-t", "z", "-e", "-q", "-f", "%o\n"],
                             capture_output=True, timeout=60, check=True)
    assert len(batches.stdout.split()) == 2000
    code, out, err = sluice(server, "consume", "z", "--from-beginning", "--exit-at-end", "--format", "%p %o %k:%s\\n")
    assert code == 0, err
    got = out.splitlines()
    assert sorted(l.split(" ", 2)[2] for l in got) == sorted(lines)
    assert [l.split(" ", 2)[2] for l in got if l.startswith("0 ")] == lines[:1000]
    code, out, err = sluice(server, "topics", "describe", "z", "--output", "json")
    assert code == 0, err
    assert [p["log_end"] for p in json.loads(out)["partitions"]] == ["1000", "1000"]


@pytest.mark.parametrize("codec", ["gzip", "snappy"])
def test_consume_reads_what_kafka_python_compressed(make_server, codec):
    """kafka-python writes snappy in the xerial framing (python-snappy blocks), unlike librdkafka."""
    from kafka import KafkaProducer
    server = make_server()
    producer = KafkaProducer(bootstrap_servers=server.bootstrap, compression_type=codec, linger_ms=50, acks="all")
    values = [f"py-{codec}-{i} " + "z" * (i % 200) for i in range(1500)]
    for v in values:
        producer.send("py" + codec, key=b"k", value=v.encode(), partition=0)
    producer.flush(timeout=30)
    producer.close()
    code, out, err = sluice(server, "consume", "py" + codec, "--from-beginning", "--exit-at-end", "--format", "%k=%s\\n")
    assert code == 0, err
    assert out.splitlines() == [f"k={v}" for v in values]


def test_kafka_python_reads_what_sluice_produce_snappied(make_server):
    """Sluice's Swift snappy encoder, decoded by python-snappy (the reference C++ library)."""
    from kafka import KafkaConsumer
    server = make_server(autoCreateTopics=False)
    assert sluice(server, "topics", "create", "s", "--partitions", "1")[0] == 0
    lines = [f"snappy line {i} " + "w" * (i % 500) + str(i * 7919) for i in range(3000)]
    code, _, err = sluice(server, "produce", "s", "--compression", "snappy", "--batch-size", "700",
                          stdin=("\n".join(lines) + "\n").encode())
    assert code == 0 and "produced 3000 records" in err, err
    consumer = KafkaConsumer("s", bootstrap_servers=server.bootstrap, auto_offset_reset="earliest",
                             enable_auto_commit=False, consumer_timeout_ms=10_000)
    got = [m.value.decode() for m in consumer]
    consumer.close()
    assert got == lines


@pytest.mark.parametrize("codec", CODECS)
def test_kcat_reads_what_sluice_produce_compressed(make_server, codec):
    server = make_server(autoCreateTopics=False)
    assert sluice(server, "topics", "create", "c", "--partitions", "1")[0] == 0
    lines = [f"line {i} of {codec} " + "y" * (i % 100) for i in range(3000)]
    code, _, err = sluice(server, "produce", "c", "--compression", codec, "--batch-size", "500",
                          stdin=("\n".join(lines) + "\n").encode())
    assert code == 0 and "produced 3000 records" in err, err
    read = subprocess.run(["kcat", "-C", "-b", server.bootstrap, "-t", "c", "-e", "-q", "-f", "%s\n"],
                          capture_output=True, timeout=60, check=True)
    assert read.stdout.decode().splitlines() == lines


def test_produce_to_a_missing_topic_says_how_to_create_it(make_server):
    server = make_server(autoCreateTopics=False)
    code, _, err = sluice(server, "produce", "nope", stdin=b"a\n")
    assert code != 0 and "does not exist" in err and "sluice topics create nope" in err, err


class CLIMember:
    """`sluice consume --group` as a background process; SIGINT stops it."""

    def __init__(self, server, workdir, group, topic, name):
        self.out_path = os.path.join(workdir, f"{name}.out")
        self.err_path = os.path.join(workdir, f"{name}.err")
        with open(self.out_path, "wb") as out, open(self.err_path, "wb") as err:
            self.process = subprocess.Popen(
                [sluice_bin(), "consume", topic, "--group", group, "--from-beginning", "--format", "%p %s\\n",
                 "--bootstrap", server.bootstrap], stdout=out, stderr=err, stdin=subprocess.DEVNULL)

    def lines(self):
        with open(self.out_path) as f:
            return f.read().splitlines()

    def stderr(self):
        with open(self.err_path) as f:
            return f.read()

    def partitions(self):
        """The partitions of its latest assignment, from its stderr."""
        found = [l for l in self.stderr().splitlines() if "partitions [" in l]
        if not found:
            return None
        inside = found[-1].rsplit("partitions [", 1)[1].rstrip("]")
        return sorted(int(p) for p in inside.split(",") if p.strip())

    def stop(self):
        self.process.send_signal(signal.SIGINT)
        try:
            return self.process.wait(timeout=30)
        finally:
            if self.process.poll() is None:
                self.process.kill()


def describe(server, group):
    code, out, err = sluice(server, "groups", "describe", group, "--output", "json")
    assert code == 0, err
    return json.loads(out)


def test_group_member_shows_in_describe_with_lag(make_server, workdir):
    server = make_server(groupInitialRebalanceDelayMs=REBALANCE_DELAY_MS)
    create_topic(server, "work", 2)
    produce(server, "work", [f"w{i}" for i in range(100)], 2)
    member = CLIMember(server, workdir, "crew", "work", "m1")
    try:
        wait_until(lambda: len(member.lines()) == 100, 60, "the sluice member to read 100 records")

        def settled():
            rows = [r for r in describe(server, "crew") if r["topic"] == "work"]
            return len(rows) == 2 and all(r["lag"] == "0" and r["client-id"] == "sluice" and r["consumer-id"] != "-"
                                          and r["host"] != "-" for r in rows)
        wait_until(settled, 30, "LAG 0 with the member on both partitions")
        assert sorted(member.lines()) == sorted(f"{i % 2} w{i}" for i in range(100))
    finally:
        assert member.stop() == 0, member.stderr()
    # Gone from the group, offsets kept; new records show as lag.
    rows = [r for r in describe(server, "crew") if r["topic"] == "work"]
    assert all(r["consumer-id"] == "-" and r["current-offset"] == "50" for r in rows), rows
    produce(server, "work", [f"more{i}" for i in range(10)], 2)
    rows = [r for r in describe(server, "crew") if r["topic"] == "work"]
    assert sorted(r["lag"] for r in rows) == ["5", "5"], rows


def test_sluice_and_kafka_python_members_split_the_partitions(make_server, members, workdir):  # noqa: F811
    server = make_server(groupInitialRebalanceDelayMs=REBALANCE_DELAY_MS)
    create_topic(server, "shared", 4)
    python_member = members("py", "kafka-python", server, "mixed", "shared")
    wait_until(lambda: python_member.assigned == [0, 1, 2, 3], 60, "kafka-python to own every partition", server,
               [python_member])
    cli = CLIMember(server, workdir, "mixed", "shared", "cli")
    try:
        def split():
            mine, theirs = cli.partitions(), python_member.assigned
            return mine is not None and theirs is not None and len(mine) == 2 and len(theirs) == 2 \
                and sorted(mine + theirs) == [0, 1, 2, 3]
        wait_until(split, 60, "a 2/2 split between sluice and kafka-python", server, [python_member])
        values = [f"s{i}" for i in range(200)]
        produce(server, "shared", values, 4)
        wait_until(lambda: len(cli.lines()) + len(python_member.records) >= 200, 60, "the two to read everything",
                   server, [python_member])
        got = [l.split(" ", 1)[1] for l in cli.lines()] + values_of(python_member.records)
        assert sorted(got) == sorted(values), "each record exactly once across the group"
        assert {int(l.split(" ", 1)[0]) for l in cli.lines()} == set(cli.partitions())
        rows = [r for r in describe(server, "mixed") if r["topic"] == "shared"]
        assert {r["client-id"] for r in rows} >= {"sluice"}, rows
    finally:
        assert cli.stop() == 0, cli.stderr()
    # The sluice member left: kafka-python takes every partition again.
    wait_until(lambda: python_member.assigned == [0, 1, 2, 3], 60, "kafka-python to take over after LeaveGroup",
               server, [python_member])
    python_member.close()


@pytest.mark.parametrize("incremental", [True, False])
def test_kafka_python_admin_alters_topic_configs(make_server, incremental):
    server = make_server()
    assert sluice(server, "topics", "create", "cfg", "--config", "retention.ms=3600000")[0] == 0
    admin = KafkaAdminClient(bootstrap_servers=server.bootstrap)
    try:
        result = admin.alter_configs([ConfigResource(ConfigResourceType.TOPIC, "cfg", configs={"segment.bytes": "2097152"})],
                                     incremental=incremental, raise_on_unknown=False)
        assert result == {"topic": {"cfg": "OK"}}, result
    finally:
        admin.close()
    code, out, err = sluice(server, "topics", "describe", "cfg", "--output", "json")
    configs = {c["config"]: c for c in json.loads(out)["configs"]}
    assert configs["segment.bytes"]["value"] == "2097152" and configs["segment.bytes"]["source"] == "DYNAMIC_TOPIC_CONFIG"
    # IncrementalAlterConfigs keeps other overrides; for AlterConfigs (which replaces the
    # whole set) kafka-python sends the other modified keys along, so they stay too.
    assert configs["retention.ms"]["value"] == "3600000" and configs["retention.ms"]["source"] == "DYNAMIC_TOPIC_CONFIG"


@pytest.mark.parametrize("mode", ["produce", "consume", "e2e"])
def test_bench_against_a_running_server_prints_parsable_json(make_server, mode):
    server = make_server()
    if mode == "consume":
        code, _, err = sluice(server, "bench", "produce", "--records", "3000", "--record-size", "64", "--partitions", "2", "--json")
        assert code == 0, err
    code, out, err = sluice(server, "bench", mode, "--records", "3000", "--record-size", "64", "--partitions", "2",
                            "--concurrency", "2", "--batch-records", "100", "--compression", "lz4", "--json")
    assert code == 0, err
    result = json.loads(out)
    assert result["mode"] == mode and result["records"] == 3000 and result["bytes"] == 3000 * 64, result
    assert result["recordsPerSecond"] > 0 and result["mbPerSecond"] > 0
    latency = result["latencyMs"]
    assert latency["samples"] > 0 and 0 < latency["p50"] <= latency["p90"] <= latency["p99"] <= latency["p99.9"] <= latency["max"]
    if mode == "e2e":
        assert latency["samples"] == 3000, "one latency per record received"
    code, out, _ = sluice(server, "topics", "describe", "sluice-bench", "--output", "json")
    ends = sum(int(p["log_end"]) for p in json.loads(out)["partitions"])
    assert ends == 3000, "every record the bench counted is stored"
