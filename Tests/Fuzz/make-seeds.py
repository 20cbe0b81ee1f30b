#!/usr/bin/env python3
"""Writes the fuzz seed corpora under Tests/Fuzz/corpus/ from real client traffic.

kafka-request: every request frame real clients (librdkafka through confluent-kafka,
    kafka-python, kcat) send to a running `sluice serve`, recorded by a proxy between
    them. One file per distinct (api, version), up to a few per pair, size prefix kept.
record-batch: v2 record batches built by kafka-python's record batch builder, plain and
    gzip, plus the `records` fields of the recorded Produce requests' batches.
lumberjack: Lumberjack v2 windows as Filebeat writes them (window, JSON frames, the
    compressed frame around them), encoded by pylogbeat's own frame writer where it has
    one and by hand per the protocol otherwise, plus v1 data frames.
config: plugins.json and variants; the broken ones are committed by hand.
sasl: SaslAuthenticate tokens as kafka-python's SASL mechanisms write them (PLAIN, SCRAM
    client-first and client-final), and whole SCRAM exchanges against the fuzz entry's
    fixed user, salt and server nonce (Sources/Fuzz/Entries/SaslFuzz.swift), which
    authenticate; see that file for the input layout.

Usage: .venv/bin/python Tests/Fuzz/make-seeds.py SLUICE_BIN
Run it again to refresh the corpus; the files are committed, so the fuzz script never
needs a server.
"""
import collections
import hashlib
import json
import os
import socket
import struct
import subprocess
import sys
import tempfile
import threading
import time
import zlib

ROOT = os.path.dirname(os.path.abspath(__file__))
CORPUS = os.path.join(ROOT, "corpus")


def write_seed(target, name, data):
    directory = os.path.join(CORPUS, target)
    os.makedirs(directory, exist_ok=True)
    digest = hashlib.sha1(data).hexdigest()[:10]
    with open(os.path.join(directory, f"{name}-{digest}"), "wb") as f:
        f.write(data)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class RecordingProxy:
    """Forwards 127.0.0.1:port to the server, keeping every client-to-server byte."""

    def __init__(self, upstream):
        self.upstream = upstream
        self.streams = []
        self.lock = threading.Lock()
        self.listener = socket.socket()
        self.listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.listener.bind(("127.0.0.1", 0))
        self.listener.listen(64)
        self.port = self.listener.getsockname()[1]
        threading.Thread(target=self.accept, daemon=True).start()

    def accept(self):
        while True:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return
            server = socket.create_connection(("127.0.0.1", self.upstream))
            recorded = bytearray()
            with self.lock:
                self.streams.append(recorded)
            threading.Thread(target=self.pump, args=(client, server, recorded), daemon=True).start()
            threading.Thread(target=self.pump, args=(server, client, None), daemon=True).start()

    @staticmethod
    def pump(source, sink, recorded):
        try:
            while True:
                data = source.recv(65536)
                if not data:
                    break
                if recorded is not None:
                    recorded.extend(data)
                sink.sendall(data)
        except OSError:
            pass
        finally:
            for s in (source, sink):
                try:
                    s.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass

    def frames(self):
        with self.lock:
            streams = [bytes(s) for s in self.streams]
        for stream in streams:
            at = 0
            while at + 4 <= len(stream):
                (size,) = struct.unpack_from(">i", stream, at)
                if size < 0 or at + 4 + size > len(stream):
                    break
                yield stream[at:at + 4 + size]
                at += 4 + size


