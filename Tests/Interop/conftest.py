"""Fixtures that run the real `sluice serve` for interop tests.

Every server listens on 127.0.0.1 on ports chosen free at run time, keeps its data in a
temporary directory, and is stopped (SIGTERM, then SIGKILL after a bound) at teardown.
The binary comes from $SLUICE_BIN (scripts/test sets it).
"""
import inspect
import json
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time

import pytest


# --- A skipped test fails the run --------------------------------------------------
# An interop test that does not run proves nothing, and `scripts/test` must not report a
# pass for it: every skip (and xfail) is listed with its reason and turns the exit status
# into a failure, whoever runs pytest on these files.
_not_run = []


def pytest_runtest_logreport(report):
    if report.skipped:
        reason = report.longrepr[2] if isinstance(report.longrepr, tuple) else str(report.longrepr)
        _not_run.append((report.nodeid, getattr(report, "wasxfail", None) or reason))


def pytest_terminal_summary(terminalreporter):
    if _not_run:
        terminalreporter.write_sep("=", f"{len(_not_run)} interop test(s) did not run: that is a failure", red=True)
        for nodeid, reason in _not_run:
            terminalreporter.write_line(f"NOT RUN {nodeid}: {reason}")


def pytest_sessionfinish(session, exitstatus):
    if _not_run and session.exitstatus == pytest.ExitCode.OK:
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


