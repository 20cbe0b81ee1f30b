"""Client quotas in a cluster (issue 28): a quota set through one broker with `sluice
quotas alter` is enforced within seconds by another broker, which learns it from
ZooKeeper (every broker reloads quotas every 2 s). The producer talks only to broker 2,
which leads the topic's only partition; the quota is set through broker 1."""
import os
import subprocess
import sys
import time

from test_cluster import make_cluster, wait_for  # noqa: F401 (fixture)
from zookeeper import zookeeper  # noqa: F401 (fixture)

QUOTA = 262_144
SECONDS = 8


def test_quota_set_through_one_broker_holds_on_another(make_cluster):
    import json
    from confluent_kafka.admin import AdminClient, NewTopic
    cluster = make_cluster(size=2)
    one, two = cluster.node(1), cluster.node(2)
    admin = AdminClient({"bootstrap.servers": one.bootstrap})
    admin.create_topics([NewTopic("far", 1, replica_assignment=[[2]])], operation_timeout=10)["far"].result(timeout=30)
    wait_for("broker 2 leads far-0", lambda: (cluster.describe(two, "far", missing_ok=True) or {}).get(0, {}).get("leader") == 2,
             logs=cluster.logs)
    code, _, err = cluster.sluice(one, "quotas", "alter", "--client-id", "far-producer", "--set", f"producer_byte_rate={QUOTA}")
    assert code == 0, err
    code, out, err = cluster.sluice(two, "quotas", "describe", "--client-id", "far-producer", "--output", "json")
    assert code == 0 and json.loads(out) == [{"user": "-", "client-id": "far-producer", "quota": "producer_byte_rate",
                                              "value": str(QUOTA)}], (out, err)
    script = os.path.join(os.path.dirname(__file__), "quota_producer.py")
    result = subprocess.run([sys.executable, script, two.bootstrap, "far", "far-producer", "0", str(SECONDS)],
                            capture_output=True, timeout=SECONDS + 120)
    assert result.returncode == 0, result.stderr.decode()[-3000:]
    report = json.loads(result.stdout.decode().strip().splitlines()[-1])
    print(f"far-producer on broker 2: {report['bytes'] / SECONDS / 1024:.0f} KB/s over {SECONDS} s,"
          f" throttle-time-max {report['throttle_max_ms']:.0f} ms (quota {QUOTA // 1024} KB/s set through broker 1)")
    assert report["errors"] == 0, report
    assert report["throttle_max_ms"] > 0, f"broker 2 throttles the client within seconds: {report}\n{cluster.logs()}"
    # Up to 2 s before broker 2 reloads, then a first burst of ten 1 s windows' worth, then the quota.
    allowed = (QUOTA * (SECONDS + 10) + 5_000_000 * 2) * 1.25
    assert report["bytes"] <= allowed, f"{report['bytes']} bytes in {SECONDS} s is far over {QUOTA} B/s"
