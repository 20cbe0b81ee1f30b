"""Resource limits of the kafka protocol plugin against a real server: thousands of idle
connections held while a client produces and consumes, connectionsMaxIdleMs, maxConnections
and socketRequestMaxBytes, each enforced with a log line that names its key."""
import resource
import socket
import struct
import time

from confluent_kafka import OFFSET_BEGINNING, Consumer, Producer, TopicPartition


def kafka_config(**keys):
    def configure(config):
        config["protocols"][0]["config"].update(keys)
    return configure


def api_versions_request(correlation_id):
    body = struct.pack(">hhih", 18, 0, correlation_id, -1)  # ApiVersions v0, null client id
    return struct.pack(">i", len(body)) + body


def read_response(sock, timeout=30):
    sock.settimeout(timeout)
    size = struct.unpack(">i", recv_exact(sock, 4))[0]
    return recv_exact(sock, size)


def recv_exact(sock, n):
    data = b""
    while len(data) < n:
        chunk = sock.recv(n - len(data))
        if not chunk:
            raise ConnectionError("closed by the server")
        data += chunk
    return data


def closed_by_server(sock, timeout):
    """True when the server closes `sock` within `timeout` seconds."""
    sock.settimeout(timeout)
    try:
        return sock.recv(1) == b""
    except ConnectionResetError:
        return True
    except socket.timeout:
        return False


def wait_for_log(server, text, timeout=30):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if text in server.read_log():
            return True
        time.sleep(0.1)
    return False


def process_status(pid):
    with open(f"/proc/{pid}/status") as f:
        fields = dict(line.split(":", 1) for line in f if ":" in line)
    return int(fields["VmRSS"].split()[0]), len(__import__("os").listdir(f"/proc/{pid}/fd"))


def produce_and_consume(server, topic, count=200):
    producer = Producer({"bootstrap.servers": server.bootstrap, "acks": "all", "enable.idempotence": True})
    for i in range(count):
        producer.produce(topic, value=b"v%d" % i)
    assert producer.flush(60) == 0
    consumer = Consumer({"bootstrap.servers": server.bootstrap, "group.id": "limits", "enable.auto.commit": False})
    consumer.assign([TopicPartition(topic, 0, OFFSET_BEGINNING)])
    got = []
    deadline = time.monotonic() + 60
    while len(got) < count and time.monotonic() < deadline:
        message = consumer.poll(0.5)
        if message is not None and message.error() is None:
            got.append(message.value())
    consumer.close()
    assert got == [b"v%d" % i for i in range(count)]


def test_ten_thousand_idle_connections_do_not_stop_a_working_client(make_server):
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    assert hard >= 10_500, f"the test needs RLIMIT_NOFILE >= 10500 (hard limit is {hard}); raise it with ulimit -Hn"
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))  # the server inherits it
    held = []
    try:
        server = make_server(configure=kafka_config(maxConnections=12_000))
        rss_before, _ = process_status(server.process.pid)
        for i in range(10_000):
            held.append(socket.create_connection(("127.0.0.1", server.ports["kafka"]), timeout=30))
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline and process_status(server.process.pid)[1] < 10_000:
            time.sleep(0.2)
        rss_after, fds = process_status(server.process.pid)
        assert fds >= 10_000, f"the server holds {fds} descriptors; it did not accept the 10,000 connections"
        print(f"\nidle connections: 10000 held; server RSS {rss_before // 1024} MiB before, "
              f"{rss_after // 1024} MiB after ({(rss_after - rss_before) * 1024 // 10_000} bytes per connection)")
        produce_and_consume(server, "busy")
        # The idle ones are still open, and one of them still gets answered.
        sample = held[4321]
        sample.sendall(api_versions_request(7))
        assert struct.unpack(">i", read_response(sample)[:4])[0] == 7
        assert server.process.poll() is None
        assert "maxConnections" not in server.read_log()
    finally:
        for sock in held:
            sock.close()
        resource.setrlimit(resource.RLIMIT_NOFILE, (soft, hard))


def test_idle_connections_are_closed_after_connections_max_idle_ms(make_server):
    server = make_server(configure=kafka_config(connectionsMaxIdleMs=1000))
    idle = socket.create_connection(("127.0.0.1", server.ports["kafka"]))
    busy = socket.create_connection(("127.0.0.1", server.ports["kafka"]))
    # The busy connection sends a request every 300 ms for 3 s: never idle for 1 s.
    for i in range(10):
        busy.sendall(api_versions_request(i))
        assert struct.unpack(">i", read_response(busy)[:4])[0] == i
        time.sleep(0.3)
    assert closed_by_server(idle, timeout=30), "an idle connection was not closed"
    assert wait_for_log(server, "connectionsMaxIdleMs")
    busy.sendall(api_versions_request(99))
    assert struct.unpack(">i", read_response(busy)[:4])[0] == 99, "the active connection was closed"
    busy.close()
    produce_and_consume(server, "after-idle", count=20)


def test_connections_beyond_max_connections_are_refused_with_a_log_line(make_server):
    server = make_server(configure=kafka_config(maxConnections=3))
    held = [socket.create_connection(("127.0.0.1", server.ports["kafka"])) for _ in range(3)]
    for i, sock in enumerate(held):
        sock.sendall(api_versions_request(i))
        read_response(sock)
    extra = socket.create_connection(("127.0.0.1", server.ports["kafka"]))
    assert closed_by_server(extra, timeout=30), "a fourth connection was served beyond maxConnections=3"
    assert wait_for_log(server, "3 connections open, the limit set by maxConnections")
    held[0].close()
    time.sleep(0.5)
    again = socket.create_connection(("127.0.0.1", server.ports["kafka"]))
    again.sendall(api_versions_request(5))
    assert struct.unpack(">i", read_response(again)[:4])[0] == 5, "a freed slot is served again"
    for sock in (*held[1:], again):
        sock.close()


def test_oversized_size_prefix_closes_the_connection_naming_the_limit(make_server):
    server = make_server(configure=kafka_config(socketRequestMaxBytes=65536))
    sock = socket.create_connection(("127.0.0.1", server.ports["kafka"]))
    sock.sendall(struct.pack(">i", 65537) + b"\x00" * 100)
    assert closed_by_server(sock, timeout=30)
    assert wait_for_log(server, "frame size 65537 is outside 0...65536 (socketRequestMaxBytes)")
    produce_and_consume(server, "after-oversized", count=20)
