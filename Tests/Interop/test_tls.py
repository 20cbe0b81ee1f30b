"""TLS on the Kafka listener (issue 24): SSL with client certificates from kcat,
confluent-kafka, kafka-python, aiokafka and Apache Kafka's Java client 3.9, each producing
and consuming in a group; a PLAINTEXT and an SSL listener side by side, each advertising its
own address; refusals (no client certificate, one from another CA, a plaintext client) that
leave nothing written; and the config check for unusable certificates and keys."""
import asyncio
import json
import os
import socket
import ssl
import subprocess
import time

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer
from aiokafka.helpers import create_ssl_context
from confluent_kafka import Consumer, KafkaException, Producer
from confluent_kafka.admin import AdminClient
from kafka import KafkaConsumer as PyConsumer
from kafka import KafkaProducer as PyProducer

from conftest import free_port, sluice_bin
from java_client import kafka_java  # noqa: F401
from tls_certs import CLIENT_PRINCIPAL, tls_certs  # noqa: F401

COUNT = 20


def tls_config(certs, client_auth="required"):
    settings = {"certificatePath": certs.path("server.pem"), "keyPath": certs.path("server.key"),
                "clientAuth": client_auth}
    if client_auth != "none":
        settings["caPath"] = certs.path("ca.pem")
    return settings


def ssl_server(make_server, certs, client_auth="required"):
    def configure(config):
        config["protocols"][0]["config"]["tls"] = tls_config(certs, client_auth)
        # A listener that authenticates closes resources without ACLs by default (Kafka's
        # allow.everyone.if.no.acl.found=false); these tests are about TLS, not ACLs.
        config["broker"]["allowEveryoneIfNoAclFound"] = True
    return make_server(configure=configure)


def confluent_ssl(certs, client="client"):
    settings = {"security.protocol": "SSL", "ssl.ca.location": certs.path("ca.pem")}
    if client:
        settings.update({"ssl.certificate.location": certs.path(f"{client}.pem"),
                         "ssl.key.location": certs.path(f"{client}.key")})
    return settings


def confluent_round_trip(bootstrap, settings, topic):
    producer = Producer({"bootstrap.servers": bootstrap, **settings})
    for i in range(COUNT):
        producer.produce(topic, value=f"confluent-{i}".encode())
    assert producer.flush(30) == 0
    consumer = Consumer({"bootstrap.servers": bootstrap, "group.id": f"g-{topic}", "auto.offset.reset": "earliest",
                         **settings})
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


def test_confluent_kafka_over_ssl_with_a_client_certificate(make_server, tls_certs):  # noqa: F811
    server = ssl_server(make_server, tls_certs)
    confluent_round_trip(server.bootstrap, confluent_ssl(tls_certs), "tls-confluent")
    assert f"principal={CLIENT_PRINCIPAL}" in server.read_log(), "the certificate's subject is the principal"


def test_kcat_over_ssl_with_a_client_certificate(make_server, tls_certs):  # noqa: F811
    server = ssl_server(make_server, tls_certs)
    options = ["-b", server.bootstrap, "-X", "security.protocol=ssl", "-X", f"ssl.ca.location={tls_certs.path('ca.pem')}",
               "-X", f"ssl.certificate.location={tls_certs.path('client.pem')}",
               "-X", f"ssl.key.location={tls_certs.path('client.key')}"]
    lines = "".join(f"kcat-{i}\n" for i in range(COUNT))
    produced = subprocess.run(["kcat", "-P", "-t", "tls-kcat", *options], input=lines, capture_output=True, text=True,
                              timeout=60)
    assert produced.returncode == 0, produced.stderr
    consumed = subprocess.run(["kcat", "-G", "g-kcat", "-o", "beginning", "-e", "-q", *options, "tls-kcat"],
                              capture_output=True, text=True, timeout=90)
    assert sorted(consumed.stdout.split()) == sorted(f"kcat-{i}" for i in range(COUNT)), consumed.stderr


def test_kafka_python_over_ssl_with_a_client_certificate(make_server, tls_certs):  # noqa: F811
    server = ssl_server(make_server, tls_certs)
    settings = {"security_protocol": "SSL", "ssl_cafile": tls_certs.path("ca.pem"),
                "ssl_certfile": tls_certs.path("client.pem"), "ssl_keyfile": tls_certs.path("client.key")}
    producer = PyProducer(bootstrap_servers=server.bootstrap, **settings)
    for i in range(COUNT):
        producer.send("tls-kafka-python", f"kp-{i}".encode())
    producer.flush(30)
    producer.close()
    consumer = PyConsumer("tls-kafka-python", bootstrap_servers=server.bootstrap, group_id="g-kp",
                          auto_offset_reset="earliest", consumer_timeout_ms=15000, **settings)
    seen = {message.value for message in consumer}
    consumer.commit()
    consumer.close()
    assert seen == {f"kp-{i}".encode() for i in range(COUNT)}