def run_clients(bootstrap):
    """Drives every client library through produce, consume, groups and admin calls."""
    import confluent_kafka
    from confluent_kafka.admin import AdminClient, NewPartitions as CNewPartitions, NewTopic as CNewTopic, ConfigResource
    import kafka
    from kafka.admin import KafkaAdminClient, NewTopic, NewPartitions

    admin = AdminClient({"bootstrap.servers": bootstrap})
    for future in admin.create_topics([CNewTopic("seeds", 2, 1), CNewTopic("doomed", 1, 1)]).values():
        future.result(30)
    admin.create_partitions([CNewPartitions("seeds", 3)])["seeds"].result(30)
    for future in admin.describe_configs([ConfigResource("topic", "seeds")]).values():
        future.result(30)

    for codec in ("none", "gzip"):
        producer = confluent_kafka.Producer({"bootstrap.servers": bootstrap, "compression.type": codec,
                                             "linger.ms": 5, "enable.idempotence": codec == "gzip"})
        for i in range(20):
            producer.produce("seeds", key=f"k{i}".encode(), value=f"value {i} {codec}".encode() * 3,
                             headers=[("h", b"v")] if i % 2 else None)
        producer.flush(30)

    consumer = confluent_kafka.Consumer({"bootstrap.servers": bootstrap, "group.id": "seed-group",
                                         "auto.offset.reset": "earliest", "enable.auto.commit": False})
    consumer.subscribe(["seeds"])
    got, deadline = 0, time.monotonic() + 30
    while got < 40 and time.monotonic() < deadline:
        message = consumer.poll(1.0)
        if message is not None and not message.error():
            got += 1
    consumer.commit(asynchronous=False)
    consumer.close()
    admin.list_consumer_groups().result(30)
    admin.describe_consumer_groups(["seed-group"])["seed-group"].result(30)

    producer = kafka.KafkaProducer(bootstrap_servers=bootstrap, compression_type="gzip")
    for i in range(10):
        producer.send("seeds", key=b"py", value=f"kafka-python {i}".encode(), headers=[("x", b"1")])
    producer.flush(30)
    producer.close()
    consumer = kafka.KafkaConsumer("seeds", bootstrap_servers=bootstrap, group_id="py-group",
                                   auto_offset_reset="earliest", consumer_timeout_ms=3000)
    for _ in consumer:
        pass
    consumer.commit()
    consumer.close()
    py_admin = KafkaAdminClient(bootstrap_servers=bootstrap)
    py_admin.create_topics([NewTopic("py-topic", 1, 1)])
    py_admin.create_partitions({"py-topic": NewPartitions(2)})
    py_admin.list_groups()
    py_admin.describe_groups(["py-group"])
    py_admin.list_group_offsets("py-group")
    py_admin.delete_groups(["py-group"])
    py_admin.delete_topics(["py-topic"])
    py_admin.close()

    admin.delete_topics(["doomed"])["doomed"].result(30)
    subprocess.run(["kcat", "-b", bootstrap, "-L"], check=True, capture_output=True, timeout=60)
    subprocess.run(["kcat", "-b", bootstrap, "-P", "-t", "seeds", "-z", "gzip"], input=b"a\nb\nc\n",
                   check=True, capture_output=True, timeout=60)
    subprocess.run(["kcat", "-b", bootstrap, "-C", "-t", "seeds", "-o", "beginning", "-e", "-c", "5"],
                   check=True, capture_output=True, timeout=60)


def kafka_seeds(sluice_bin):
    workdir = tempfile.mkdtemp(prefix="sluice-seeds-")
    port = free_port()
    # Clients are told (Metadata) to connect to the proxy, so every connection is recorded.
    proxy = RecordingProxy(port)
    config = {
        "broker": {"dataDir": "data", "autoCreateTopics": True, "defaultPartitions": 1},
        "storage": {"plugin": "memory", "config": {}},
        "metadata": {"plugin": "memory", "config": {}},
        "protocols": [{"plugin": "kafka", "config": {"listen": f"127.0.0.1:{port}",
                                                    "advertised": f"127.0.0.1:{proxy.port}"}}],
    }
    path = os.path.join(workdir, "plugins.json")
    with open(path, "w") as f:
        json.dump(config, f)
    log = open(os.path.join(workdir, "sluice.log"), "w")
    server = subprocess.Popen([sluice_bin, "serve", "--config", path], cwd=workdir, stdout=log, stderr=log)
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                time.sleep(0.2)
        run_clients(f"127.0.0.1:{proxy.port}")
        time.sleep(1)
        per_pair = collections.Counter()
        batches = 0
        for frame in proxy.frames():
            api, version = struct.unpack_from(">hh", frame, 4)
            if per_pair[(api, version)] < 3:
                per_pair[(api, version)] += 1
                write_seed("kafka-request", f"api{api}-v{version}", frame)
            if api == 0:
                for batch in produce_batches(frame):
                    if batches < 12:
                        write_seed("record-batch", "produced", batch)
                        batches += 1
        return per_pair
    finally:
        server.terminate()
        server.wait(30)


def produce_batches(frame):
    """Finds v2 record batches inside a produce request by their magic byte and length."""
    found = []
    at = 0
    while at + 61 <= len(frame):
        (length,) = struct.unpack_from(">i", frame, at + 8)
        if frame[at + 16] == 2 and 49 <= length and at + 12 + length <= len(frame):
            batch = frame[at:at + 12 + length]
            # The CRC-32C field covers the rest; only real batches match it.
            if struct.unpack_from(">I", batch, 17)[0] == crc32c(batch[21:]):
                found.append(batch)
                at += 12 + length
                continue
        at += 1
    return found


def crc32c(data):
    crc = 0xFFFFFFFF
    for byte in data:
        crc ^= byte
        for _ in range(8):
            crc = (crc >> 1) ^ (0x82F63B78 if crc & 1 else 0)
    return crc ^ 0xFFFFFFFF


def record_batch_seeds():
    from kafka.record.default_records import DefaultRecordBatchBuilder
    for codec, name in ((0, "plain"), (1, "gzip")):
        for count in (1, 5):
            builder = DefaultRecordBatchBuilder(magic=2, compression_type=codec, is_transactional=False,
                                                producer_id=-1, producer_epoch=-1, base_sequence=-1,
                                                batch_size=1 << 20)
            for i in range(count):
                builder.append(i, timestamp=1_700_000_000_000 + i, key=b"key" if i % 2 else None,
                               value=f"record {i}".encode(), headers=[("h", b"v")] if i % 2 else [])
            write_seed("record-batch", f"{name}-{count}", bytes(builder.build()))


