"""`__consumer_offsets` read as Kafka operators read it: kafka-python and confluent-kafka
groups commit; confluent-kafka, kafka-python and a hand-written Fetch v4 read the internal
topic; a decoder of Kafka's internal schemas (offsets_topic_decoder.py, written from the
published format) finds every commit, the latest offsets equal OffsetFetch, the group
metadata equals DescribeGroups, and lag computed from it equals `sluice groups describe`.
Clients cannot produce to it or delete it, and a restart keeps it."""
import json
import subprocess
import time
import uuid

import pytest

from conftest import sluice_bin
from group_members import create_topic, produce, wait_until
from offsets_topic_decoder import (decode_group_value, decode_key, decode_offset_value, fetch_v4, list_offsets_v0,
                                   partition_for, records_of)

OFFSETS = "__consumer_offsets"
PARTITIONS = 7          # offsetsTopicPartitions for these servers
TOPIC = "ledger"


def read_offsets_topic(server):
    """Every record of __consumer_offsets with confluent-kafka, up to each partition's high
    watermark: {partition: [(offset, key, value)]}, and the watermarks."""
    from confluent_kafka import Consumer, TopicPartition, OFFSET_BEGINNING
    consumer = Consumer({"bootstrap.servers": server.bootstrap, "group.id": f"reader-{uuid.uuid4()}",
                         "enable.auto.commit": False, "enable.partition.eof": False})
    try:
        ends = {p: consumer.get_watermark_offsets(TopicPartition(OFFSETS, p), timeout=30)[1] for p in range(PARTITIONS)}
        consumer.assign([TopicPartition(OFFSETS, p, OFFSET_BEGINNING) for p in range(PARTITIONS) if ends[p] > 0])
        records = {p: [] for p in range(PARTITIONS)}
        deadline = time.monotonic() + 60
        while any(len(records[p]) < ends[p] for p in range(PARTITIONS)) and time.monotonic() < deadline:
            message = consumer.poll(0.5)
            if message is None or message.error():
                continue
            records[message.partition()].append((message.offset(), message.key(), message.value()))
        assert all(len(records[p]) == ends[p] for p in range(PARTITIONS)), \
            f"read {[len(r) for r in records.values()]} of {ends} records (nothing is compacted yet)"
        return records, ends
    finally:
        consumer.close()


def decoded(records):
    """(latest offset value per (group, topic, partition), latest group value per group, every
    offset record as (group, topic, partition, offset) in log order per partition)."""
    offsets, groups, every = {}, {}, []
    for partition, rows in records.items():
        for _, key, value in rows:
            kind = decode_key(key)
            if kind[0] == "offset":
                _, group, topic, p = kind
                assert partition == partition_for(group, PARTITIONS), f"{group} written to partition {partition}"
                offsets[(group, topic, p)] = decode_offset_value(value)
                if value is not None:
                    every.append((group, topic, p, offsets[(group, topic, p)]["offset"]))
            else:
                assert partition == partition_for(kind[1], PARTITIONS)
                groups[kind[1]] = decode_group_value(value)
    return offsets, groups, every


def committed(server, group):
    from kafka import KafkaAdminClient
    admin = KafkaAdminClient(bootstrap_servers=server.bootstrap)
    try:
        return {(group, tp.topic, tp.partition): meta.offset for tp, meta in admin.list_group_offsets(group)[group].items()}
    finally:
        admin.close()


def describe_group(server, group):
    """DescribeGroups through confluent-kafka's admin client."""
    from confluent_kafka.admin import AdminClient
    admin = AdminClient({"bootstrap.servers": server.bootstrap})
    return admin.describe_consumer_groups([group], request_timeout=30)[group].result(timeout=30)


def sluice_lag(server, group):
    result = subprocess.run([sluice_bin(), "groups", "describe", group, "--output", "json", "--bootstrap", server.bootstrap],
                            capture_output=True, timeout=60, text=True)
    assert result.returncode == 0, result.stderr
    return {(r["topic"], int(r["partition"])): int(r["lag"]) for r in json.loads(result.stdout) if r["topic"] != "-"}


