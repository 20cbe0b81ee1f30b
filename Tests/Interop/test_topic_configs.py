"""Kafka 3.9's topic-config catalogue through real clients against a real `sluice serve`:
configs Sluice stores without acting on (delete.retention.ms, min.cleanable.dirty.ratio,
compression.type, preallocate, message.timestamp.difference.max.ms, ...) are accepted by
CreateTopics and reported by DescribeConfigs as DYNAMIC_TOPIC_CONFIG; the rest of the
catalogue is reported with its defaults; a misspelt name is refused with INVALID_CONFIG
and a message naming it.

- Java client 3.9 (Tests/Interop/java/TopicConfigs.java): Admin.createTopics,
  describeConfigs, incrementalAlterConfigs APPEND;
- confluent-kafka (librdkafka's admin API, as Terraform-style provisioning uses);
- kafka-python's KafkaAdminClient.
"""
import pytest
from confluent_kafka import KafkaException
from confluent_kafka.admin import AdminClient, ConfigResource, ConfigSource, NewTopic
from kafka import KafkaAdminClient
from kafka.admin import ConfigResource as KPConfigResource, ConfigResourceType
from kafka.errors import InvalidConfigurationError

from java_client import kafka_java  # noqa: F401

SET = {
    "delete.retention.ms": "3600000",
    "min.cleanable.dirty.ratio": "0.25",
    "compression.type": "zstd",
    "preallocate": "true",
    "message.timestamp.difference.max.ms": "86400000",
}


def test_topic_configs_java(make_server, kafka_java):  # noqa: F811
    server = make_server()
    result = kafka_java.run("TopicConfigs.java", server.bootstrap, timeout=180)
    assert result.returncode == 0, (
        f"--- stderr ---\n{result.stderr[-6000:]}\n--- stdout ---\n{result.stdout[-2000:]}"
        f"\n--- server log ---\n{server.read_log()[-6000:]}")
    assert "ok topic-configs" in result.stdout


def test_topic_configs_confluent(make_server):
    server = make_server()
    admin = AdminClient({"bootstrap.servers": server.bootstrap})
    for future in admin.create_topics([NewTopic("ck-configs", 1, 1, config=SET)], request_timeout=15).values():
        future.result(timeout=20)
    for future in admin.describe_configs([ConfigResource("topic", "ck-configs")], request_timeout=15).values():
        configs = future.result(timeout=20)
    for name, value in SET.items():
        assert configs[name].value == value, name
        assert configs[name].source == ConfigSource.DYNAMIC_TOPIC_CONFIG.value, name
    assert configs["message.downconversion.enable"].value == "true"
    assert configs["message.downconversion.enable"].source == ConfigSource.DEFAULT_CONFIG.value
    assert configs["max.message.bytes"].source == ConfigSource.STATIC_BROKER_CONFIG.value
    assert len(configs) >= 36

    futures = admin.create_topics([NewTopic("ck-typo", 1, 1, config={"retention.msx": "1000"})], request_timeout=15)
    with pytest.raises(KafkaException) as refused:
        futures["ck-typo"].result(timeout=20)
    error = refused.value.args[0]
    assert error.name() == "INVALID_CONFIG"
    assert "unknown topic config 'retention.msx' (did you mean 'retention.ms'?)" in error.str()
    assert "ck-typo" not in admin.list_topics(timeout=10).topics


def test_topic_configs_kafka_python(make_server):
    server = make_server()
    admin = KafkaAdminClient(bootstrap_servers=server.bootstrap, request_timeout_ms=15000)
    try:
        admin.create_topics({"kp-configs": {"num_partitions": 1, "replication_factor": 1, "configs": SET}})
        described = admin.describe_configs([KPConfigResource(ConfigResourceType.TOPIC, "kp-configs")], config_filter="all")
        configs = described["topic"]["kp-configs"]
        for name, value in SET.items():
            assert configs[name]["value"] == value, name
            assert configs[name]["config_source"] == "DYNAMIC_TOPIC_CONFIG", name
        assert configs["min.cleanable.dirty.ratio"]["config_type"] == "DOUBLE"
        assert configs["local.retention.ms"]["value"] == "-2"
        assert configs["local.retention.ms"]["config_source"] == "DEFAULT_CONFIG"
        modified = admin.describe_configs([KPConfigResource(ConfigResourceType.TOPIC, "kp-configs")])["topic"]["kp-configs"]
        assert set(modified) == set(SET), "only the overrides count as modified"

        with pytest.raises(InvalidConfigurationError) as refused:
            admin.create_topics({"kp-typo": {"num_partitions": 1, "replication_factor": 1,
                                             "configs": {"retention.msx": "1000"}}})
        assert "unknown topic config 'retention.msx'" in str(refused.value)
        assert "kp-typo" not in admin.list_topics()
    finally:
        admin.close()
