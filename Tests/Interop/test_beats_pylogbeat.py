"""The beats input against pylogbeat, a real Lumberjack v2 client from PyPI.

pylogbeat's send() returns only once the server acked the window's last sequence, so a
returning send() is the ack arriving. Events are read back through the `kafka` protocol
plugin with a Kafka client.
"""
import json
import os
import re
import subprocess
import threading
import time

import pytest
from pylogbeat import PyLogBeatClient

from conftest import require_plugins, sluice_bin


def beats_connector(ports, **config):
    return {"name": "beats", "plugin": "beats-input",
            "config": {"listen": f"127.0.0.1:{ports['beats']}", "topic": "logs", **config}}


def with_beats(**config):
    def configure(cfg, ports):
        cfg["connectors"].append(beats_connector(ports, **config))
    return configure


def event(i):
    return {"@timestamp": "2024-05-01T12:34:56.789Z", "message": f"line {i} " + "x" * (i % 200),
            "host": {"name": f"web-{i % 7}"}, "log": {"offset": i}, "tags": ["a", "ü", "\"q\""]}


def consume_all(bootstrap, topic, expected, timeout=120):
    from kafka import KafkaConsumer
    consumer = KafkaConsumer(topic, bootstrap_servers=bootstrap, auto_offset_reset="earliest",
                             enable_auto_commit=False, consumer_timeout_ms=10_000, max_partition_fetch_bytes=8 << 20)
    values, deadline = [], time.monotonic() + timeout
    try:
        while len(values) < expected and time.monotonic() < deadline:
            for message in consumer:
                values.append(message.value)
                if len(values) >= expected:
                    break
    finally:
        consumer.close()
    return values


def logged_event_total(server):
    lines = [line for line in server.read_log().splitlines() if "beats connection closed" in line]
    return sum(int(m.group(1)) for m in (re.search(r"\bevents=(\d+)", line) for line in lines) if m)


def send_100000(server):
    events = [event(i) for i in range(100_000)]
    with PyLogBeatClient("127.0.0.1", server.ports["beats"], timeout=60) as client:
        for start in range(0, len(events), 1000):
            client.send(events[start:start + 1000])  # returns once the window's ack arrived
        assert client._last_ack == 100_000
    return events


def test_pylogbeat_sends_100000_events_in_acked_windows(make_server):
    server = make_server(protocols=(), listeners=("beats",), configure=with_beats())
    send_100000(server)
    # The connection's closing log line counts what was appended.
    deadline = time.monotonic() + 10
    while logged_event_total(server) < 100_000 and time.monotonic() < deadline:
        time.sleep(0.1)
    assert logged_event_total(server) == 100_000, server.read_log()[-2000:]


def test_100000_pylogbeat_events_are_consumed_back_with_identical_json(make_server):
    require_plugins(protocol="kafka")
    server = make_server(protocols=("kafka",), listeners=("beats",), configure=with_beats())
    events = send_100000(server)
    values = consume_all(server.bootstrap, "logs", len(events))
    assert len(values) == len(events)
    assert values == [json.dumps(e).encode() for e in events]  # identical JSON, in order


def test_pylogbeat_over_tls(make_server, workdir):
    cert, key = os.path.join(workdir, "cert.pem"), os.path.join(workdir, "key.pem")
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=127.0.0.1",
                    "-addext", "subjectAltName=IP:127.0.0.1", "-keyout", key, "-out", cert],
                   check=True, capture_output=True, timeout=60)
    server = make_server(protocols=(), listeners=("beats",),
                         configure=with_beats(certificatePath=cert, keyPath=key))
    with PyLogBeatClient("127.0.0.1", server.ports["beats"], timeout=30, ssl_enable=True, ssl_verify=True,
                         ca_certs=cert) as client:
        for start in range(0, 5000, 500):
            client.send([event(i) for i in range(start, start + 500)])
        assert client._last_ack == 5000
    assert "tls=true" in server.read_log()


def test_a_plain_client_on_the_tls_port_is_refused_and_explained(make_server, workdir):
    cert, key = os.path.join(workdir, "cert.pem"), os.path.join(workdir, "key.pem")
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=localhost",
                    "-keyout", key, "-out", cert], check=True, capture_output=True, timeout=60)
    server = make_server(protocols=(), listeners=("beats",), configure=with_beats(certificatePath=cert, keyPath=key))
    client = PyLogBeatClient("127.0.0.1", server.ports["beats"], timeout=10)
    with pytest.raises(Exception):
        client.send([event(1)])
    client.close()
    with PyLogBeatClient("127.0.0.1", server.ports["beats"], timeout=30, ssl_enable=True, ssl_verify=False) as good:
        good.send([event(2)])


def test_beats_config_problems_are_named(workdir):
    config = {"broker": {"dataDir": "data"}, "storage": {"plugin": "memory"}, "metadata": {"plugin": "memory"},
              "protocols": [], "connectors": [{"name": "beats", "plugin": "beats-input",
                                               "config": {"listen": "127.0.0.1", "topicFeild": "x", "maxEventBytes": 1}}]}
    path = os.path.join(workdir, "plugins.json")
    with open(path, "w") as f:
        json.dump(config, f)
    result = subprocess.run([sluice_bin(), "config", "check", path], capture_output=True, text=True,
                            timeout=60, stdin=subprocess.DEVNULL)
    assert result.returncode != 0
    assert "did you mean 'topicField'?" in result.stderr, result.stderr
    assert "listen" in result.stderr


def test_acknowledged_windows_survive_kill_9(make_server):
    require_plugins(protocol="kafka", storage="segment-log", metadata="sqlite")

    def configure(config, ports):
        config["storage"] = {"plugin": "segment-log", "config": {"flush": "always"}}
        config["metadata"] = {"plugin": "sqlite", "config": {}}
        config["connectors"].append(beats_connector(ports))

    server = make_server(protocols=("kafka",), listeners=("beats",), configure=configure)
    acked = []
    stop = threading.Event()

    def ship():
        try:
            with PyLogBeatClient("127.0.0.1", server.ports["beats"], timeout=30) as client:
                i = 0
                while not stop.is_set():
                    batch = [event(n) for n in range(i, i + 500)]
                    client.send(batch)
                    acked.extend(batch)
                    i += 500
        except Exception:
            pass  # the server died under us: what was acked is what counts

    shipper = threading.Thread(target=ship)
    shipper.start()
    deadline = time.monotonic() + 30
    while len(acked) < 20_000 and time.monotonic() < deadline:
        time.sleep(0.05)
    server.kill()
    stop.set()
    shipper.join(timeout=30)
    assert len(acked) >= 5_000, server.read_log()[-2000:]
    print(f"{len(acked)} events acknowledged before kill -9")
    server.start()
    values = consume_all(server.bootstrap, "logs", len(acked))
    stored = [json.loads(v) for v in values]
    assert stored[:len(acked)] == acked, "every acknowledged event is in the topic after restart, in order"
