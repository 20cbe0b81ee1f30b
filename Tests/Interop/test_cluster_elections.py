"""Leader elections (issue 28): three real `sluice serve` brokers on a real ZooKeeper.

Broker 3 stops and falls behind while brokers 1 and 2 (the ISR) take acknowledged
records; then 1 and 2 die and 3 comes back alone. The controller (now 3) does not elect the
out-of-sync replica: both topics stay leaderless, and a preferred election through
confluent-kafka's AdminClient.elect_leaders answers PREFERRED_LEADER_NOT_AVAILABLE. Setting
`unclean.leader.election.enable=true` on one topic lets the controller elect broker 3 there;
`sluice cluster elect-leaders --unclean` does it for the other. Both then take records
again, and the records broker 3 never had are gone (that is what unclean means).
"""
import json
import time

from test_cluster import create_topic, fully_replicated, make_cluster, wait_for  # noqa: F401 (fixture)
from zookeeper import zookeeper  # noqa: F401 (fixture)

TOPICS = ("guarded", "forced")


def produce(bootstrap, topic, values):
    from confluent_kafka import Producer
    producer = Producer({"bootstrap.servers": bootstrap, "acks": "all", "message.timeout.ms": 30000})
    failed = []
    for value in values:
        producer.produce(topic, value=value, partition=0, on_delivery=lambda e, m: e and failed.append(str(e)))
    assert producer.flush(60) == 0
    assert not failed, failed[:3]


def read_partition(bootstrap, topic, expected, timeout=60.0):
    """Values of partition 0 from the start, assigned (no group: the offsets topic may be
    as leaderless as the rest), until `expected` arrived or the bound passed."""
    from confluent_kafka import OFFSET_BEGINNING, Consumer, TopicPartition
    consumer = Consumer({"bootstrap.servers": bootstrap, "group.id": "unused", "enable.auto.commit": False})
    consumer.assign([TopicPartition(topic, 0, OFFSET_BEGINNING)])
    values = []
    deadline = time.monotonic() + timeout
    try:
        while len(values) < expected and time.monotonic() < deadline:
            values += [m.value() for m in consumer.consume(num_messages=1000, timeout=1.0) if not m.error()]
    finally:
        consumer.close()
    return values


def leader(cluster, node, topic):
    return cluster.describe(node, topic)[0]["leader"]


def test_no_out_of_sync_replica_leads_until_unclean_election_is_allowed_or_asked_for(make_cluster):
    from confluent_kafka import ElectionType, TopicPartition
    from confluent_kafka.admin import AdminClient, AlterConfigOpType, ConfigEntry, ConfigResource, ResourceType
    cluster = make_cluster(size=3)
    for topic in TOPICS:
        create_topic(cluster.node(1), topic, 1, 3)
        wait_for(f"{topic} is fully replicated", lambda: fully_replicated(cluster, topic, cluster.node(1)), logs=cluster.logs)
    for topic in TOPICS:
        produce(cluster.bootstrap, topic, [f"{topic}-early-{i}".encode() for i in range(50)])

    # Broker 3 stops (it leaves the ISR) and misses 100 acknowledged records per topic.
    cluster.node(3).stop()
    for topic in TOPICS:
        wait_for(f"{topic}'s ISR is brokers 1 and 2", lambda: cluster.describe(cluster.node(1), topic)[0]["isr"] == [1, 2],
                 logs=cluster.logs)
        produce(cluster.node(1).bootstrap, topic, [f"{topic}-missed-{i}".encode() for i in range(100)])
    cluster.node(1).kill()
    cluster.node(2).kill()
    cluster.node(3).start()
    node3 = cluster.node(3)
    wait_for("broker 3 is alone and the controller",
             lambda: cluster.brokers(node3) == [3] and cluster.controller(node3) == 3, timeout=60, logs=cluster.logs)

    # The controller leaves both partitions leaderless, across a full resync (5 s).
    deadline = time.monotonic() + 7
    while time.monotonic() < deadline:
        for topic in TOPICS:
            view = cluster.describe(node3, topic)[0]
            assert view["leader"] is None, f"{topic}: the out-of-sync replica was elected: {view}\n{cluster.logs()}"
            assert view["isr"] == [1, 2], view
        time.sleep(0.5)

    admin = AdminClient({"bootstrap.servers": node3.bootstrap})
    outcome = admin.elect_leaders(ElectionType.PREFERRED, [TopicPartition("guarded", 0)]).result(timeout=30)
    (error,) = outcome.values()
    assert error is not None and error.name() == "PREFERRED_LEADER_NOT_AVAILABLE", outcome

    # The topic config lets the controller elect broker 3 for "guarded" only.
    resource = ConfigResource(ResourceType.TOPIC, "guarded", incremental_configs=[
        ConfigEntry("unclean.leader.election.enable", "true", incremental_operation=AlterConfigOpType.SET)])
    admin.incremental_alter_configs([resource])[resource].result(timeout=30)
    wait_for("broker 3 leads guarded", lambda: leader(cluster, node3, "guarded") == 3, timeout=30, logs=cluster.logs)
    assert leader(cluster, node3, "forced") is None, "forced does not allow unclean elections"

    # An operator's unclean election for "forced".
    code, out, err = cluster.sluice(node3, "cluster", "elect-leaders", "--unclean", "--topic", "forced", "--output", "json")
    assert code == 0, f"{out}\n{err}\n{cluster.logs()}"
    assert [(r["topic"], r["result"]) for r in json.loads(out)] == [("forced", "elected")], out
    view = wait_for("broker 3 leads forced", lambda: (lambda v: v if v["leader"] == 3 else None)(
        cluster.describe(node3, "forced")[0]), timeout=30, logs=cluster.logs)
    assert view["isr"] == [3], view
    code, out, err = cluster.sluice(node3, "cluster", "elect-leaders", "--unclean", "--topic", "forced", "--output", "json")
    assert code == 0 and json.loads(out)[0]["result"] == "ELECTION_NOT_NEEDED", f"{out}\n{err}"

    # Both topics work again; what broker 3 never had is lost.
    for topic in TOPICS:
        produce(node3.bootstrap, topic, [f"{topic}-late-{i}".encode() for i in range(20)])
        values = read_partition(node3.bootstrap, topic, 70)
        assert values == [f"{topic}-early-{i}".encode() for i in range(50)] + [f"{topic}-late-{i}".encode() for i in range(20)], \
            f"{topic}: {values[:3]}...{values[-3:]} ({len(values)})"
    print("\nunclean elections: no leader until allowed; 100 acknowledged records per topic lost by design")
