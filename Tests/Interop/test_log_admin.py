"""DeleteRecords, DescribeLogDirs and DescribeCluster through real clients against a real
`sluice serve` with segment-log storage:

- Java client 3.9 (Tests/Interop/java/LogAdmin.java): Admin.deleteRecords moves the log
  start and a consumer from the beginning starts there; describeLogDirs names the data
  directory with sizes and disk bytes; describeCluster;
- confluent-kafka's AdminClient.delete_records and describe_cluster, then kcat and a
  confluent-kafka consumer from the beginning start at the new log start;
- kafka-python's KafkaAdminClient.delete_records, describe_log_dirs, describe_cluster;
- the log start survives a restart of the server.
"""
import os
import subprocess

from confluent_kafka import Consumer, Producer, TopicPartition
from confluent_kafka.admin import AdminClient
from kafka import KafkaAdminClient
from kafka.structs import TopicPartition as KPTopicPartition

from java_client import kafka_java  # noqa: F401


def produce(server, topic, count):
    producer = Producer({"bootstrap.servers": server.bootstrap})
    for i in range(count):
        producer.produce(topic, key=f"k{i}".encode(), value=f"v{i}".encode(), partition=0)
    assert producer.flush(30) == 0


def kcat_offsets(server, topic):
    result = subprocess.run(["kcat", "-b", server.bootstrap, "-C", "-t", topic, "-p", "0", "-o", "beginning", "-e",
                             "-f", "%o\n"], capture_output=True, timeout=60, stdin=subprocess.DEVNULL)
    assert result.returncode == 0, result.stderr.decode()
    return [int(line) for line in result.stdout.decode().split()]


def confluent_offsets(server, topic, expected):
    consumer = Consumer({"bootstrap.servers": server.bootstrap, "group.id": f"g-{topic}",
                         "auto.offset.reset": "earliest", "enable.auto.commit": False})
    consumer.assign([TopicPartition(topic, 0, -2)])  # OFFSET_BEGINNING
    offsets = []
    try:
        for _ in range(60):
            if len(offsets) >= expected:
                break
            message = consumer.poll(0.5)
            if message is not None and message.error() is None:
                offsets.append(message.offset())
    finally:
        consumer.close()
    return offsets


def test_log_admin_java(make_server, kafka_java):  # noqa: F811
    server = make_server()
    result = kafka_java.run("LogAdmin.java", server.bootstrap, os.path.abspath(server.data_dir), timeout=180)
    assert result.returncode == 0, (
        f"--- stderr ---\n{result.stderr[-6000:]}\n--- stdout ---\n{result.stdout[-2000:]}"
        f"\n--- server log ---\n{server.read_log()[-6000:]}")
    assert "ok log-admin" in result.stdout
    # Another client, kcat, also starts at the log start the Java admin set.
    assert kcat_offsets(server, "java-logadmin") == list(range(20, 50))


def test_delete_records_confluent_then_consumers_start_there(make_server):
    server = make_server()
    admin = AdminClient({"bootstrap.servers": server.bootstrap})
    produce(server, "ck-dr", 40)
    futures = admin.delete_records([TopicPartition("ck-dr", 0, 25)], request_timeout=15)
    deleted = list(futures.values())[0].result(timeout=20)
    assert deleted.low_watermark == 25
    low, high = Consumer({"bootstrap.servers": server.bootstrap, "group.id": "wm"}).get_watermark_offsets(
        TopicPartition("ck-dr", 0), timeout=10)
    assert (low, high) == (25, 40)
    assert kcat_offsets(server, "ck-dr") == list(range(25, 40))
    assert confluent_offsets(server, "ck-dr", 15) == list(range(25, 40))

    cluster = admin.describe_cluster(request_timeout=15).result(timeout=20)
    assert cluster.cluster_id
    assert [node.id for node in cluster.nodes] == [cluster.controller.id]
    assert cluster.nodes[0].port == int(server.bootstrap.rsplit(":", 1)[1])

    # The log start survives a restart.
    server.stop()
    server.start()
    assert kcat_offsets(server, "ck-dr") == list(range(25, 40))


def test_log_admin_kafka_python(make_server):
    server = make_server()
    produce(server, "kp-dr", 30)
    admin = KafkaAdminClient(bootstrap_servers=server.bootstrap, request_timeout_ms=15000)
    try:
        result = admin.delete_records({KPTopicPartition("kp-dr", 0): 12})
        assert result[KPTopicPartition("kp-dr", 0)]["low_watermark"] == 12, result
        cluster = admin.describe_cluster()
        assert cluster["cluster_id"] and cluster["controller_id"] == cluster["brokers"][0]["broker_id"], cluster
        dirs = admin.describe_log_dirs()
        text = repr(dirs)
        assert os.path.abspath(server.data_dir) in text, text
        assert "kp-dr" in text, text
    finally:
        admin.close()
    assert kcat_offsets(server, "kp-dr") == list(range(12, 30))


def test_cli_delete_records_and_logdirs(make_server):
    from conftest import sluice_bin
    server = make_server()
    admin = AdminClient({"bootstrap.servers": server.bootstrap})
    from confluent_kafka.admin import NewTopic
    for future in admin.create_topics([NewTopic("cli-dr", 2, 1)], request_timeout=15).values():
        future.result(timeout=20)
    producer = Producer({"bootstrap.servers": server.bootstrap})
    for i in range(20):
        producer.produce("cli-dr", value=f"v{i}".encode(), partition=i % 2)
    assert producer.flush(30) == 0

    def cli(*args):
        result = subprocess.run([sluice_bin(), *args, "--bootstrap", server.bootstrap], capture_output=True,
                                timeout=60, stdin=subprocess.DEVNULL)
        return result.returncode, result.stdout.decode(), result.stderr.decode()

    code, out, err = cli("topics", "delete-records", "cli-dr", "--before", "4", "--partition", "1", "--output", "json")
    assert code == 0, err
    import json
    assert json.loads(out) == [{"partition": "1", "low_watermark": "4"}]
    code, out, err = cli("topics", "delete-records", "cli-dr", "--before", "-1")
    assert code == 0, err
    assert [line.split() for line in out.strip().splitlines()[1:]] == [["0", "10"], ["1", "10"]]
    code, out, err = cli("topics", "delete-records", "cli-dr", "--before", "99", "--partition", "0")
    assert code != 0 and "OFFSET_OUT_OF_RANGE" in err, (out, err)
    assert kcat_offsets(server, "cli-dr") == []

    code, out, err = cli("logdirs", "--output", "json")
    assert code == 0, err
    rows = json.loads(out)
    assert {row["log_dir"] for row in rows} == {os.path.abspath(server.data_dir)}
    assert {(row["topic"], row["partition"]) for row in rows} >= {("cli-dr", "0"), ("cli-dr", "1")}
