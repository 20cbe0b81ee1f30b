"""ACLs (issue 24): Kafka's model checked at every API, with principals from TLS client
certificates. confluent-kafka's AdminClient and `sluice acls` create, describe and delete
ACLs; a Deny ACL, no ACL at all, Read without Write, CreateTopics without Create and a
non-super user's AlterConfigs are each refused with Kafka's error and leave nothing written,
created or changed (checked afterwards through a super user); a super user may do
everything; Metadata hides topics the principal may not describe; a consumer group needs
Read on the group."""
import json
import subprocess
import time

from confluent_kafka import Consumer, KafkaError, KafkaException, Producer, TopicPartition
from confluent_kafka.admin import (AclBinding, AclBindingFilter, AclOperation, AclPermissionType, AdminClient,
                                   ConfigResource, NewTopic, ResourcePatternType, ResourceType)

from conftest import free_port, sluice_bin
from tls_certs import CLIENT_PRINCIPAL as ALICE, _leaf, tls_certs  # noqa: F401

ADMIN = "User:CN=admin,OU=ops,O=Acme,C=US"


def acl_server(make_server, certs):
    """An SSL listener requiring client certificates (alice, admin) and a loopback
    plaintext listener for `sluice acls` (User:ANONYMOUS, a super user here)."""
    _leaf(certs.dir, "admin", "/C=US/O=Acme/OU=ops/CN=admin", "ca", "extendedKeyUsage=clientAuth\n")
    plain_port = free_port()

    def configure(config):
        config["broker"]["superUsers"] = [ADMIN, "User:ANONYMOUS"]
        config["protocols"][0]["config"]["tls"] = {
            "certificatePath": certs.path("server.pem"), "keyPath": certs.path("server.key"),
            "caPath": certs.path("ca.pem"), "clientAuth": "required"}
        config["protocols"].append({"plugin": "kafka", "config": {"listen": f"127.0.0.1:{plain_port}"}})
    server = make_server(configure=configure)
    server.plain_bootstrap = f"127.0.0.1:{plain_port}"
    return server


def ssl_settings(certs, who):
    return {"security.protocol": "SSL", "ssl.ca.location": certs.path("ca.pem"),
            "ssl.certificate.location": certs.path(f"{who}.pem"), "ssl.key.location": certs.path(f"{who}.key")}


def admin_client(server, certs, who):
    return AdminClient({"bootstrap.servers": server.bootstrap, **ssl_settings(certs, who)})


def sluice_acls(server, *args):
    result = subprocess.run([sluice_bin(), "acls", *args, "--bootstrap", server.plain_bootstrap], capture_output=True,
                            text=True, timeout=60, stdin=subprocess.DEVNULL)
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout


def wait_all(futures):
    for future in futures.values():
        future.result(timeout=30)


def create_topics(admin, *names):
    wait_all(admin.create_topics([NewTopic(name, 1, 1) for name in names]))


def allow(principal, operation, resource_type=ResourceType.TOPIC, name="*", pattern=ResourcePatternType.LITERAL,
          permission=AclPermissionType.ALLOW):
    return AclBinding(resource_type, name, pattern, principal, "*", operation, permission)


def produce_error(server, certs, who, topic):
    """Produces one record as `who`; returns the delivery error code (None when it landed)."""
    errors = []
    producer = Producer({"bootstrap.servers": server.bootstrap, "message.timeout.ms": 8000, **ssl_settings(certs, who)})
    producer.produce(topic, value=b"x", on_delivery=lambda err, msg: errors.append(err))
    producer.flush(30)
    assert errors, "no delivery report"
    return errors[0].code() if errors[0] is not None else None


def high_watermark(server, certs, topic):
    consumer = Consumer({"bootstrap.servers": server.bootstrap, "group.id": "acl-watermarks", **ssl_settings(certs, "admin")})
    try:
        return consumer.get_watermark_offsets(TopicPartition(topic, 0), timeout=15)[1]
    finally:
        consumer.close()


def test_admin_client_and_sluice_acls_create_describe_and_delete(make_server, tls_certs):  # noqa: F811
    server = acl_server(make_server, tls_certs)
    admin = admin_client(server, tls_certs, "admin")
    bindings = [allow(ALICE, AclOperation.READ, name="orders"),
                allow(ALICE, AclOperation.WRITE, name="logs-", pattern=ResourcePatternType.PREFIXED),
                allow("User:*", AclOperation.ALL, ResourceType.GROUP, "shared", permission=AclPermissionType.DENY)]
    wait_all(admin.create_acls(bindings))
    described = admin.describe_acls(AclBindingFilter(ResourceType.ANY, None, ResourcePatternType.ANY, None, None,
                                                     AclOperation.ANY, AclPermissionType.ANY)).result(timeout=30)
    assert sorted(map(str, described)) == sorted(map(str, bindings))
    # `sluice acls` sees the same ACLs and changes them through the same APIs.
    listed = json.loads(sluice_acls(server, "list", "--topic", "logs-app", "--matching", "--output", "json"))
    assert [(row["principal"], row["operation"], row["name"], row["pattern"]) for row in listed] == \
        [(ALICE, "Write", "logs-", "PREFIXED")]
    sluice_acls(server, "add", "--principal", "User:bob", "--operation", "describe", "--operation", "read", "--group", "g1")
    by_bob = admin.describe_acls(AclBindingFilter(ResourceType.GROUP, "g1", ResourcePatternType.LITERAL, "User:bob", None,
                                                  AclOperation.ANY, AclPermissionType.ALLOW)).result(timeout=30)
    assert sorted(b.operation for b in by_bob) == sorted([AclOperation.DESCRIBE, AclOperation.READ])
    removed = json.loads(sluice_acls(server, "remove", "--principal", "User:bob", "--output", "json"))
    assert len(removed) == 2
    deleted = admin.delete_acls([AclBindingFilter(ResourceType.TOPIC, None, ResourcePatternType.ANY, ALICE, None,
                                                  AclOperation.ANY, AclPermissionType.ANY)])
    assert len(list(deleted.values())[0].result(timeout=30)) == 2
    left = json.loads(sluice_acls(server, "list", "--output", "json"))
    assert [(row["resource"], row["name"], row["permission"]) for row in left] == [("Group", "shared", "Deny")]


