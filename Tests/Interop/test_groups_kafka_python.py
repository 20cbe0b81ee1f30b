"""Consumer groups with kafka-python: queue semantics (members share partitions), a member
leaving or dying, broadcast to several groups, and the 2→3 rebalance time."""
import sys

import pytest

from group_members import (REBALANCE_DELAY_MS, create_topic, members, produce, share_then_lose_one,  # noqa: F401
                           split_evenly, values_of, wait_until)


@pytest.mark.parametrize("how", ["close", "kill"])
def test_two_members_share_then_survivor_takes_over(make_server, members, how):  # noqa: F811
    server = make_server(groupInitialRebalanceDelayMs=REBALANCE_DELAY_MS)
    share_then_lose_one(server, members, "kafka-python", how)


def test_two_groups_each_receive_every_record(make_server, members):  # noqa: F811
    server = make_server(groupInitialRebalanceDelayMs=REBALANCE_DELAY_MS)
    create_topic(server, "news", 4)
    one = members("one", "kafka-python", server, "group-one", "news")
    two = members("two", "kafka-python", server, "group-two", "news")
    wait_until(lambda: one.assigned == [0, 1, 2, 3] and two.assigned == [0, 1, 2, 3], 60,
               "each group's only member to own every partition", server, [one, two])
    values = [f"news-{i}" for i in range(300)]
    produce(server, "news", values, 4)
    wait_until(lambda: len(one.records) >= 300 and len(two.records) >= 300, 60, "both groups to read everything",
               server, [one, two])
    assert sorted(values_of(one.records)) == sorted(values)
    assert sorted(values_of(two.records)) == sorted(values)
    one.close()
    two.close()


def test_rebalance_from_two_to_three_members(make_server, members):  # noqa: F811
    """Times a third member joining a stable group of two: from the third member's first
    contact until all three own their new partitions. Reported on stderr."""
    server = make_server(groupInitialRebalanceDelayMs=REBALANCE_DELAY_MS)
    create_topic(server, "grow", 4)
    a = members("a", "kafka-python", server, "grow", "grow")
    b = members("b", "kafka-python", server, "grow", "grow")
    wait_until(split_evenly([a, b], 4), 60, "a 2/2 split", server, [a, b])
    c = members("c", "kafka-python", server, "grow", "grow")
    wait_until(split_evenly([a, b, c], 4), 60, "a 2/1/1 split", server, [a, b, c])
    seconds = max(m.assigned_at for m in (a, b, c)) - c.started_at
    sys.stderr.write(f"\nrebalance 2→3 members (kafka-python, heartbeat 1 s): {seconds:.2f} s\n")
    assert seconds < 15
    produce(server, "grow", [f"g-{i}" for i in range(40)], 4)
    wait_until(lambda: sum(len(m.records) for m in (a, b, c)) >= 40, 60, "the three to read everything", server, [a, b, c])
    assert sorted(values_of(a.records + b.records + c.records)) == sorted(f"g-{i}" for i in range(40))
    for m in (a, b, c):
        m.close()
