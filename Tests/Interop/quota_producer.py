"""A kafka-python producer for the quota tests, run as its own process so that two of them
do not share one interpreter's lock:

    python quota_producer.py BOOTSTRAP TOPIC CLIENT_ID WARMUP_S MEASURE_S

It sends 10 KB records as fast as it can, at most 32 unacknowledged, for WARMUP_S + MEASURE_S
seconds and prints one JSON line: the value bytes acknowledged within the measured
window (after the warm-up, when a quota's initial burst allowance is spent), the window's
length, and the client's own throttle-time-max metric (ms)."""
import json
import sys
import time

from kafka import KafkaProducer

VALUE = b"q" * 10_000
MAX_OUTSTANDING = 32


def main():
    bootstrap, topic, client_id = sys.argv[1:4]
    warmup, measure = float(sys.argv[4]), float(sys.argv[5])
    producer = KafkaProducer(bootstrap_servers=bootstrap, client_id=client_id, acks=1, linger_ms=5,
                             max_block_ms=60_000, batch_size=65_536)
    acks = []

    def acked(_metadata):
        acks.append(time.monotonic())

    start = time.monotonic()
    window_start, window_end = start + warmup, start + warmup + measure
    errors = []
    sent = 0
    while time.monotonic() < window_end:
        if sent - len(acks) - len(errors) >= MAX_OUTSTANDING:
            time.sleep(0.001)  # kafka-python 3 has no buffer_memory bound: keep its queue short
            continue
        sent += 1
        producer.send(topic, VALUE).add_callback(acked).add_errback(errors.append)
    producer.flush(timeout=60)
    in_window = sum(1 for t in acks if window_start <= t < window_end)
    throttle_max = 0.0
    for group, metrics in producer.metrics().items():
        value = metrics.get("throttle-time-max")
        if group == "producer-metrics" and isinstance(value, float) and value == value:
            throttle_max = value
    producer.close(timeout=10)
    print(json.dumps({"client": client_id, "bytes": in_window * len(VALUE), "seconds": measure,
                      "acked": len(acks), "errors": len(errors), "throttle_max_ms": throttle_max}), flush=True)


if __name__ == "__main__":
    main()
