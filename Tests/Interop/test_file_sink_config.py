"""The file-sink connector as users meet it in `sluice`: listed, configured, checked, served."""
import json
import os
import subprocess

from conftest import plugin_listing, sluice_bin


def write_config(tmp_path, connector_config):
    config = {
        "broker": {"dataDir": "data"},
        "storage": {"plugin": "memory"},
        "metadata": {"plugin": "memory"},
        "connectors": [{"name": "archive", "plugin": "file-sink", "config": connector_config}],
    }
    path = tmp_path / "plugins.json"
    path.write_text(json.dumps(config))
    return path


def check(path):
    return subprocess.run([sluice_bin(), "config", "check", str(path)], capture_output=True, text=True,
                          timeout=60, stdin=subprocess.DEVNULL)


def test_plugins_lists_file_sink_with_its_keys():
    sinks = [p for p in plugin_listing()["plugins"] if p["name"] == "file-sink"]
    assert [p["kind"] for p in sinks] == ["sink"], sinks
    keys = {k["key"] for k in sinks[0]["keys"]}
    for key in ("topics", "path", "format", "rotateBytes", "rotateMinutes", "flushIntervalMs", "startFrom"):
        assert key in keys, sorted(keys)


def test_config_check_names_instance_key_and_fix(tmp_path):
    path = write_config(tmp_path, {"topics": "logs", "fromat": "json"})
    result = check(path)
    assert result.returncode == 2
    assert 'connectors[0] "archive" (file-sink): config.topics: expected an array, got a string' in result.stderr, result.stderr
    assert "config.fromat: unknown key 'fromat'; did you mean 'format'?" in result.stderr, result.stderr


def test_config_check_reports_every_range_problem(tmp_path):
    path = write_config(tmp_path, {"topics": [], "format": "csv", "rotateBytes": 1, "startFrom": "now"})
    result = check(path)
    assert result.returncode == 2
    for expected in ("config.topics: name at least one topic", "config.format: unknown format 'csv'",
                     "config.rotateBytes: must be at least 1024 bytes", "config.startFrom: unknown start 'now'"):
        assert expected in result.stderr, result.stderr


def test_serve_with_file_sink_waits_for_its_topic_and_stops_cleanly(make_server):
    def add_sink(config):
        config["connectors"].append({"name": "archive", "plugin": "file-sink",
                                     "config": {"topics": ["not-yet"], "path": "archive"}})
    server = make_server(protocols=(), configure=add_sink)
    assert server.stop() == 0, server.read_log()
    log = server.read_log()
    assert "topic 'not-yet' does not exist yet" in log, log
    assert os.path.isdir(os.path.join(server.workdir, "archive")) is False, "no directory before the topic exists"
    assert "sluice stopped cleanly" in log