def test_a_non_super_user_may_not_manage_acls(make_server, tls_certs):  # noqa: F811
    server = acl_server(make_server, tls_certs)
    alice = admin_client(server, tls_certs, "client")
    try:
        wait_all(alice.create_acls([allow(ALICE, AclOperation.ALL)]))
        raise AssertionError("alice created an ACL")
    except KafkaException as error:
        assert error.args[0].code() == KafkaError.CLUSTER_AUTHORIZATION_FAILED
    assert json.loads(sluice_acls(server, "list", "--output", "json")) == []


def test_refusals_leave_nothing_written_created_or_changed(make_server, tls_certs):  # noqa: F811
    server = acl_server(make_server, tls_certs)
    admin = admin_client(server, tls_certs, "admin")
    create_topics(admin, "read-only", "denied", "no-acl", "writable")
    wait_all(admin.create_acls([
        allow(ALICE, AclOperation.READ, name="read-only"),
        allow(ALICE, AclOperation.ALL, name="denied"),
        allow(ALICE, AclOperation.WRITE, name="denied", permission=AclPermissionType.DENY),
        allow(ALICE, AclOperation.WRITE, name="writable"),
    ]))
    assert produce_error(server, tls_certs, "client", "read-only") == KafkaError.TOPIC_AUTHORIZATION_FAILED, "Read without Write"
    assert produce_error(server, tls_certs, "client", "denied") == KafkaError.TOPIC_AUTHORIZATION_FAILED, "a Deny ACL beats All"
    assert produce_error(server, tls_certs, "client", "no-acl") == KafkaError.TOPIC_AUTHORIZATION_FAILED, "no ACL at all"
    assert produce_error(server, tls_certs, "client", "writable") is None, "Write on the topic"
    for topic in ("read-only", "denied", "no-acl"):
        assert high_watermark(server, tls_certs, topic) == 0, f"{topic} was written"
    assert high_watermark(server, tls_certs, "writable") == 1

    alice = admin_client(server, tls_certs, "client")
    # CreateTopics without Create: refused, nothing created.
    try:
        wait_all(alice.create_topics([NewTopic("alices-topic", 1, 1)]))
        raise AssertionError("alice created a topic")
    except KafkaException as error:
        assert error.args[0].code() == KafkaError.TOPIC_AUTHORIZATION_FAILED
    assert "alices-topic" not in admin.list_topics(timeout=10).topics
    # AlterConfigs of a non-super user: refused, the config stays as it was.
    before = _retention(admin)
    try:
        wait_all(alice.incremental_alter_configs([ConfigResource(ConfigResource.Type.TOPIC, "read-only",
                                                                 incremental_configs=[_retention_set()])]))
        raise AssertionError("alice altered a config")
    except KafkaException as error:
        assert error.args[0].code() == KafkaError.TOPIC_AUTHORIZATION_FAILED
    assert _retention(admin) == before != "1000", "retention.ms was changed"
    # Metadata lists only the topics alice may describe.
    assert set(alice.list_topics(timeout=10).topics) == {"read-only", "denied", "writable"}
    assert {"read-only", "denied", "no-acl", "writable"} <= set(admin.list_topics(timeout=10).topics)


def _retention(admin):
    configs = list(admin.describe_configs([ConfigResource(ConfigResource.Type.TOPIC, "read-only")]).values())[0].result(timeout=30)
    return configs["retention.ms"].value


def _retention_set():
    from confluent_kafka.admin import AlterConfigOpType, ConfigEntry
    return ConfigEntry("retention.ms", "1000", incremental_operation=AlterConfigOpType.SET)


def consume(server, certs, who, topic, group, count):
    """Consumes `count` records in `group`; returns (values, the first error code seen)."""
    consumer = Consumer({"bootstrap.servers": server.bootstrap, "group.id": group, "auto.offset.reset": "earliest",
                         **ssl_settings(certs, who)})
    consumer.subscribe([topic])
    seen, error = [], None
    deadline = time.monotonic() + 30
    while len(seen) < count and error is None and time.monotonic() < deadline:
        message = consumer.poll(0.5)
        if message is None:
            continue
        if message.error() is not None:
            error = message.error().code()
        else:
            seen.append(message.value())
    consumer.close()
    return seen, error


def test_a_consumer_group_needs_read_on_the_group_and_a_super_user_may_do_everything(make_server, tls_certs):  # noqa: F811
    server = acl_server(make_server, tls_certs)
    admin = admin_client(server, tls_certs, "admin")
    create_topics(admin, "events")
    assert produce_error(server, tls_certs, "admin", "events") is None, "a super user writes without any ACL"
    wait_all(admin.create_acls([allow(ALICE, AclOperation.READ, name="events"),
                                allow(ALICE, AclOperation.READ, ResourceType.GROUP, "alices-group")]))
    seen, error = consume(server, tls_certs, "client", "events", "someone-elses-group", 1)
    assert error == KafkaError.GROUP_AUTHORIZATION_FAILED and seen == []
    seen, error = consume(server, tls_certs, "client", "events", "alices-group", 1)
    assert (seen, error) == ([b"x"], None)
    seen, error = consume(server, tls_certs, "admin", "events", "any-group", 1)
    assert (seen, error) == ([b"x"], None), "a super user needs no ACL"
