"""`sluice serve` as a user runs it: start on a config, stop on a signal, refuse bad configs."""
import signal
import subprocess

import pytest

from conftest import sluice_bin


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM])
def test_serve_stops_cleanly_on_signal(make_server, sig):
    server = make_server(protocols=())
    assert server.process.poll() is None, server.read_log()
    assert server.stop(sig) == 0, server.read_log()
    log = server.read_log()
    assert "sluice serving" in log
    assert "sluice stopped cleanly" in log


def test_serve_refuses_bad_config_and_names_every_problem(make_server):
    def break_it(config):
        config["broker"]["autoCreateTopcs"] = True
        config["storage"]["plugin"] = "segmnt-log"
    server = make_server(protocols=(), configure=break_it, start=False)
    import json
    with open(server.config_path, "w") as f:
        json.dump(server.config, f)
    result = subprocess.run([sluice_bin(), "serve", "--config", server.config_path], cwd=server.workdir,
                            capture_output=True, text=True, timeout=60, stdin=subprocess.DEVNULL)
    assert result.returncode == 2
    assert "did you mean 'autoCreateTopics'?" in result.stderr
    assert "unknown storage plugin 'segmnt-log'" in result.stderr


def test_default_config_is_valid():
    result = subprocess.run([sluice_bin(), "config", "check"], capture_output=True, text=True, timeout=60,
                            stdin=subprocess.DEVNULL)
    assert result.returncode == 0, result.stderr
    assert "OK" in result.stdout


def test_serve_exits_with_a_clear_error_when_its_port_is_taken(make_server):
    import socket
    holder = socket.socket()
    holder.bind(("127.0.0.1", 0))
    holder.listen()
    port = holder.getsockname()[1]
    try:
        server = make_server(start=False)
        server.config["protocols"] = [{"plugin": "kafka", "config": {"listen": f"127.0.0.1:{port}"}}]
        import json
        with open(server.config_path, "w") as f:
            json.dump(server.config, f)
        result = subprocess.run([sluice_bin(), "serve", "--config", server.config_path], cwd=server.workdir,
                                capture_output=True, text=True, timeout=60, stdin=subprocess.DEVNULL)
    finally:
        holder.close()
    assert result.returncode == 1, result.stderr
    assert f"cannot listen on 127.0.0.1:{port}" in result.stderr
    assert "Address already in use" in result.stderr
    assert "choose a free port in config.listen" in result.stderr
