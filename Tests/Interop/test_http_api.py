"""The http plugin against a real server and real clients: kcat produces, kafka-python
commits, and /metrics (read by prometheus_client's parser), /api/topics and /api/groups
agree on what happened."""
import re
import time

from prometheus_client.parser import text_string_to_metric_families

from http_setup import GROUP, TOPIC, get, get_json, kcat_produce, produce_and_commit


def samples(server):
    status, body, content_type = get(server, "/metrics")
    assert status == 200 and content_type.startswith("text/plain")
    return [s for family in text_string_to_metric_families(body.decode()) for s in family.samples]


def value(all_samples, name, **labels):
    hits = [s.value for s in all_samples if s.name == name and all(s.labels.get(k) == v for k, v in labels.items())]
    assert len(hits) == 1, f"{name}{labels}: {hits}"
    return hits[0]


def test_metrics_topics_and_groups_agree_after_kcat_and_kafka_python(make_server):
    server = make_server(protocols=("kafka", "http"))
    produce_and_commit(server)

    metrics = samples(server)
    assert value(metrics, "sluice_produced_records_total", topic=TOPIC) == 1000
    assert value(metrics, "sluice_produced_bytes_total", topic=TOPIC) > 1000 * len("record-0")
    assert value(metrics, "sluice_fetched_records_total", topic=TOPIC) >= 400
    assert value(metrics, "sluice_partition_log_end_offset", topic=TOPIC, partition="0") == 1000
    assert value(metrics, "sluice_partition_size_bytes", topic=TOPIC, partition="0") > 0
    assert value(metrics, "sluice_consumer_group_lag", group=GROUP, topic=TOPIC, partition="0") == 600
    assert value(metrics, "sluice_open_connections", protocol="kafka") >= 0
    assert value(metrics, "sluice_process_resident_memory_bytes") > 1 << 20
    assert value(metrics, "sluice_request_duration_seconds_count", api="Produce") >= 1
    assert value(metrics, "sluice_request_duration_seconds_bucket", api="Produce", le="+Inf") >= 1

    status, topics = get_json(server, "/api/topics")
    assert status == 200
    observed = next(t for t in topics if t["name"] == TOPIC)
    assert observed["partitions"] == [{"partition": 0, "logStartOffset": 0, "logEndOffset": 1000,
                                       "sizeBytes": observed["partitions"][0]["sizeBytes"]}]
    assert observed["partitions"][0]["sizeBytes"] > 0

    status, groups = get_json(server, "/api/groups")
    assert status == 200
    watchers = next(g for g in groups if g["group"] == GROUP)
    assert watchers["offsets"] == [{"topic": TOPIC, "partition": 0, "committed": 400, "logEndOffset": 1000, "lag": 600}]
    assert watchers["state"] == "Empty"


def test_records_of_every_codec_decode(make_server):
    server = make_server(protocols=("kafka", "http"))
    # Repetitive values, so librdkafka keeps the compressed batch (it sends a batch
    # uncompressed when compressing does not make it smaller).
    expected, codecs = [], []
    for codec in ("gzip", "snappy", "lz4", "zstd"):
        values = [f"{codec}-{i}-" + "abc" * 100 for i in range(10)]
        kcat_produce(server, "zipped", values, "-z", codec)
        expected += values
        codecs += [codec] * len(values)
    status, page = get_json(server, "/api/topics/zipped/partitions/0/records?limit=500")
    assert status == 200
    records = page["records"]
    assert [r["value"]["data"] for r in records] == expected
    assert [r["offset"] for r in records] == list(range(40))
    assert [r["compression"] for r in records] == codecs
    assert not any(r.get("undecodable") for r in records)
    assert page["nextOffset"] == 40


def test_records_from_a_timestamp(make_server):
    server = make_server(protocols=("kafka", "http"))
    kcat_produce(server, "timed", ["early"])
    time.sleep(0.05)
    cut = int(time.time() * 1000)
    time.sleep(0.05)
    kcat_produce(server, "timed", ["late"])
    status, page = get_json(server, f"/api/topics/timed/partitions/0/records?timestamp={cut}")
    assert status == 200
    assert [r["value"]["data"] for r in page["records"]] == ["late"]


def test_errors_are_json_with_a_message(make_server):
    server = make_server(protocols=("kafka", "http"))
    kcat_produce(server, "known", ["a", "b"])
    for path, code, text in [
        ("/api/topics/unknown/partitions/0/records", 404, "unknown topic"),
        ("/api/topics/known/partitions/3/records", 404, "no partition 3"),
        ("/api/topics/known/partitions/0/records?offset=99", 400, "outside"),
        ("/api/topics/known/partitions/0/records?offset=minus", 400, "offset must be"),
    ]:
        status, body = get_json(server, path)
        assert status == code, (path, body)
        assert text in body["error"], (path, body)


def test_health_readiness_and_console_url_in_the_log(make_server):
    server = make_server(protocols=("kafka", "http"))
    assert get_json(server, "/healthz") == (200, {"status": "up"})
    status, ready = get_json(server, "/readyz")
    assert status == 200 and ready["ready"] is True, ready
    status, services = get_json(server, "/api/connectors")
    assert status == 200
    assert {s["plugin"] for s in services} >= {"kafka", "http", "sqlite"}
    assert all(s["state"] == "running" for s in services), services
    port = server.ports["http"]
    assert re.search(rf"web console at http://127\.0\.0\.1:{port}/", server.read_log()), server.read_log()


def test_connectors_report_the_file_sink_and_its_position(make_server):
    def configure(config):
        config["connectors"].append({"name": "archive", "plugin": "file-sink", "config": {"topics": ["logs"], "format": "value"}})
    server = make_server(protocols=("kafka", "http"), configure=configure)
    kcat_produce(server, "logs", [f"line-{i}" for i in range(10)])
    deadline = time.monotonic() + 30
    archive, written = None, 0
    while time.monotonic() < deadline:
        archive = next(c for c in get_json(server, "/api/connectors")[1] if c["name"] == "archive")
        written = [s.value for s in samples(server) if s.name == "sluice_file_sink_records_total"
                   and s.labels.get("connector") == "archive" and s.labels.get("topic") == "logs"]
        if archive["position"] and written == [10]:
            break
        time.sleep(0.2)
    assert archive["plugin"] == "file-sink" and archive["state"] == "running" and archive["kind"] == "sink", archive
    assert archive["position"], archive
    assert written == [10], "the file sink's counter is exported: 10 records written"
