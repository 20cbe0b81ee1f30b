"""SASL users on the Kafka listener (issue 24): users made with `sluice users add` and with
a Kafka admin client (AlterUserScramCredentials), kept in the metadata store; SASL_PLAINTEXT
on loopback and SASL_SSL, with SCRAM-SHA-512 and PLAIN, from kcat, confluent-kafka,
kafka-python, aiokafka and Apache Kafka's Java client 3.9, each producing and consuming in
a group; refusals (a wrong password, an unknown user, a client that skips SASL and sends
Produce, a truncated and an oversized SASL token, a deleted user) that leave nothing
written."""
import asyncio
import os
import socket
import struct
import subprocess
import time

import pytest
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer
from aiokafka.helpers import create_ssl_context
from confluent_kafka import Consumer, KafkaException, Producer, TopicPartition
from confluent_kafka.admin import (AdminClient, NewTopic, ScramCredentialInfo, ScramMechanism,
                                   UserScramCredentialDeletion, UserScramCredentialUpsertion)
from kafka import KafkaConsumer as PyConsumer
from kafka import KafkaProducer as PyProducer
from kafka.record.default_records import DefaultRecordBatchBuilder

from conftest import sluice_bin
from java_client import kafka_java  # noqa: F401
from tls_certs import tls_certs  # noqa: F401

COUNT = 20
MECHANISMS = ["PLAIN", "SCRAM-SHA-256", "SCRAM-SHA-512"]
ALICE, ALICE_PASSWORD = "alice", "alice-s3cret,=pw"
BOB, BOB_PASSWORD = "bob", "bob-pässword"


class SaslNode:
    """A server with three Kafka listeners: PLAINTEXT (admin tools), SASL_PLAINTEXT and
    SASL_SSL, all on 127.0.0.1, and the two users alice (`sluice users add`) and bob (a
    Kafka admin client)."""

    def __init__(self, server, certs):
        self.server = server
        self.certs = certs
        self.plain = server.bootstrap
        self.sasl = f"127.0.0.1:{server.ports['sasl']}"
        self.sasl_ssl = f"127.0.0.1:{server.ports['sasl_ssl']}"

    def bootstrap(self, transport):
        return self.sasl if transport == "SASL_PLAINTEXT" else self.sasl_ssl

    def end_offset(self, topic):
        consumer = Consumer({"bootstrap.servers": self.plain, "group.id": "sasl-inspector"})
        try:
            return consumer.get_watermark_offsets(TopicPartition(topic, 0), timeout=10)[1]
        finally:
            consumer.close()

    def topics(self):
        return set(AdminClient({"bootstrap.servers": self.plain}).list_topics(timeout=10).topics)


def users(node_bootstrap, *args, password=None):
    return subprocess.run([sluice_bin(), "users", *args, "--bootstrap", node_bootstrap], input=password,
                          capture_output=True, text=True, timeout=60)


@pytest.fixture
def sasl_node(make_server, tls_certs):  # noqa: F811
    def configure(config, ports):
        tls = {"certificatePath": tls_certs.path("server.pem"), "keyPath": tls_certs.path("server.key"), "clientAuth": "none"}
        # A listener that authenticates closes resources without ACLs by default (Kafka's
        # allow.everyone.if.no.acl.found=false); these tests are about SASL, not ACLs.
        config["broker"]["allowEveryoneIfNoAclFound"] = True
        config["protocols"].append({"plugin": "kafka", "config": {
            "listen": f"127.0.0.1:{ports['sasl']}", "sasl": {"mechanisms": MECHANISMS}}})
        config["protocols"].append({"plugin": "kafka", "config": {
            "listen": f"127.0.0.1:{ports['sasl_ssl']}", "tls": tls, "sasl": {"mechanisms": MECHANISMS}}})
    node = SaslNode(make_server(configure=configure, listeners=("sasl", "sasl_ssl")), tls_certs)
    added = users(node.plain, "add", ALICE, "--mechanism", "SCRAM-SHA-512", "--mechanism", "SCRAM-SHA-256",
                  password=ALICE_PASSWORD + "\n")
    assert added.returncode == 0, added.stderr
    admin = AdminClient({"bootstrap.servers": node.plain})
    futures = admin.alter_user_scram_credentials([
        UserScramCredentialUpsertion(BOB, ScramCredentialInfo(ScramMechanism.SCRAM_SHA_512, 4096), BOB_PASSWORD.encode()),
        UserScramCredentialUpsertion(BOB, ScramCredentialInfo(ScramMechanism.SCRAM_SHA_256, 8192), BOB_PASSWORD.encode()),
    ])
    for future in futures.values():
        future.result(timeout=30)
    return node


