"""Consumer groups with aiokafka: members share partitions, and a member leaving or dying
hands its partitions to the survivor at the committed offsets."""
import pytest

from group_members import REBALANCE_DELAY_MS, members, share_then_lose_one  # noqa: F401


@pytest.mark.parametrize("how", ["close", "kill"])
def test_two_members_share_then_survivor_takes_over(make_server, members, how):  # noqa: F811
    server = make_server(groupInitialRebalanceDelayMs=REBALANCE_DELAY_MS)
    share_then_lose_one(server, members, "aiokafka", how)
