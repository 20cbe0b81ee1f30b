"""Several `sluice serve` processes forming one cluster on a real ZooKeeper.

Each node has its own working directory, data directory and free Kafka port, and the
same ZooKeeper connect string with a chroot unique to the cluster, so clusters of
different tests never see each other. Nodes are stopped (SIGTERM, then SIGKILL) at the end.
"""
import json
import os
import subprocess
import time
import uuid

from conftest import SluiceServer, default_config, free_port, sluice_bin


class ClusterNode(SluiceServer):
    """One broker of a cluster; `broker_id` is its broker.id."""

    def __init__(self, broker_id, config, workdir, ports):
        super().__init__(config, workdir, ports)
        self.broker_id = broker_id

    def restart(self):
        self.start()
        return self


class SluiceCluster:
    """`size` brokers (ids 1..size) sharing ZooKeeper at `zk_connect`."""

    def __init__(self, zk_connect, workdir, size=3, session_timeout_ms=6000, configure=None, **broker):
        self.chroot = f"/sluice-{uuid.uuid4().hex[:12]}"
        self.connect = zk_connect + self.chroot
        self.nodes = []
        for broker_id in range(1, size + 1):
            node_dir = os.path.join(workdir, f"node{broker_id}")
            os.makedirs(node_dir, exist_ok=True)
            ports = {"kafka": free_port()}
            config = default_config(ports, node_dir, id=broker_id, **broker)
            config["metadata"] = {"plugin": "zookeeper", "config": {
                "connect": self.connect, "sessionTimeoutMs": session_timeout_ms}}
            if configure:
                configure(config, broker_id)
            self.nodes.append(ClusterNode(broker_id, config, node_dir, ports))

    @property
    def bootstrap(self):
        return ",".join(node.bootstrap for node in self.nodes)

    def node(self, broker_id):
        return next(n for n in self.nodes if n.broker_id == broker_id)

    def live(self):
        return [n for n in self.nodes if n.process is not None and n.process.poll() is None]

    def start(self, timeout=60):
        for node in self.nodes:
            node.start()
        self.wait_for_brokers(len(self.nodes), timeout=timeout)
        return self

    def wait_for_brokers(self, count, timeout=60, via=None):
        """Waits until Metadata from `via` (default: every live node) lists `count` brokers."""
        deadline = time.monotonic() + timeout
        nodes = [via] if via else self.live()
        while True:
            seen = [len(self.brokers(n)) for n in nodes]
            if all(s == count for s in seen):
                return
            assert time.monotonic() < deadline, f"brokers seen {seen}, expected {count}\n{self.logs()}"
            time.sleep(0.1)

    def sluice(self, node, *args, timeout=60):
        result = subprocess.run([sluice_bin(), *args, "--bootstrap", node.bootstrap], capture_output=True,
                                text=True, timeout=timeout, stdin=subprocess.DEVNULL)
        return result.returncode, result.stdout, result.stderr

    def brokers(self, node):
        """Broker ids `node` lists in its Metadata answer (`sluice cluster` asks it alone)."""
        code, out, err = self.sluice(node, "cluster", "--output", "json", "--timeout", "10")
        assert code == 0, err
        return sorted(int(row["broker"]) for row in json.loads(out))

    def controller(self, node):
        code, out, err = self.sluice(node, "cluster", "--output", "json", "--timeout", "10")
        assert code == 0, err
        return next((int(row["broker"]) for row in json.loads(out) if row["controller"] == "yes"), None)

    def describe(self, node, topic, missing_ok=False):
        """{partition: {"leader", "replicas", "isr", "log_end"}} as `node` alone answers Metadata
        (`sluice topics describe` asks only its bootstrap broker for metadata). With
        `missing_ok`, None while `node` has not yet learnt of the topic: a topic created
        through one broker reaches the others through ZooKeeper a moment later, as in Kafka."""
        code, out, err = self.sluice(node, "topics", "describe", topic, "--output", "json", "--timeout", "10")
        if missing_ok and code != 0 and "does not exist" in err:
            return None
        assert code == 0, err
        result = {}
        for row in json.loads(out)["partitions"]:
            result[int(row["partition"])] = {
                "leader": None if row["leader"] == "none" else int(row["leader"]),
                "replicas": [int(b) for b in row["replicas"].split(",") if b],
                "isr": sorted(int(b) for b in row["isr"].split(",") if b),
                "log_end": None if row["log_end"] == "-" else int(row["log_end"]),
            }
        return result

    def stop(self):
        for node in self.nodes:
            try:
                node.stop()
            except AssertionError:
                pass

    def logs(self):
        tail = int(os.environ.get("SLUICE_CLUSTER_LOG_TAIL", "4000"))
        return "\n".join(f"--- node {n.broker_id} ---\n{n.read_log()[-tail:]}" for n in self.nodes)
