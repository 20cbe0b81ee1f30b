"""Shared set-up of the http plugin's interop tests: 1,000 records produced by kcat and
a kafka-python group that commits 400 of them, so the group's lag is 600."""
import json
import subprocess
import time
import urllib.error
import urllib.request

from kafka import KafkaConsumer, TopicPartition
from kafka.structs import OffsetAndMetadata

TOPIC = "observed"
GROUP = "watchers"


def kcat_produce(server, topic, lines, *extra):
    """Produces `lines` (one record each) to partition 0 of `topic` with kcat."""
    subprocess.run(["kcat", "-b", server.bootstrap, "-t", topic, "-p", "0", "-P", *extra],
                   input="\n".join(lines) + "\n", text=True, check=True, timeout=60)


def produce_and_commit(server):
    kcat_produce(server, TOPIC, [f"record-{i}" for i in range(1000)])
    consumer = KafkaConsumer(bootstrap_servers=server.bootstrap, group_id=GROUP, enable_auto_commit=False,
                             auto_offset_reset="earliest", consumer_timeout_ms=10000)
    try:
        tp = TopicPartition(TOPIC, 0)
        consumer.assign([tp])
        seen = 0
        deadline = time.monotonic() + 60
        while seen < 400 and time.monotonic() < deadline:
            seen += sum(len(batch) for batch in consumer.poll(timeout_ms=1000, max_records=400 - seen).values())
        assert seen == 400, f"kafka-python read {seen} of the first 400 records"
        consumer.commit({tp: OffsetAndMetadata(400, "", -1)})
    finally:
        consumer.close()


def get(server, path):
    """(status, body bytes, content type) of GET `path`, errors included."""
    try:
        with urllib.request.urlopen(server.http_url + path, timeout=30) as response:
            return response.status, response.read(), response.headers.get("Content-Type")
    except urllib.error.HTTPError as error:
        return error.code, error.read(), error.headers.get("Content-Type")


def get_json(server, path):
    status, body, content_type = get(server, path)
    assert content_type.startswith("application/json"), (path, content_type, body)
    return status, json.loads(body)
