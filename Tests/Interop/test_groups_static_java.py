"""Static group membership (KIP-345) with Apache Kafka's Java client 3.9 (the client of
Spark, Kafka Connect, Flink, Logstash): Tests/Interop/java/StaticMembers.java runs each
scenario against a real `sluice serve` and exits non-zero naming the check that failed.

- restart: one of three static members restarts within its session; it gets its
  partitions back and no member sees a revoke;
- close: all three close; the group is Empty after the session timeout plus 1 s and
  DeleteGroups succeeds (NON_EMPTY_GROUP before: they sent no LeaveGroup);
- fence: a second consumer with the same group.instance.id fences the first
  (FencedInstanceIdException);
- remove: Admin.removeMembersFromConsumerGroup by instance id removes a closed static
  member at once (UnknownMemberIdException for an unknown instance id).
"""
import pytest

from group_members import REBALANCE_DELAY_MS
from java_client import kafka_java  # noqa: F401


@pytest.mark.parametrize("scenario", ["restart", "close", "fence", "remove"])
def test_static_members_java(make_server, kafka_java, scenario):  # noqa: F811
    server = make_server(groupInitialRebalanceDelayMs=REBALANCE_DELAY_MS)
    result = kafka_java.run("StaticMembers.java", server.bootstrap, scenario)
    assert result.returncode == 0, (
        f"{scenario} failed:\n--- stderr ---\n{result.stderr[-6000:]}\n--- stdout ---\n{result.stdout[-2000:]}"
        f"\n--- server log ---\n{server.read_log()[-6000:]}")
    assert f"ok {scenario}" in result.stdout