def sluice_bin():
    path = os.environ.get("SLUICE_BIN")
    if not path or not os.access(path, os.X_OK):
        pytest.fail("SLUICE_BIN must name the built sluice binary (scripts/test sets it)")
    return path


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for_port(port, process, timeout=30.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"sluice exited with {process.returncode} before listening on {port}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.05)
    raise AssertionError(f"sluice did not listen on {port} within {timeout}s")


class SluiceServer:
    """One `sluice serve` process with its own config and data directory."""

    def __init__(self, config, workdir, ports):
        self.config = config
        self.workdir = workdir
        self.ports = ports
        self.config_path = os.path.join(workdir, "plugins.json")
        self.log_path = os.path.join(workdir, "sluice.log")
        self.process = None

    @property
    def bootstrap(self):
        return f"127.0.0.1:{self.ports['kafka']}"

    @property
    def http_url(self):
        """Base URL of the http plugin (make_server(protocols=("kafka", "http")))."""
        return f"http://127.0.0.1:{self.ports['http']}"

    @property
    def data_dir(self):
        return os.path.join(self.workdir, self.config["broker"]["dataDir"])

    def start(self):
        if "http" in self.ports and os.path.exists(self.http_port_file):
            os.remove(self.http_port_file)  # a restart must not read the last run's port
        with open(self.config_path, "w") as f:
            json.dump(self.config, f, indent=2)
        self.log = open(self.log_path, "ab")
        self.process = subprocess.Popen(
            [sluice_bin(), "serve", "--config", self.config_path, "--log-level", "info"],
            cwd=self.workdir, stdout=self.log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
        if "http" in self.ports:
            # The http plugin listens on port 0 and writes the port it got to its portFile.
            self.ports["http"] = wait_for_port_file(self.http_port_file, self.process)
        for name, port in self.ports.items():
            wait_for_port(port, self.process)
        # Ready means the service group runs (its signal handlers are installed), so a
        # test's SIGTERM is a graceful stop, not a kill before start-up finished.
        deadline = time.monotonic() + 30
        while "sluice serving" not in self.read_log() and time.monotonic() < deadline:
            assert self.process.poll() is None, self.read_log()
            time.sleep(0.05)
        time.sleep(0.2)
        return self

    @property
    def http_port_file(self):
        return os.path.join(self.workdir, "http.port")

    def stop(self, sig=signal.SIGTERM, timeout=30.0):
        """Stops the server; returns its exit code (SIGKILL after `timeout`)."""
        if self.process is None or self.process.poll() is not None:
            return self.process.returncode if self.process else None
        self.process.send_signal(sig)
        try:
            return self.process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=10)
            raise AssertionError(f"sluice did not stop within {timeout}s after {sig!r}\n{self.read_log()}")

    def kill(self):
        """SIGKILL, as a crash would."""
        self.process.kill()
        self.process.wait(timeout=10)

    def read_log(self):
        try:
            with open(self.log_path, "rb") as f:
                return f.read().decode(errors="replace")
        except OSError:
            return ""


def wait_for_port_file(path, process, timeout=30.0):
    """The port a server bound with port 0 wrote to `path` ("host:port")."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"sluice exited with {process.returncode} before writing {path}")
        try:
            with open(path) as f:
                text = f.read().strip()
            if text:
                return int(text.rsplit(":", 1)[1])
        except (OSError, ValueError, IndexError):
            pass
        time.sleep(0.05)
    raise AssertionError(f"sluice did not write {path} within {timeout}s")


def default_config(ports, workdir=None, **broker):
    """The shape of the embedded default plugins.json, on free ports and a temp data dir."""
    config = {
        "broker": {"dataDir": "data", "autoCreateTopics": True, "defaultPartitions": 1, **broker},
        "storage": {"plugin": os.environ.get("SLUICE_TEST_STORAGE", "segment-log"), "config": {}},
        "metadata": {"plugin": os.environ.get("SLUICE_TEST_METADATA", "sqlite"), "config": {}},
        "protocols": [],
        "connectors": [],
    }
    if "kafka" in ports:
        config["protocols"].append({"plugin": "kafka", "config": {"listen": f"127.0.0.1:{ports['kafka']}"}})
    if "http" in ports:
        config["protocols"].append({"plugin": "http", "config": {
            "listen": "127.0.0.1:0", "portFile": os.path.join(workdir or ".", "http.port")}})
    return config


def plugin_listing():
    """`sluice plugins --output json`: {"plugins": [{"name", "kind", "summary", "keys"}], "broker": {"keys"}}."""
    result = subprocess.run([sluice_bin(), "plugins", "--output", "json"], capture_output=True, text=True, timeout=60,
                            stdin=subprocess.DEVNULL)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def catalog():
    """Registered plugin names by kind (e.g. {"storage": {"memory", "segment-log"}})."""
    kinds = {}
    for plugin in plugin_listing()["plugins"]:
        kinds.setdefault(plugin["kind"], set()).add(plugin["name"])
    return kinds


def require_plugins(**wanted):
    """Fails, naming what is missing, unless the catalog has each plugin: require_plugins(protocol="kafka",
    storage="segment-log"). A test that needs a plugin fails without it; it never skips."""
    kinds = catalog()
    missing = [f"{kind} plugin '{name}'" for kind, name in wanted.items() if name not in kinds.get(kind, set())]
    if missing:
        pytest.fail(f"this build's catalog (sluice plugins) lacks the {', '.join(missing)}")


@pytest.fixture
def workdir():
    path = tempfile.mkdtemp(prefix="sluice-interop-")
    yield path
    shutil.rmtree(path, ignore_errors=True)


@pytest.fixture
def make_server(workdir):
    """Factory: make_server(protocols=("kafka",), configure=None) -> started SluiceServer.

    With "http" in protocols the http plugin listens on a free port (port 0 + portFile);
    the server's `http_url` is its base URL once started."""
    servers = []

    def make(protocols=("kafka",), configure=None, start=True, listeners=(), **broker):
        """`listeners` names extra free ports (e.g. a connector's) that start() waits for;
        a two-argument `configure(config, ports)` receives them to put into the config."""
        ports = {name: (0 if name == "http" else free_port()) for name in (*protocols, *listeners)}
        config = default_config(ports, workdir, **broker)
        if configure:
            if len(inspect.signature(configure).parameters) >= 2:
                configure(config, ports)
            else:
                configure(config)
        server = SluiceServer(config, workdir, ports)
        servers.append(server)
        return server.start() if start else server

    yield make
    for server in servers:
        try:
            server.stop()
        except AssertionError:
            pass