def confluent_settings(node, transport, mechanism, user, password):
    settings = {"security.protocol": transport, "sasl.mechanisms": mechanism, "sasl.username": user,
                "sasl.password": password}
    if transport == "SASL_SSL":
        settings["ssl.ca.location"] = node.certs.path("ca.pem")
    return settings


COMBINATIONS = [("SASL_PLAINTEXT", "SCRAM-SHA-512"), ("SASL_PLAINTEXT", "PLAIN"),
                ("SASL_SSL", "SCRAM-SHA-512"), ("SASL_SSL", "PLAIN")]


def slug(transport, mechanism):
    return f"{transport}-{mechanism}".lower().replace("_", "-")


@pytest.mark.parametrize("transport,mechanism", COMBINATIONS)
def test_confluent_kafka(sasl_node, transport, mechanism):
    topic = f"sasl-confluent-{slug(transport, mechanism)}"
    settings = confluent_settings(sasl_node, transport, mechanism, ALICE, ALICE_PASSWORD)
    bootstrap = sasl_node.bootstrap(transport)
    producer = Producer({"bootstrap.servers": bootstrap, **settings})
    for i in range(COUNT):
        producer.produce(topic, value=f"confluent-{i}".encode())
    assert producer.flush(30) == 0
    consumer = Consumer({"bootstrap.servers": bootstrap, "group.id": f"g-{topic}", "auto.offset.reset": "earliest", **settings})
    consumer.subscribe([topic])
    seen = set()
    deadline = time.monotonic() + 60
    while len(seen) < COUNT and time.monotonic() < deadline:
        message = consumer.poll(0.5)
        if message is not None and message.error() is None:
            seen.add(message.value())
    consumer.commit(asynchronous=False)
    consumer.close()
    assert seen == {f"confluent-{i}".encode() for i in range(COUNT)}


def current_librdkafka(workdir):
    """A directory holding confluent-kafka's own librdkafka (2.16) as librdkafka.so.1, for kcat.

    Debian's kcat links librdkafka 2.0.2, whose SCRAM client-final repeats the client nonce
    before the server's full nonce; Kafka 3.9 (CVE-2024-56128) and Sluice refuse that, and
    librdkafka fixed it in 2.8. The SCRAM runs therefore load the wheel's library."""
    import confluent_kafka
    libs = os.path.join(os.path.dirname(os.path.dirname(confluent_kafka.__file__)), "confluent_kafka.libs")
    found = [name for name in os.listdir(libs) if name.startswith("librdkafka")]
    assert found, f"no librdkafka in {libs}"
    directory = os.path.join(workdir, "librdkafka")
    os.makedirs(directory, exist_ok=True)
    link = os.path.join(directory, "librdkafka.so.1")
    if not os.path.exists(link):
        os.symlink(os.path.join(libs, found[0]), link)
    return directory


def kcat_options(node, transport, mechanism, user, password):
    options = ["-b", node.bootstrap(transport)]
    for key, value in confluent_settings(node, transport, mechanism, user, password).items():
        options += ["-X", f"{key}={value}"]
    return options


@pytest.mark.parametrize("transport,mechanism", COMBINATIONS)
def test_kcat(sasl_node, workdir, transport, mechanism):
    topic = f"sasl-kcat-{slug(transport, mechanism)}"
    options = kcat_options(sasl_node, transport, mechanism, BOB, BOB_PASSWORD)
    env = dict(os.environ)
    if mechanism.startswith("SCRAM"):
        env["LD_LIBRARY_PATH"] = current_librdkafka(workdir)
    lines = "".join(f"kcat-{i}\n" for i in range(COUNT))
    produced = subprocess.run(["kcat", "-P", "-t", topic, *options], input=lines, capture_output=True, text=True, timeout=60,
                              env=env)
    assert produced.returncode == 0, produced.stderr
    consumed = subprocess.run(["kcat", "-G", f"g-{topic}", "-o", "beginning", "-e", "-q", *options, topic],
                              capture_output=True, text=True, timeout=90, env=env)
    assert sorted(consumed.stdout.split()) == sorted(f"kcat-{i}" for i in range(COUNT)), consumed.stderr


