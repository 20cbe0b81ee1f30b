#!/usr/bin/env python3
"""Captures what real Kafka clients put on the wire against `sluice serve`, for the
golden-wire tests (Tests/SluiceKafkaTests/GoldenWireTests.swift).

Each client runs one scenario with known values (topic, group, records, commit offset
42 with metadata "golden-meta"): produce, consume in a group, commit, read the commit
back, and the admin calls it offers that Sluice implements. tcpdump records the
loopback traffic; every request and its response are written, as hex, to
Tests/SluiceKafkaTests/Golden/<client>.json, keeping up to three distinct exchanges per
(API, version). The tests then decode each one, check the fields against the values
the client was told to send, and re-encode it byte for byte.

Run as root with tcpdump, kcat, java (plus the kafka-clients 3.9 jar, see
Tests/Interop/java_client.py) and the project's .venv:
    .venv/bin/python Tests/Golden/capture.py --binary .build/debug/sluice [client ...]
"""
import argparse
import asyncio
import json
import os
import shutil
import signal
import socket
import struct
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "..", "SluiceKafkaTests", "Golden")
METADATA = "golden-meta"
COMMIT_OFFSET = 42
VALUES = ["golden-0", "golden-1", "golden-2"]
CLIENTS = ["kcat", "confluent-kafka", "kafka-python", "aiokafka", "java"]
API_NAMES = {0: "Produce", 1: "Fetch", 2: "ListOffsets", 3: "Metadata", 8: "OffsetCommit", 9: "OffsetFetch",
             10: "FindCoordinator", 11: "JoinGroup", 12: "Heartbeat", 13: "LeaveGroup", 14: "SyncGroup",
             15: "DescribeGroups", 16: "ListGroups", 18: "ApiVersions", 19: "CreateTopics", 20: "DeleteTopics",
             22: "InitProducerId", 23: "OffsetForLeaderEpoch", 32: "DescribeConfigs", 33: "AlterConfigs",
             37: "CreatePartitions", 42: "DeleteGroups", 44: "IncrementalAlterConfigs", 47: "OffsetDelete"}


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def names(client):
    slug = client.replace("-", "_")
    return f"golden_{slug}", f"golden-group-{client}"


# --- scenarios ------------------------------------------------------------------------

def run_kcat(bootstrap, topic, group):
    subprocess.run(["kcat", "-L", "-b", bootstrap], check=True, capture_output=True, timeout=60)
    subprocess.run(["kcat", "-P", "-b", bootstrap, "-t", topic, "-p", "0", "-K", ":"],
                   input="".join(f"k:{v}\n" for v in VALUES).encode(), check=True, timeout=60)
    subprocess.run(["kcat", "-C", "-b", bootstrap, "-t", topic, "-p", "0", "-o", "beginning", "-e", "-q"],
                   check=True, capture_output=True, timeout=60)
    subprocess.run(["kcat", "-b", bootstrap, "-G", group, "-o", "beginning", "-c", str(len(VALUES)), "-q", topic],
                   check=True, capture_output=True, timeout=90)


def run_confluent(bootstrap, topic, group):
    from confluent_kafka import Consumer, Producer, TopicPartition, ConsumerGroupTopicPartitions
    from confluent_kafka.admin import AdminClient, NewTopic, ConfigResource
    admin = AdminClient({"bootstrap.servers": bootstrap})
    admin.create_topics([NewTopic(topic, 1, 1, config={"retention.ms": "86400000"})])[topic].result(30)
    for f in admin.describe_configs([ConfigResource("topic", topic)]).values():
        f.result(30)
    admin.list_topics(timeout=30)
    producer = Producer({"bootstrap.servers": bootstrap})
    for v in VALUES:
        producer.produce(topic, key=b"k", value=v.encode(), partition=0)
    assert producer.flush(30) == 0
    consumer = Consumer({"bootstrap.servers": bootstrap, "group.id": group, "enable.auto.commit": False,
                         "auto.offset.reset": "earliest"})
    consumer.subscribe([topic])
    seen, deadline = 0, time.monotonic() + 30
    while seen < len(VALUES) and time.monotonic() < deadline:
        m = consumer.poll(0.5)
        if m is not None and not m.error():
            seen += 1
    assert seen == len(VALUES), seen
    consumer.commit(offsets=[TopicPartition(topic, 0, COMMIT_OFFSET, metadata=METADATA)], asynchronous=False)
    back = consumer.committed([TopicPartition(topic, 0)], timeout=30)[0]
    assert back.offset == COMMIT_OFFSET and back.metadata == METADATA, (back.offset, back.metadata)
    consumer.close()
    admin.list_consumer_groups().result(30)
    for f in admin.describe_consumer_groups([group]).values():
        f.result(30)
    for f in admin.list_consumer_group_offsets([ConsumerGroupTopicPartitions(group)]).values():
        f.result(30)


