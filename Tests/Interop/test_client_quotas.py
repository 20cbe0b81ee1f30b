"""Client quotas (issue 28) with real clients against a real `sluice serve`.

Apache Kafka's Java client 3.9 (Tests/Interop/java/ClientQuotas.java) sets and describes
quotas through its Admin API (validate-only, defaults, exact and strict filters), then a
producer with a 100 KB/s producer_byte_rate is throttled (the client reports a throttle
time) while another client id is not (kafka-python 3.0 keeps no produce throttle-time
metric, so it is not used here). Rates are checked only within generous bounds
computed from bytes and elapsed time (a quota allows a burst of one 11 s window); the
precise figures are printed."""
from java_client import kafka_java  # noqa: F401

QUOTA = 102_400
SECONDS = 6


def allowed_bytes(elapsed_s):
    # The rate is measured over at least 10 one-second windows, so a new client may send
    # up to a window's worth at once; then the mutes hold it near the quota. Plus slack
    # for the producer's in-flight buffer.
    return QUOTA * (elapsed_s + 11) * 1.25 + 1_048_576


def test_java_admin_and_producer_throttle(make_server, kafka_java):  # noqa: F811
    server = make_server()
    result = kafka_java.run("ClientQuotas.java", server.bootstrap, "quota-java", str(SECONDS), timeout=240)
    assert result.returncode == 0, (
        f"--- stderr ---\n{result.stderr[-6000:]}\n--- stdout ---\n{result.stdout[-2000:]}"
        f"\n--- server log ---\n{server.read_log()[-4000:]}")
    assert "ok client-quotas" in result.stdout
    rates = {}
    for line in result.stdout.splitlines():
        if line.startswith("rate "):
            _, client, sent, elapsed_ms, throttle_max = line.split()
            rates[client] = (int(sent), int(elapsed_ms) / 1000, int(throttle_max))
            print(f"{client}: {int(sent)} bytes in {int(elapsed_ms)} ms = {int(sent) / (int(elapsed_ms) / 1000) / 1024:.1f} KB/s,"
                  f" produce-throttle-time-max {throttle_max} ms")
    slow_bytes, slow_elapsed, slow_throttle = rates["quota-slow"]
    fast_bytes, fast_elapsed, fast_throttle = rates["quota-fast"]
    assert slow_throttle > 0, "the Java producer over its quota reports a throttle time"
    assert slow_bytes <= allowed_bytes(slow_elapsed), f"{slow_bytes} bytes in {slow_elapsed} s is far over 100 KB/s"
    assert fast_throttle == 0, "a client id without a quota is not throttled"
    assert fast_bytes > slow_bytes, "the unthrottled client keeps its (higher) rate"