@pytest.mark.parametrize("transport,mechanism", COMBINATIONS)
def test_kafka_python(sasl_node, transport, mechanism):
    topic = f"sasl-kafka-python-{slug(transport, mechanism)}"
    settings = {"security_protocol": transport, "sasl_mechanism": mechanism, "sasl_plain_username": ALICE,
                "sasl_plain_password": ALICE_PASSWORD}
    if transport == "SASL_SSL":
        settings["ssl_cafile"] = sasl_node.certs.path("ca.pem")
    bootstrap = sasl_node.bootstrap(transport)
    producer = PyProducer(bootstrap_servers=bootstrap, **settings)
    for i in range(COUNT):
        producer.send(topic, f"kp-{i}".encode())
    producer.flush(30)
    producer.close()
    consumer = PyConsumer(topic, bootstrap_servers=bootstrap, group_id=f"g-{topic}", auto_offset_reset="earliest",
                          consumer_timeout_ms=15000, **settings)
    seen = {message.value for message in consumer}
    consumer.commit()
    consumer.close()
    assert seen == {f"kp-{i}".encode() for i in range(COUNT)}


@pytest.mark.parametrize("transport,mechanism", COMBINATIONS)
def test_aiokafka(sasl_node, transport, mechanism):
    topic = f"sasl-aiokafka-{slug(transport, mechanism)}"
    settings = {"security_protocol": transport, "sasl_mechanism": mechanism, "sasl_plain_username": BOB,
                "sasl_plain_password": BOB_PASSWORD}
    if transport == "SASL_SSL":
        settings["ssl_context"] = create_ssl_context(cafile=sasl_node.certs.path("ca.pem"))
    bootstrap = sasl_node.bootstrap(transport)

    async def run():
        producer = AIOKafkaProducer(bootstrap_servers=bootstrap, **settings)
        await producer.start()
        try:
            for i in range(COUNT):
                await producer.send_and_wait(topic, f"aio-{i}".encode())
        finally:
            await producer.stop()
        consumer = AIOKafkaConsumer(topic, bootstrap_servers=bootstrap, group_id=f"g-{topic}", auto_offset_reset="earliest",
                                    **settings)
        await consumer.start()
        seen = set()
        try:
            deadline = time.monotonic() + 60
            while len(seen) < COUNT and time.monotonic() < deadline:
                batches = await consumer.getmany(timeout_ms=500)
                for messages in batches.values():
                    seen.update(message.value for message in messages)
            await consumer.commit()
        finally:
            await consumer.stop()
        return seen
    assert asyncio.run(run()) == {f"aio-{i}".encode() for i in range(COUNT)}


@pytest.mark.parametrize("transport,mechanism", COMBINATIONS)
def test_java_client(sasl_node, kafka_java, transport, mechanism):  # noqa: F811
    topic = f"sasl-java-{slug(transport, mechanism)}"
    module = ("org.apache.kafka.common.security.plain.PlainLoginModule" if mechanism == "PLAIN"
              else "org.apache.kafka.common.security.scram.ScramLoginModule")
    properties = [f"security.protocol={transport}", f"sasl.mechanism={mechanism}",
                  f'sasl.jaas.config={module} required username="{BOB}" password="{BOB_PASSWORD}";']
    if transport == "SASL_SSL":
        properties += ["ssl.truststore.type=PEM", f"ssl.truststore.location={sasl_node.certs.path('ca.pem')}"]
    result = kafka_java.run("RoundTrip.java", sasl_node.bootstrap(transport), topic, f"g-{topic}", str(COUNT), *properties)
    assert result.returncode == 0, result.stdout + result.stderr
    assert f"consumed {COUNT}" in result.stdout


def test_debians_librdkafka_2_0_scram_nonce_echo_is_refused_as_kafka_3_9_refuses_it(sasl_node):
    produced = subprocess.run(["kcat", "-P", "-t", "old-librdkafka",
                               *kcat_options(sasl_node, "SASL_PLAINTEXT", "SCRAM-SHA-512", BOB, BOB_PASSWORD)],
                              input="x\n", capture_output=True, text=True, timeout=60)
    if "librdkafka 2.0" not in subprocess.run(["kcat", "-V"], capture_output=True, text=True).stdout:
        return  # a kcat on a fixed librdkafka: nothing to show here
    assert produced.returncode != 0 and "nonce" in produced.stderr, produced.stderr
    assert "old-librdkafka" not in sasl_node.topics()