def kafka_python_commits(server, group):
    """A kafka-python member that reads the topic and commits three times, each commit an
    explicit dict; returns the consumer (still a member) and the commits sent."""
    from kafka import KafkaConsumer, TopicPartition
    from kafka.structs import OffsetAndMetadata
    consumer = KafkaConsumer(TOPIC, bootstrap_servers=server.bootstrap, group_id=group, client_id="kp-client",
                             enable_auto_commit=False, auto_offset_reset="earliest")
    sent, seen = [], {}
    deadline = time.monotonic() + 60
    while sum(seen.values()) < 60 and time.monotonic() < deadline:
        for tp, messages in consumer.poll(timeout_ms=500).items():
            seen[tp.partition] = seen.get(tp.partition, 0) + len(messages)
        if seen and len(sent) < 2:
            commit = {TopicPartition(TOPIC, p): OffsetAndMetadata(n, f"kp-{len(sent)}", -1) for p, n in sorted(seen.items())}
            consumer.commit(commit)
            sent.append({p: n for p, n in seen.items()})
    assert sum(seen.values()) == 60, seen
    consumer.commit({TopicPartition(TOPIC, p): OffsetAndMetadata(n, "kp-last", -1) for p, n in sorted(seen.items())})
    sent.append(dict(seen))
    return consumer, sent


def confluent_commits(server, group):
    from confluent_kafka import Consumer, TopicPartition
    consumer = Consumer({"bootstrap.servers": server.bootstrap, "group.id": group, "client.id": "ck-client",
                         "enable.auto.commit": False, "auto.offset.reset": "earliest"})
    consumer.subscribe([TOPIC])
    sent, seen = [], {}
    deadline = time.monotonic() + 60
    while sum(seen.values()) < 60 and time.monotonic() < deadline:
        message = consumer.poll(0.5)
        if message is None or message.error():
            continue
        seen[message.partition()] = message.offset() + 1
        if sum(seen.values()) in (20, 40):
            consumer.commit(offsets=[TopicPartition(TOPIC, p, n) for p, n in sorted(seen.items())], asynchronous=False)
            sent.append(dict(seen))
    assert sum(seen.values()) == 60, seen
    consumer.commit(offsets=[TopicPartition(TOPIC, p, n) for p, n in sorted(seen.items())], asynchronous=False)
    sent.append(dict(seen))
    return consumer, sent


