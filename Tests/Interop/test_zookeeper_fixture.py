"""The ZooKeeper fixtures the cluster tests use: they start real servers that answer,
restart with their data, and leave nothing running."""
import os

from zookeeper import mode, ruok, zookeeper_ensemble, zookeeper_server


def test_standalone_server_answers_restarts_and_is_cleaned_up():
    with zookeeper_server() as server:
        assert ruok(server.port) and mode(server.port) == "standalone"
        assert server.connect("/sluice-x") == f"127.0.0.1:{server.port}/sluice-x"
        server.restart(down_seconds=0.5)
        assert ruok(server.port)
        directory, process = server.directory, server.process
    assert process.poll() is not None, "the JVM is gone after the block"
    assert not os.path.exists(directory), "the data directory is removed"


def test_ensemble_of_three_serves_on_every_member():
    with zookeeper_ensemble(3) as ensemble:
        assert all(ruok(s.port) for s in ensemble.servers)
        assert sorted(mode(s.port) for s in ensemble.servers) == ["follower", "follower", "leader"]
        assert len(ensemble.hosts.split(",")) == 3