def test_users_are_listed_and_described_with_kafkas_errors(sasl_node):
    listed = users(sasl_node.plain, "list", "--output", "json")
    assert listed.returncode == 0, listed.stderr
    assert '"alice"' in listed.stdout and '"bob"' in listed.stdout and "8192" in listed.stdout, listed.stdout
    assert ALICE_PASSWORD not in listed.stdout
    admin = AdminClient({"bootstrap.servers": sasl_node.plain})
    described = admin.describe_user_scram_credentials([BOB]).result(timeout=30) \
        if hasattr(admin.describe_user_scram_credentials([BOB]), "result") else \
        {user: future.result(timeout=30) for user, future in admin.describe_user_scram_credentials([BOB]).items()}
    infos = {(info.mechanism, info.iterations) for info in described[BOB].scram_credential_infos}
    assert infos == {(ScramMechanism.SCRAM_SHA_512, 4096), (ScramMechanism.SCRAM_SHA_256, 8192)}
    with pytest.raises(KafkaException, match="RESOURCE_NOT_FOUND"):
        futures = admin.describe_user_scram_credentials(["nobody"])
        (futures.result(timeout=30) if hasattr(futures, "result") else futures["nobody"].result(timeout=30))
    futures = admin.alter_user_scram_credentials([
        UserScramCredentialUpsertion("weak", ScramCredentialInfo(ScramMechanism.SCRAM_SHA_512, 1000), b"pw")])
    with pytest.raises(KafkaException, match="UNACCEPTABLE_CREDENTIAL"):
        futures["weak"].result(timeout=30)
    futures = admin.alter_user_scram_credentials([UserScramCredentialDeletion("nobody", ScramMechanism.SCRAM_SHA_512)])
    with pytest.raises(KafkaException, match="RESOURCE_NOT_FOUND"):
        futures["nobody"].result(timeout=30)
    # The password is read from stdin or a prompt, never from the command line.
    assert users(sasl_node.plain, "add", "carol", password="").returncode != 0, "an empty stdin adds no one"


def create_topic(node, topic):
    admin = AdminClient({"bootstrap.servers": node.plain})  # kept alive until the future resolves
    admin.create_topics([NewTopic(topic, 1, 1)])[topic].result(30)


def refused(node, settings, topic):
    """Produces one record through the SASL listener; returns the error (it must fail)."""
    errors = []
    producer = Producer({"bootstrap.servers": node.sasl, "message.timeout.ms": 5000, **settings})
    producer.produce(topic, value=b"must not land", on_delivery=lambda err, msg: errors.append(err))
    producer.flush(20)
    assert errors and errors[0] is not None, "the produce should have failed"
    return errors[0]


def test_a_wrong_password_an_unknown_user_and_a_deleted_user_are_refused_and_write_nothing(sasl_node):
    create_topic(sasl_node, "guarded")
    for mechanism in ("SCRAM-SHA-512", "PLAIN"):
        refused(sasl_node, confluent_settings(sasl_node, "SASL_PLAINTEXT", mechanism, ALICE, "wrong"), "guarded")
        refused(sasl_node, confluent_settings(sasl_node, "SASL_PLAINTEXT", mechanism, "mallory", "x"), "guarded")
    assert sasl_node.end_offset("guarded") == 0, "a refused client wrote records"
    assert "SASL authentication failed" in sasl_node.server.read_log() or "authentication failed" in sasl_node.server.read_log()
    # alice works, then is deleted with `sluice users delete` and no longer logs in.
    settings = confluent_settings(sasl_node, "SASL_PLAINTEXT", "SCRAM-SHA-512", ALICE, ALICE_PASSWORD)
    producer = Producer({"bootstrap.servers": sasl_node.sasl, **settings})
    producer.produce("guarded", value=b"alice was here")
    assert producer.flush(30) == 0
    assert sasl_node.end_offset("guarded") == 1
    deleted = users(sasl_node.plain, "delete", ALICE)
    assert deleted.returncode == 0, deleted.stderr
    for mechanism in ("SCRAM-SHA-512", "PLAIN"):
        refused(sasl_node, confluent_settings(sasl_node, "SASL_PLAINTEXT", mechanism, ALICE, ALICE_PASSWORD), "guarded")
    assert sasl_node.end_offset("guarded") == 1, "a deleted user wrote records"
    assert ALICE not in users(sasl_node.plain, "list").stdout


def frame(api_key, version, body, correlation_id=1):
    header = struct.pack(">hhih", api_key, version, correlation_id, 4) + b"test"
    return struct.pack(">i", len(header) + len(body)) + header + body