def test_aiokafka_over_ssl_with_a_client_certificate(make_server, tls_certs):  # noqa: F811
    server = ssl_server(make_server, tls_certs)

    async def run():
        context = create_ssl_context(cafile=tls_certs.path("ca.pem"), certfile=tls_certs.path("client.pem"),
                                     keyfile=tls_certs.path("client.key"))
        producer = AIOKafkaProducer(bootstrap_servers=server.bootstrap, security_protocol="SSL", ssl_context=context)
        await producer.start()
        try:
            for i in range(COUNT):
                await producer.send_and_wait("tls-aiokafka", f"aio-{i}".encode())
        finally:
            await producer.stop()
        consumer = AIOKafkaConsumer("tls-aiokafka", bootstrap_servers=server.bootstrap, security_protocol="SSL",
                                    ssl_context=context, group_id="g-aio", auto_offset_reset="earliest",
                                    enable_auto_commit=False)
        await consumer.start()
        seen = set()
        try:
            deadline = time.monotonic() + 60
            while len(seen) < COUNT and time.monotonic() < deadline:
                batches = await consumer.getmany(timeout_ms=500)
                for records in batches.values():
                    seen.update(record.value for record in records)
            await consumer.commit()
        finally:
            await consumer.stop()
        return seen

    assert asyncio.run(run()) == {f"aio-{i}".encode() for i in range(COUNT)}


def test_java_client_over_ssl_with_a_client_certificate(make_server, tls_certs, kafka_java):  # noqa: F811
    server = ssl_server(make_server, tls_certs)
    result = kafka_java.run("RoundTrip.java", server.bootstrap, "tls-java", "g-java", str(COUNT),
                            "security.protocol=SSL", "ssl.truststore.type=PEM",
                            f"ssl.truststore.location={tls_certs.path('ca.pem')}",
                            "ssl.keystore.type=PEM", f"ssl.keystore.location={tls_certs.path('client-keystore.pem')}")
    assert result.returncode == 0, result.stdout + result.stderr
    assert f"consumed {COUNT}" in result.stdout


def test_plaintext_and_ssl_listeners_side_by_side_each_advertise_their_own_address(make_server, tls_certs):  # noqa: F811
    ssl_port = free_port()

    def configure(config):
        config["protocols"].append({"plugin": "kafka", "config": {
            "listen": f"127.0.0.1:{ssl_port}", "tls": tls_config(tls_certs, "none")}})
    server = make_server(configure=configure)
    ssl_bootstrap = f"127.0.0.1:{ssl_port}"
    plain = AdminClient({"bootstrap.servers": server.bootstrap}).list_topics(timeout=10)
    secure = AdminClient({"bootstrap.servers": ssl_bootstrap, **confluent_ssl(tls_certs, client=None)}).list_topics(timeout=10)
    assert [f"{b.host}:{b.port}" for b in plain.brokers.values()] == [server.bootstrap]
    assert [f"{b.host}:{b.port}" for b in secure.brokers.values()] == [ssl_bootstrap]
    # Records written through one listener are read through the other.
    confluent_round_trip(ssl_bootstrap, confluent_ssl(tls_certs, client=None), "both-listeners")
    consumer = Consumer({"bootstrap.servers": server.bootstrap, "group.id": "plain-reader", "auto.offset.reset": "earliest"})
    consumer.subscribe(["both-listeners"])
    seen = set()
    deadline = time.monotonic() + 30
    while len(seen) < COUNT and time.monotonic() < deadline:
        message = consumer.poll(0.5)
        if message is not None and message.error() is None:
            seen.add(message.value())
    consumer.close()
    assert len(seen) == COUNT


def refused_producer(bootstrap, settings, topic):
    """Produces one record; returns the delivery error (the produce must fail)."""
    errors = []
    producer = Producer({"bootstrap.servers": bootstrap, "message.timeout.ms": 5000, **settings})
    producer.produce(topic, value=b"must not land", on_delivery=lambda err, msg: errors.append(err))
    producer.flush(20)
    assert errors and errors[0] is not None, "the produce should have failed"
    return errors[0]


def data_dirs(server, topic):
    return [name for name in os.listdir(server.data_dir) if name.startswith(f"{topic}-")]


def test_required_client_auth_refuses_no_certificate_and_a_foreign_one_and_writes_nothing(make_server, tls_certs):  # noqa: F811
    server = ssl_server(make_server, tls_certs)
    refused_producer(server.bootstrap, confluent_ssl(tls_certs, client=None), "no-cert")
    refused_producer(server.bootstrap, confluent_ssl(tls_certs, client="stranger"), "foreign-cert")
    # A plaintext client gets nothing either (its bytes are not a TLS handshake).
    refused_producer(server.bootstrap, {}, "plaintext")
    for topic in ("no-cert", "foreign-cert", "plaintext"):
        assert data_dirs(server, topic) == [], f"{topic} was created"
    assert server.process.poll() is None
    # The listener still serves a client with a good certificate.
    confluent_round_trip(server.bootstrap, confluent_ssl(tls_certs), "after-refusals")