def run_kafka_python(bootstrap, topic, group):
    from kafka import KafkaConsumer, KafkaProducer, TopicPartition
    from kafka.admin import KafkaAdminClient, NewTopic, ConfigResource, ConfigResourceType
    from kafka.structs import OffsetAndMetadata
    admin = KafkaAdminClient(bootstrap_servers=bootstrap)
    admin.create_topics([NewTopic(topic, 1, 1, topic_configs={"retention.ms": "86400000"})])
    admin.describe_configs([ConfigResource(ConfigResourceType.TOPIC, topic)])
    producer = KafkaProducer(bootstrap_servers=bootstrap, acks="all")
    for v in VALUES:
        producer.send(topic, key=b"k", value=v.encode(), partition=0)
    producer.flush(30)
    producer.close()
    consumer = KafkaConsumer(topic, bootstrap_servers=bootstrap, group_id=group, enable_auto_commit=False,
                             auto_offset_reset="earliest", consumer_timeout_ms=15000)
    seen = 0
    for _ in consumer:
        seen += 1
        if seen == len(VALUES):
            break
    assert seen == len(VALUES), seen
    tp = TopicPartition(topic, 0)
    consumer.commit({tp: OffsetAndMetadata(COMMIT_OFFSET, METADATA, -1)})
    assert consumer.committed(tp) == COMMIT_OFFSET
    consumer.close()
    admin.list_groups()
    admin.describe_groups([group])
    offsets = admin.list_group_offsets(group)
    assert offsets[group][tp].metadata == METADATA, offsets
    admin.close()


def run_aiokafka(bootstrap, topic, group):
    from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition
    from aiokafka.structs import OffsetAndMetadata

    async def scenario():
        producer = AIOKafkaProducer(bootstrap_servers=bootstrap)
        await producer.start()
        for v in VALUES:
            await producer.send_and_wait(topic, key=b"k", value=v.encode(), partition=0)
        await producer.stop()
        consumer = AIOKafkaConsumer(topic, bootstrap_servers=bootstrap, group_id=group, enable_auto_commit=False,
                                    auto_offset_reset="earliest")
        await consumer.start()
        seen, deadline = 0, time.monotonic() + 30
        while seen < len(VALUES) and time.monotonic() < deadline:
            batches = await consumer.getmany(timeout_ms=500)
            seen += sum(len(b) for b in batches.values())
        assert seen == len(VALUES), seen
        tp = TopicPartition(topic, 0)
        await consumer.commit({tp: OffsetAndMetadata(COMMIT_OFFSET, METADATA)})
        assert await consumer.committed(tp) == COMMIT_OFFSET
        await consumer.stop()

    asyncio.run(scenario())


def run_java(bootstrap, topic, group):
    jar = os.environ.get("SLUICE_KAFKA_JAR") or os.path.join(
        os.path.expanduser("~"), ".cache", "sluice-interop", "atoti-server-kafka-0.9.16", "plugin.jar")
    if not os.path.isfile(jar):
        sys.exit(f"the kafka-clients 3.9 jar is not at {jar}: set SLUICE_KAFKA_JAR (see Tests/Interop/java_client.py)")
    out = subprocess.run(["java", "-cp", f"{jar}:/usr/share/java/slf4j-api.jar", os.path.join(HERE, "GoldenClient.java"),
                          bootstrap, topic, group, METADATA], capture_output=True, text=True, timeout=240)
    if out.returncode != 0:
        sys.exit(f"GoldenClient.java failed:\n{out.stdout}\n{out.stderr}")
    assert f"committed {COMMIT_OFFSET} metadata {METADATA}" in out.stdout, out.stdout


SCENARIOS = {"kcat": run_kcat, "confluent-kafka": run_confluent, "kafka-python": run_kafka_python,
             "aiokafka": run_aiokafka, "java": run_java}


# --- capture and pcap decoding --------------------------------------------------------