def produce_frame(topic):
    """A Produce v3 request (acks=1) with one valid record batch."""
    builder = DefaultRecordBatchBuilder(magic=2, compression_type=0, is_transactional=0, producer_id=-1,
                                        producer_epoch=-1, base_sequence=-1, batch_size=1 << 20)
    builder.append(0, timestamp=None, key=None, value=b"sneaked in", headers=[])
    batch = bytes(builder.build())
    name = topic.encode()
    body = (struct.pack(">hhi", -1, 1, 5000) + struct.pack(">i", 1) + struct.pack(">h", len(name)) + name
            + struct.pack(">i", 1) + struct.pack(">ii", 0, len(batch)) + batch)
    return frame(0, 3, body)


def read_frame(sock, timeout=10):
    sock.settimeout(timeout)
    data = b""
    while len(data) < 4:
        chunk = sock.recv(4 - len(data))
        if not chunk:
            return None
        data += chunk
    size = struct.unpack(">i", data)[0]
    body = b""
    while len(body) < size:
        chunk = sock.recv(size - len(body))
        if not chunk:
            return None
        body += chunk
    return body


def closed(sock, timeout=10):
    sock.settimeout(timeout)
    try:
        while True:
            if sock.recv(65536) == b"":
                return True
    except ConnectionResetError:
        return True
    except socket.timeout:
        return False


def connect(bootstrap):
    host, port = bootstrap.rsplit(":", 1)
    return socket.create_connection((host, int(port)), timeout=10)


def test_a_client_that_skips_sasl_and_sends_produce_is_closed_and_writes_nothing(sasl_node):
    create_topic(sasl_node, "skipped")
    with connect(sasl_node.sasl) as sock:
        sock.sendall(produce_frame("skipped"))
        assert closed(sock), "the server must close a connection that sends Produce before SASL"
    assert sasl_node.end_offset("skipped") == 0, "a produce before authentication was written"
    # The same frame on the PLAINTEXT listener lands: the frame itself is a valid produce.
    with connect(sasl_node.plain) as sock:
        sock.sendall(produce_frame("skipped"))
        assert read_frame(sock) is not None
    assert sasl_node.end_offset("skipped") == 1


def handshake(sock, mechanism="SCRAM-SHA-512"):
    name = mechanism.encode()
    sock.sendall(frame(17, 1, struct.pack(">h", len(name)) + name))
    response = read_frame(sock)
    assert response is not None and struct.unpack(">h", response[4:6])[0] == 0, "the handshake is accepted"


def test_a_truncated_and_an_oversized_sasl_token_are_refused_and_write_nothing(sasl_node):
    topics_before = sasl_node.topics()
    # Truncated: a client-first message cut short.
    with connect(sasl_node.sasl) as sock:
        handshake(sock)
        token = b"n,,n=ali"
        sock.sendall(frame(36, 0, struct.pack(">i", len(token)) + token, correlation_id=2))
        response = read_frame(sock)
        assert response is None or struct.unpack(">h", response[4:6])[0] != 0, "a truncated token must not authenticate"
        assert closed(sock), "the connection is closed after the failure"
    # A SaslAuthenticate frame whose token claims more bytes than it carries.
    with connect(sasl_node.sasl) as sock:
        handshake(sock)
        sock.sendall(frame(36, 0, struct.pack(">i", 1000) + b"n,,n=alice,r=abc", correlation_id=2))
        response = read_frame(sock)
        assert response is None or struct.unpack(">h", response[4:6])[0] != 0
        assert closed(sock)
    # Oversized: a token larger than sasl.maxReceiveBytes (512 KiB by default).
    with connect(sasl_node.sasl) as sock:
        handshake(sock)
        token = b"n,,n=alice,r=" + b"x" * (600 * 1024)
        try:
            sock.sendall(frame(36, 0, struct.pack(">i", len(token)) + token, correlation_id=2))
        except (BrokenPipeError, ConnectionResetError):
            pass
        assert closed(sock), "an oversized token closes the connection"
    assert sasl_node.server.process.poll() is None, "the server survives"
    assert sasl_node.topics() == topics_before, "nothing was created"
    # The listener still serves a good client afterwards.
    producer = Producer({"bootstrap.servers": sasl_node.sasl,
                         **confluent_settings(sasl_node, "SASL_PLAINTEXT", "SCRAM-SHA-512", BOB, BOB_PASSWORD)})
    producer.produce("after-bad-tokens", value=b"ok")
    assert producer.flush(30) == 0
    assert os.path.isdir(sasl_node.server.data_dir)
