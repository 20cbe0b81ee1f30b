"""Real ZooKeeper servers for cluster interop tests (Debian's `zookeeper` package).

`zookeeper_server()` starts one standalone server, `zookeeper_ensemble(3)` a quorum of
three; both listen on 127.0.0.1 on ports chosen free at run time, keep their data in a
temporary directory, wait (bounded) until every server answers `ruok`, and at exit kill
the JVMs and remove the directory. A missing java or jar fails the test with what to
install — never a skip. The `zookeeper` fixture gives a standalone server; use
`server.connect(chroot)` for a connect string with a chroot unique to one test.

    def test_cluster(zookeeper, make_server):
        connect = zookeeper.connect("/sluice-" + uuid.uuid4().hex)
"""
import contextlib
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time

try:
    import pytest  # the fixtures below; scripts/bench.py uses the context managers without pytest
except ImportError:
    pytest = None

JAVA = "/usr/bin/java"
JAR = "/usr/share/java/zookeeper.jar"
TICK_MS = 500  # sessions may then last 1-10 s, so tests can use short timeouts


def _free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def ruok(port, timeout=2.0):
    """True when a ZooKeeper server on 127.0.0.1:port answers `imok`."""
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=timeout) as s:
            s.sendall(b"ruok")
            return s.recv(4) == b"imok"
    except OSError:
        return False


def mode(port, timeout=2.0):
    """The server's `Mode:` from `srvr` (standalone, leader, follower), or None."""
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=timeout) as s:
            s.sendall(b"srvr")
            reply = b""
            while chunk := s.recv(4096):
                reply += chunk
    except OSError:
        return None
    for line in reply.decode(errors="replace").splitlines():
        if line.startswith("Mode:"):
            return line.split(":", 1)[1].strip()
    return None


def _require_tools():
    for path in (JAVA, JAR):
        if not os.path.exists(path):
            pytest.fail(f"{path} is missing: install the Debian package `zookeeper` "
                        "(it brings libzookeeper-java and a JRE); scripts/test does")


class ZooKeeperServer:
    """One ZooKeeper JVM with its config in `directory`; `kill()` then `start()` restarts
    it on the same port with its data (as a crashed server coming back)."""

    def __init__(self, directory, port, peers=None, my_id=None):
        self.directory = directory
        self.port = port
        self.process = None
        self.log_path = os.path.join(directory, "server.log")
        data = os.path.join(directory, "data")
        os.makedirs(data, exist_ok=True)
        lines = [f"tickTime={TICK_MS}", f"dataDir={data}", f"clientPort={port}", "clientPortAddress=127.0.0.1",
                 f"maxSessionTimeout={20 * TICK_MS}", "4lw.commands.whitelist=ruok,srvr", "admin.enableServer=false"]
        if peers:
            lines += ["initLimit=20", "syncLimit=10"]
            lines += [f"server.{n}=127.0.0.1:{quorum}:{election}" for n, (quorum, election) in peers.items()]
            with open(os.path.join(data, "myid"), "w") as f:
                f.write(f"{my_id}\n")
        self.in_quorum = bool(peers)
        self.main = "org.apache.zookeeper.server.quorum.QuorumPeerMain" if peers else \
            "org.apache.zookeeper.server.ZooKeeperServerMain"
        self.config_path = os.path.join(directory, "zoo.cfg")
        with open(self.config_path, "w") as f:
            f.write("\n".join(lines) + "\n")

    @property
    def hosts(self):
        return f"127.0.0.1:{self.port}"

    def connect(self, chroot=""):
        """The connect string, optionally with a chroot ("/sluice-test")."""
        return self.hosts + chroot

    def start(self):
        """Starts the JVM; does not wait (see `wait_ready`)."""
        log = open(self.log_path, "ab")
        self.process = subprocess.Popen([JAVA, "-Xmx256m", "-cp", JAR, self.main, self.config_path],
                                        stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
        log.close()

    def wait_ready(self, timeout=60.0):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise AssertionError(f"ZooKeeper exited with {self.process.returncode}; see {self.log_path}")
            # A server answers ruok before it serves (a quorum member before it has joined
            # a quorum): wait for its role.
            if ruok(self.port) and mode(self.port) in (("leader", "follower") if self.in_quorum else ("standalone",)):
                return
            time.sleep(0.1)
        raise AssertionError(f"ZooKeeper on {self.port} did not answer ruok within {timeout}s; see {self.log_path}")

    def kill(self):
        """SIGKILL, as a crash; the data stays for `start()`."""
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGKILL)
            self.process.wait(timeout=30)
        self.process = None

    def restart(self, down_seconds=0.0):
        self.kill()
        time.sleep(down_seconds)
        self.start()
        self.wait_ready()


class Ensemble:
    """Several servers forming one quorum."""

    def __init__(self, servers):
        self.servers = servers

    @property
    def hosts(self):
        return ",".join(s.hosts for s in self.servers)

    def connect(self, chroot=""):
        return self.hosts + chroot


@contextlib.contextmanager
def zookeeper_server():
    """A standalone server on a free port; killed and removed at exit."""
    _require_tools()
    directory = tempfile.mkdtemp(prefix="sluice-zk-")
    server = ZooKeeperServer(directory, _free_port())
    try:
        server.start()
        server.wait_ready()
        yield server
    finally:
        server.kill()
        shutil.rmtree(directory, ignore_errors=True)


@contextlib.contextmanager
def zookeeper_ensemble(size=3):
    """`size` servers in one quorum (each on free client, quorum and election ports)."""
    _require_tools()
    root = tempfile.mkdtemp(prefix="sluice-zk-ensemble-")
    peers = {n: (_free_port(), _free_port()) for n in range(1, size + 1)}
    servers = [ZooKeeperServer(os.path.join(root, f"zk{n}"), _free_port(), peers, n) for n in peers]
    try:
        for server in servers:
            server.start()
        for server in servers:
            server.wait_ready()
        yield Ensemble(servers)
    finally:
        for server in servers:
            server.kill()
        shutil.rmtree(root, ignore_errors=True)


if pytest is not None:
    @pytest.fixture
    def zookeeper():
        with zookeeper_server() as server:
            yield server

    @pytest.fixture
    def zookeeper_quorum():
        with zookeeper_ensemble(3) as ensemble:
            yield ensemble