def tcp_streams(pcap_path, server_port):
    """(client port, connection number, direction) → that direction's payload bytes,
    reassembled by sequence number. A client port is reused by later connections (kcat
    runs several processes), so each SYN starts a new connection number for its port."""
    data = open(pcap_path, "rb").read()
    linktype = struct.unpack("<I", data[20:24])[0]
    link_header = {1: 14, 113: 16, 276: 20}[linktype]
    segments, connection = {}, {}
    offset = 24
    while offset + 16 <= len(data):
        _, _, captured, _ = struct.unpack("<IIII", data[offset:offset + 16])
        packet = data[offset + 16:offset + 16 + captured]
        offset += 16 + captured
        ip = packet[link_header:]
        if not ip or ip[0] >> 4 != 4:
            continue
        tcp = ip[(ip[0] & 15) * 4:]
        sport, dport, seq = struct.unpack(">HHI", tcp[:8])
        flags = tcp[13]
        if dport == server_port:
            port, direction = sport, ">"
        elif sport == server_port:
            port, direction = dport, "<"
        else:
            continue
        if direction == ">" and flags & 0x02 and not flags & 0x10:  # SYN without ACK
            connection[port] = connection.get(port, 0) + 1
        payload = tcp[(tcp[12] >> 4) * 4:]
        if payload:
            segments.setdefault((port, connection.get(port, 0), direction), {})[seq] = payload
    return {key: b"".join(by_seq[s] for s in sorted(by_seq)) for key, by_seq in segments.items()}


def frames(stream):
    out, i = [], 0
    while i + 4 <= len(stream):
        size = struct.unpack(">i", stream[i:i + 4])[0]
        out.append(stream[i + 4:i + 4 + size])
        i += 4 + size
    return out


def exchanges(streams):
    found = []
    for (port, number, direction), stream in sorted(streams.items()):
        if direction != ">":
            continue
        responses = {struct.unpack(">i", f[:4])[0]: f for f in frames(streams.get((port, number, "<"), b"")) if len(f) >= 4}
        for request in frames(stream):
            api, version, correlation = struct.unpack(">hhi", request[:8])
            if correlation in responses:
                found.append({"api": api, "name": API_NAMES.get(api, str(api)), "version": version,
                              "request": request.hex(), "response": responses[correlation].hex()})
    return found


def keep(found, per_version=3, max_bytes=65536):
    kept, seen = [], {}
    for e in found:
        # Without api key, version and correlation ids: the same request may get another
        # answer later (an OffsetFetch before and after a commit).
        body = e["request"][16:] + "/" + e["response"][8:]
        key = (e["api"], e["version"])
        bodies = seen.setdefault(key, set())
        if body in bodies or len(bodies) >= per_version or len(e["response"]) > 2 * max_bytes:
            continue
        bodies.add(body)
        kept.append(e)
    return sorted(kept, key=lambda e: (e["api"], e["version"]))


def capture(binary, client):
    work = tempfile.mkdtemp(prefix="sluice-golden-")
    port = free_port()
    config = {"broker": {"dataDir": "data", "autoCreateTopics": True, "defaultPartitions": 1},
              "storage": {"plugin": "segment-log", "config": {}},
              "metadata": {"plugin": "sqlite", "config": {"path": "metadata.sqlite"}},
              "protocols": [{"plugin": "kafka", "config": {"listen": f"127.0.0.1:{port}"}}]}
    with open(os.path.join(work, "plugins.json"), "w") as f:
        json.dump(config, f)
    server = subprocess.Popen([binary, "serve", "--config", "plugins.json"], cwd=work,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    pcap = os.path.join(work, "capture.pcap")
    dump = subprocess.Popen(["tcpdump", "-i", "lo", "-U", "-s", "0", "-w", pcap, f"tcp port {port}"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
                break
            except OSError:
                if time.monotonic() > deadline:
                    sys.exit("sluice did not start")
                time.sleep(0.1)
        time.sleep(1)  # tcpdump is listening
        topic, group = names(client)
        SCENARIOS[client](f"127.0.0.1:{port}", topic, group)
        time.sleep(1)
    finally:
        dump.send_signal(signal.SIGINT)
        dump.wait(30)
        server.send_signal(signal.SIGTERM)
        server.wait(30)
    found = exchanges(tcp_streams(pcap, port))
    shutil.rmtree(work)
    topic, group = names(client)
    return {"client": client, "topic": topic, "group": group, "values": VALUES, "commitOffset": COMMIT_OFFSET,
            "metadata": METADATA, "exchanges": keep(found)}


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--binary", required=True)
    parser.add_argument("clients", nargs="*", default=CLIENTS)
    args = parser.parse_args()
    os.makedirs(OUT, exist_ok=True)
    for client in args.clients:
        result = capture(os.path.abspath(args.binary), client)
        path = os.path.join(OUT, f"{client}.json")
        with open(path, "w") as f:
            json.dump(result, f, indent=1)
            f.write("\n")
        apis = sorted({(e["name"], e["version"]) for e in result["exchanges"]})
        print(f"{client}: {len(result['exchanges'])} exchanges, " + ", ".join(f"{n} v{v}" for n, v in apis))


if __name__ == "__main__":
    main()
