"""A consumer restarted with the same group id after a server restart resumes from its
committed offset. Needs durable plugins: the "sqlite" metadata plugin (offsets) and the
"segment-log" storage plugin (records); fails, saying so, if the catalog lacks them."""
from conftest import require_plugins
from group_members import REBALANCE_DELAY_MS, create_topic, members, produce, values_of, wait_until  # noqa: F401


def test_offsets_survive_a_server_restart(make_server, members):  # noqa: F811
    require_plugins(metadata="sqlite", storage="segment-log")  # offsets cannot outlive a restart without them

    def durable(config):
        config["storage"] = {"plugin": "segment-log", "config": {}}
        config["metadata"] = {"plugin": "sqlite", "config": {}}

    server = make_server(configure=durable, groupInitialRebalanceDelayMs=REBALANCE_DELAY_MS)
    create_topic(server, "durable", 4)
    first = [f"before-{i}" for i in range(200)]
    produce(server, "durable", first, 4)
    a = members("a", "kafka-python", server, "restarted", "durable")
    wait_until(lambda: a.committed == {p: 50 for p in range(4)}, 60, "everything committed", server, [a])
    assert sorted(values_of(a.records)) == sorted(first)
    a.close()

    assert server.stop() == 0, server.read_log()
    server.start()
    second = [f"after-{i}" for i in range(100)]
    produce(server, "durable", second, 4)
    b = members("b", "kafka-python", server, "restarted", "durable")
    wait_until(lambda: len(b.records) >= 100, 60, "the restarted consumer to read the new records", server, [b])
    assert sorted(values_of(b.records)) == sorted(second), "resumed at the committed offsets, nothing re-read"
    b.close()