def lumberjack_seeds():
    def window(size, version=b"2"):
        return version + b"W" + struct.pack(">I", size)

    def json_frame(sequence, event):
        payload = json.dumps(event).encode()
        return b"2J" + struct.pack(">II", sequence, len(payload)) + payload

    def compressed(inner, version=b"2"):
        payload = zlib.compress(inner, 3)
        return version + b"C" + struct.pack(">I", len(payload)) + payload

    def data_frame(sequence, pairs):
        out = b"1D" + struct.pack(">II", sequence, len(pairs))
        for key, value in pairs.items():
            out += struct.pack(">I", len(key)) + key.encode() + struct.pack(">I", len(value)) + value.encode()
        return out

    events = [{"@timestamp": "2026-11-28T04:00:00.123Z", "message": f"line {i}", "host": {"name": "web-1"},
               "fields": {"topic": "app-logs"}, "@metadata": {"beat": "filebeat", "version": "8.15.0"}}
              for i in range(1, 4)]
    frames = b"".join(json_frame(i, e) for i, e in enumerate(events, 1))
    write_seed("lumberjack", "window-json", window(3) + frames)
    write_seed("lumberjack", "window-compressed", window(3) + compressed(frames))
    write_seed("lumberjack", "two-windows", window(1) + json_frame(1, events[0]) + window(2) + compressed(
        json_frame(1, events[1]) + json_frame(2, events[2])))
    write_seed("lumberjack", "v1-data", window(2, b"1") + data_frame(1, {"line": "hello", "host": "a"})
               + data_frame(2, {"line": "world", "offset": "12"}))
    write_seed("lumberjack", "nested-compressed", window(1) + compressed(compressed(json_frame(1, events[0]))))
    write_seed("lumberjack", "empty-window", window(0))
    # pylogbeat's own frame writers, as the interop tests' client encodes a window.
    import pylogbeat
    client = pylogbeat.PyLogBeatClient("127.0.0.1", 1)
    elements = [{"message": "from pylogbeat", "n": n} for n in range(3)]
    payload = client._compress_payload(client._factor_payload(elements))
    write_seed("lumberjack", "pylogbeat", window(len(elements)) + payload)


def config_seeds():
    root = os.path.dirname(os.path.dirname(ROOT))
    with open(os.path.join(root, "plugins.json"), "rb") as f:
        write_seed("config", "default", f.read())
    minimal = {"storage": {"plugin": "memory"}, "metadata": {"plugin": "memory"},
               "protocols": [{"plugin": "kafka", "config": {"listen": "127.0.0.1:0", "socketRequestMaxBytes": 4096}}]}
    write_seed("config", "minimal", json.dumps(minimal).encode())
    full = dict(minimal, broker={"dataDir": "d", "autoCreateTopics": False, "defaultPartitions": 3},
                connectors=[{"name": "b", "plugin": "beats-input",
                             "config": {"listen": "[::1]:5044", "keyField": "host.name", "topicField": "fields.topic",
                                        "maxWindowSize": 10, "maxDecompressedBytes": 2097152}},
                            {"name": "f", "plugin": "file-sink", "config": {"topics": ["logs"], "format": "json"}}])
    write_seed("config", "connectors", json.dumps(full, indent=1).encode())


def sasl_seeds():
    import base64
    from kafka.net.sasl.scram import ScramClient
    user, password, salt, server_nonce = "fuzz-user", "fuzz-password", b"sluice-fuzz-salt", b"fuzzservernonce"
    write_seed("sasl", "plain", b"\x00" + b"\x00alice\x00alice-secret")
    write_seed("sasl", "plain-authzid", b"\x00" + b"alice\x00alice\x00alice-secret")
    write_seed("sasl", "name-escaped", b"\x05" + b"a=2Cb=3Dc")
    for mode, mechanism in ((3, "SCRAM-SHA-256"), (4, "SCRAM-SHA-512")):
        client = ScramClient(user, password, mechanism)
        first = client.first_message()
        server_first = b"r=" + client.nonce + server_nonce + b",s=" + base64.b64encode(salt) + b",i=4096"
        client.process_server_first_message(server_first)
        final = client.final_message()
        name = mechanism.lower()
        write_seed("sasl", f"client-first-{name}", b"\x01" + first)
        write_seed("sasl", f"client-final-{name}", b"\x02" + final)
        write_seed("sasl", f"exchange-{name}", bytes([mode]) + struct.pack(">H", len(first)) + first + final)


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    record_batch_seeds()
    lumberjack_seeds()
    config_seeds()
    sasl_seeds()
    pairs = kafka_seeds(sys.argv[1])
    print(f"kafka-request: {sum(pairs.values())} frames over {len(pairs)} (api, version) pairs")
