"""Static group membership (KIP-345) with confluent-kafka (librdkafka) and kafka-python's
admin client, against a real `sluice serve`:

- a static member that restarts within its session gets its partitions back, and no
  member (the restarted one included) sees a revoke;
- static members that close are removed by session timeout: the group is Empty after
  the session timeout plus 1 s, and DeleteGroups succeeds;
- a second process with an instance id already in use fences the first
  (FENCED_INSTANCE_ID);
- LeaveGroup v3+ by instance id removes a static member at once, with an answer per
  member (UNKNOWN_MEMBER_ID for an unknown instance id).
"""
import time

import pytest
from confluent_kafka import KafkaError
from kafka.admin import KafkaAdminClient, MemberToRemove
from kafka.errors import NoError, UnknownMemberIdError

from group_members import REBALANCE_DELAY_MS, create_topic
from static_members import SESSION_TIMEOUT_MS, StaticMember, delete_group, describe, split, wait_until


@pytest.fixture
def static_members():
    """Factory: static_members(server, group, topic, instance, **kw) -> StaticMember,
    each closed (or abandoned) at teardown."""
    started = []

    def make(*args, **kwargs):
        member = StaticMember(*args, **kwargs)
        started.append(member)
        return member

    yield make
    for member in started:
        member.stop_quietly()


def three_members(server, static_members, group, topic):
    create_topic(server, topic, 6)
    members = [static_members(server, group, topic, f"pod-{i}") for i in range(3)]
    wait_until(split(members, 6), 60, "three static members to split 6 partitions", server)
    return members


def test_a_restart_within_the_session_gets_the_same_partitions_and_nobody_sees_a_revoke(make_server, static_members):
    server = make_server(groupInitialRebalanceDelayMs=REBALANCE_DELAY_MS)
    members = three_members(server, static_members, "static-restart", "restart")
    before = {m.instance: m.assigned for m in members}
    counts = {m.instance: m.counts() for m in members}
    restarting = members[1]
    restarting.close()
    again = static_members(server, "static-restart", "restart", restarting.instance)
    wait_until(lambda: again.assigned, 30, "the restarted member's assignment", server)
    assert again.assigned == before[restarting.instance], "the restarted member gets its previous partitions"
    # A rebalance would reach the others at their next heartbeat (every 500 ms): give
    # them several before counting.
    time.sleep(3 * 0.5 + 1)
    for member in (members[0], members[2]):
        assert member.counts() == counts[member.instance], f"{member.instance} saw a rebalance: {member.counts()} vs {counts[member.instance]}"
        assert member.assigned == before[member.instance]
    assert again.counts() == (1, 0), "the restarted member is assigned once and never revoked"
    described = describe(server, "static-restart")
    assert str(described.state).endswith("STABLE"), described.state
    assert sorted(m.group_instance_id for m in described.members) == ["pod-0", "pod-1", "pod-2"]


def test_closed_static_members_leave_by_session_timeout_then_the_group_can_be_deleted(make_server, static_members):
    server = make_server(groupInitialRebalanceDelayMs=REBALANCE_DELAY_MS)
    members = three_members(server, static_members, "static-close", "close")
    for member in members:
        member.close()
    closed_at = time.monotonic()
    refused = delete_group(server, "static-close")
    assert refused is not None and refused.code() == KafkaError.NON_EMPTY_GROUP, \
        f"static members sent no LeaveGroup, so the group still has them: {refused}"
    time.sleep(max(0.0, closed_at + SESSION_TIMEOUT_MS / 1000 + 1 - time.monotonic()))
    described = describe(server, "static-close")
    assert str(described.state).endswith("EMPTY"), f"{described.state} with {len(described.members)} members"
    assert delete_group(server, "static-close") is None


def test_a_duplicate_instance_id_fences_the_older_member(make_server, static_members):
    server = make_server(groupInitialRebalanceDelayMs=REBALANCE_DELAY_MS)
    create_topic(server, "dup", 2)
    first = static_members(server, "static-dup", "dup", "pod-dup")
    wait_until(lambda: first.assigned == [0, 1], 60, "the first member's assignment", server)
    second = static_members(server, "static-dup", "dup", "pod-dup")
    wait_until(lambda: second.assigned == [0, 1], 30, "the second member to take over the instance", server)
    wait_until(lambda: first.fatal is not None, 30, "the first member to be fenced", server)
    fenced = KafkaError(KafkaError.FENCED_INSTANCE_ID)
    assert first.fatal.code() == fenced.code() or fenced.str() in first.fatal.str(), \
        f"fenced with FENCED_INSTANCE_ID ({fenced.str()}), got {first.fatal}"
    described = describe(server, "static-dup")
    assert [m.group_instance_id for m in described.members] == ["pod-dup"]
    assert second.fatal is None, second.errors


def test_leave_group_by_instance_id_removes_a_closed_static_member_at_once(make_server, static_members):
    server = make_server(groupInitialRebalanceDelayMs=REBALANCE_DELAY_MS)
    create_topic(server, "remove", 4)
    # A long session: only the admin call can remove the closed member within the test.
    gone = static_members(server, "static-remove", "remove", "pod-gone", session_timeout_ms=60000)
    stays = static_members(server, "static-remove", "remove", "pod-stays", session_timeout_ms=60000)
    wait_until(split([gone, stays], 4), 60, "two static members to split 4 partitions", server)
    gone.close()
    assert sorted(m.group_instance_id for m in describe(server, "static-remove").members) == ["pod-gone", "pod-stays"]

    admin = KafkaAdminClient(bootstrap_servers=server.bootstrap)
    try:
        results = admin.remove_group_members("static-remove", [
            MemberToRemove(group_instance_id="pod-gone"), MemberToRemove(group_instance_id="pod-never")])
    finally:
        admin.close()
    # kafka-python keys each answer by the member id the broker echoed, else the instance id.
    assert results == {"pod-gone": NoError, "pod-never": UnknownMemberIdError}, results
    assert [m.group_instance_id for m in describe(server, "static-remove").members] == ["pod-stays"]
    wait_until(lambda: stays.assigned == [0, 1, 2, 3], 30, "the remaining member to take every partition", server)