def test_offsets_topic_holds_every_commit_and_the_groups_as_kafka_writes_them(make_server):
    server = make_server(offsetsTopicPartitions=PARTITIONS, groupInitialRebalanceDelayMs=0)
    create_topic(server, TOPIC, 3)
    produce(server, TOPIC, [f"v{i}" for i in range(60)], 3)
    kp_group, ck_group = "kp-ledger", "ck-ledger"
    kp, kp_sent = kafka_python_commits(server, kp_group)
    ck, ck_sent = confluent_commits(server, ck_group)
    try:
        produce(server, TOPIC, [f"late{i}" for i in range(9)], 3)   # 3 more per partition: lag 3

        # Every commit, in order, per (group, topic, partition).
        records, ends = read_offsets_topic(server)
        offsets, groups, every = decoded(records)
        for group, sent in ((kp_group, kp_sent), (ck_group, ck_sent)):
            for p in range(3):
                expected = [commit[p] for commit in sent if p in commit]
                got = [o for g, t, q, o in every if g == group and t == TOPIC and q == p]
                assert got == expected, f"{group} partition {p}: commits {expected}, topic has {got}"
        assert offsets[(kp_group, TOPIC, 0)]["metadata"] == "kp-last"
        assert all(v["version"] == 3 for v in offsets.values())

        # The latest offsets equal OffsetFetch.
        latest = {k: v["offset"] for k, v in offsets.items() if k[0] in (kp_group, ck_group)}
        assert latest == {**committed(server, kp_group), **committed(server, ck_group)}

        # Group metadata equals DescribeGroups (once the settled group's record is written).
        def metadata_matches(group):
            from confluent_kafka import ConsumerGroupState
            described = describe_group(server, group)
            value = decoded(read_offsets_topic(server)[0])[1].get(group)
            if value is None or described.state != ConsumerGroupState.STABLE:
                return False
            mine = sorted((m["member_id"], m["client_id"], m["client_host"], m["group_instance_id"]) for m in value["members"])
            theirs = sorted((m.member_id, m.client_id, m.host, m.group_instance_id) for m in described.members)
            return (value["version"] == 3 and value["protocol_type"] == "consumer"
                    and value["protocol"] == described.partition_assignor
                    and value["leader"] in [m["member_id"] for m in value["members"]]
                    and mine == theirs and all(m["assignment"] and m["subscription"] for m in value["members"]))
        for group in (kp_group, ck_group):
            wait_until(lambda: metadata_matches(group), 30, f"the group-metadata record of {group} to match DescribeGroups")

        # Lag from the topic (high watermark − decoded offset) equals `sluice groups describe`.
        from confluent_kafka import Consumer, TopicPartition
        probe = Consumer({"bootstrap.servers": server.bootstrap, "group.id": "probe"})
        high = {p: probe.get_watermark_offsets(TopicPartition(TOPIC, p), timeout=30)[1] for p in range(3)}
        probe.close()
        for group in (kp_group, ck_group):
            mine = {(TOPIC, p): high[p] - latest[(group, TOPIC, p)] for p in range(3)}
            assert mine == sluice_lag(server, group)
            assert set(mine.values()) == {3}

        # Fetch v4 and ListOffsets v0 by hand see the same records and end.
        for p in range(PARTITIONS):
            error, offsets_v0 = list_offsets_v0(server.bootstrap, OFFSETS, p)
            assert error == 0 and offsets_v0[0] >= ends[p]
            if ends[p] == 0:
                continue
            error, high_watermark, batches = fetch_v4(server.bootstrap, OFFSETS, p, 0)
            assert error == 0 and high_watermark >= ends[p]
            assert records_of(batches)[:ends[p]] == records[p]
        # kafka-python, with whatever Fetch version it picks, reads them too.
        from kafka import KafkaConsumer, TopicPartition as KTP
        reader = KafkaConsumer(bootstrap_servers=server.bootstrap, enable_auto_commit=False, auto_offset_reset="earliest")
        kp_partition = partition_for(kp_group, PARTITIONS)
        reader.assign([KTP(OFFSETS, kp_partition)])
        got = []
        deadline = time.monotonic() + 30
        while len(got) < ends[kp_partition] and time.monotonic() < deadline:
            for messages in reader.poll(timeout_ms=500).values():
                got.extend((m.offset, m.key, m.value) for m in messages)
        reader.close()
        assert got[:ends[kp_partition]] == records[kp_partition]
    finally:
        kp.close()
        ck.close()


def test_clients_cannot_write_delete_or_create_it_and_a_restart_keeps_it(make_server):
    from kafka import KafkaAdminClient
    from kafka.errors import KafkaError
    server = make_server(offsetsTopicPartitions=PARTITIONS, groupInitialRebalanceDelayMs=0)
    create_topic(server, TOPIC, 3)
    produce(server, TOPIC, [f"v{i}" for i in range(60)], 3)
    ck, sent = confluent_commits(server, "restart-group")
    ck.close()
    admin = KafkaAdminClient(bootstrap_servers=server.bootstrap)
    try:
        described = admin.describe_topics([OFFSETS])[0]
        assert described["is_internal"] is True and len(described["partitions"]) == PARTITIONS, described
        with pytest.raises(KafkaError):
            admin.delete_topics([OFFSETS])
        with pytest.raises(KafkaError):
            admin.create_topics({OFFSETS: {"num_partitions": 1, "replication_factor": 1}})
    finally:
        admin.close()
    # Kafka's answer to a client's produce to an internal topic: INVALID_TOPIC_EXCEPTION.
    from confluent_kafka import KafkaError as CKError, Producer
    reports = []
    producer = Producer({"bootstrap.servers": server.bootstrap, "message.send.max.retries": 0})
    producer.produce(OFFSETS, key=b"k", value=b"v", partition=0, on_delivery=lambda err, msg: reports.append(err))
    assert producer.flush(30) == 0
    assert len(reports) == 1 and reports[0] is not None and reports[0].code() == CKError.TOPIC_EXCEPTION, reports

    before, ends = read_offsets_topic(server)
    expected = committed(server, "restart-group")
    assert {k: v["offset"] for k, v in decoded(before)[0].items()} == expected
    empty = decoded(before)[1]["restart-group"]
    assert empty["members"] == [] and empty["protocol"] is None, "the consumer left: the group is recorded Empty"

    assert server.stop() == 0
    server.start()
    after, ends_after = read_offsets_topic(server)
    assert ends_after == ends and after == before
    assert committed(server, "restart-group") == expected