def test_requested_client_auth_serves_clients_with_and_without_certificates(make_server, tls_certs):  # noqa: F811
    server = ssl_server(make_server, tls_certs, client_auth="requested")
    confluent_round_trip(server.bootstrap, confluent_ssl(tls_certs, client=None), "requested-anonymous")
    confluent_round_trip(server.bootstrap, confluent_ssl(tls_certs), "requested-alice")
    assert f"principal={CLIENT_PRINCIPAL}" in server.read_log()
    refused_producer(server.bootstrap, confluent_ssl(tls_certs, client="stranger"), "requested-foreign")
    assert data_dirs(server, "requested-foreign") == []


def check_config(workdir, tls):
    path = os.path.join(workdir, "tls-plugins.json")
    with open(path, "w") as f:
        json.dump({"broker": {"dataDir": "data"}, "storage": {"plugin": "memory", "config": {}},
                   "metadata": {"plugin": "memory", "config": {}},
                   "protocols": [{"plugin": "kafka", "config": {"listen": "127.0.0.1:0", "tls": tls}}]}, f)
    return subprocess.run([sluice_bin(), "config", "check", path], capture_output=True, text=True, timeout=60,
                          stdin=subprocess.DEVNULL, cwd=workdir)


def test_the_config_check_refuses_unusable_tls_files_naming_the_path_and_the_fix(workdir, tls_certs):  # noqa: F811
    good = tls_config(tls_certs, "required")
    assert check_config(workdir, good).returncode == 0
    # A key that is not the certificate's.
    result = check_config(workdir, {**good, "keyPath": tls_certs.path("client.key")})
    assert result.returncode == 2
    assert tls_certs.path("client.key") in result.stderr and "is not the key of" in result.stderr, result.stderr
    # An unreadable (missing) key.
    missing = os.path.join(tls_certs.dir, "missing.key")
    result = check_config(workdir, {**good, "keyPath": missing})
    assert result.returncode == 2 and missing in result.stderr and "cannot read" in result.stderr, result.stderr
    # Not PEM at all.
    result = check_config(workdir, {**good, "certificatePath": tls_certs.path("client.ext")})
    assert result.returncode == 2 and "not a usable PEM file" in result.stderr, result.stderr
    # Client authentication without a CA to verify against.
    result = check_config(workdir, {"certificatePath": good["certificatePath"], "keyPath": good["keyPath"],
                                    "clientAuth": "required"})
    assert result.returncode == 2 and "tls.caPath" in result.stderr, result.stderr


def test_serve_refuses_to_start_on_a_mismatched_key(make_server, tls_certs):  # noqa: F811
    def configure(config):
        config["protocols"][0]["config"]["tls"] = {**tls_config(tls_certs), "keyPath": tls_certs.path("client.key")}
    server = make_server(configure=configure, start=False)
    with open(server.config_path, "w") as f:
        json.dump(server.config, f)
    result = subprocess.run([sluice_bin(), "serve", "--config", server.config_path], cwd=server.workdir,
                            capture_output=True, text=True, timeout=60, stdin=subprocess.DEVNULL)
    assert result.returncode != 0
    assert "is not the key of" in result.stdout + result.stderr


def test_a_tls_handshake_with_a_plain_ssl_socket_gets_the_server_certificate(make_server, tls_certs):  # noqa: F811
    server = ssl_server(make_server, tls_certs, client_auth="none")
    context = ssl.create_default_context(cafile=tls_certs.path("ca.pem"))
    host, port = server.bootstrap.rsplit(":", 1)
    with socket.create_connection((host, int(port)), timeout=10) as raw:
        with context.wrap_socket(raw, server_hostname="localhost") as tls:
            assert tls.version() in ("TLSv1.2", "TLSv1.3")
            assert dict(x[0] for x in tls.getpeercert()["subject"])["commonName"] == "localhost"


def test_beats_input_with_mutual_tls_takes_only_clients_with_a_certificate_from_its_ca(make_server, tls_certs):  # noqa: F811
    from pylogbeat import PyLogBeatClient
    import pytest
    from test_beats_pylogbeat import consume_all, event, with_beats
    server = make_server(protocols=("kafka",), listeners=("beats",), configure=with_beats(
        certificatePath=tls_certs.path("server.pem"), keyPath=tls_certs.path("server.key"),
        caPath=tls_certs.path("ca.pem"), clientAuth="required"))
    port = server.ports["beats"]
    with PyLogBeatClient("127.0.0.1", port, timeout=30, ssl_enable=True, ssl_verify=True, ca_certs=tls_certs.path("ca.pem"),
                         certfile=tls_certs.path("client.pem"), keyfile=tls_certs.path("client.key")) as client:
        client.send([event(i) for i in range(100)])
        assert client._last_ack == 100
    for certificate in (None, "stranger"):
        extra = {"certfile": tls_certs.path(f"{certificate}.pem"), "keyfile": tls_certs.path(f"{certificate}.key")} \
            if certificate else {}
        refused = PyLogBeatClient("127.0.0.1", port, timeout=10, ssl_enable=True, ssl_verify=True,
                                  ca_certs=tls_certs.path("ca.pem"), **extra)
        with pytest.raises(Exception):
            refused.connect()
            refused.send([event(1000)])
        refused.close()
    # Exactly the hundred events of the certified client were written.
    assert len(consume_all(server.bootstrap, "logs", 101, timeout=15)) == 100
