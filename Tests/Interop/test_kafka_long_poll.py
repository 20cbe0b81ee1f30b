"""A consumer waiting on an empty partition gets a new record as soon as it is appended,
not when max.wait.ms runs out. The latency from the producer's acknowledgement to the
consumer's receipt is printed (run pytest with -s to see it); the assertion only checks
that it is well below max.wait.ms, since wall time on a shared machine is noisy."""
import statistics
import threading
import time

from confluent_kafka import OFFSET_END, Consumer, Producer, TopicPartition
from kafka import KafkaConsumer, KafkaProducer
from kafka import TopicPartition as PyTopicPartition

MAX_WAIT_MS = 5000
ROUNDS = 20


def test_librdkafka_consumer_is_woken_by_an_append(make_server):
    server = make_server()
    producer = Producer({"bootstrap.servers": server.bootstrap, "acks": "1", "linger.ms": 0})
    producer.produce("wake", value=b"warm-up")
    producer.flush(10)
    consumer = Consumer({"bootstrap.servers": server.bootstrap, "group.id": "wake", "enable.auto.commit": False,
                         "fetch.wait.max.ms": MAX_WAIT_MS, "fetch.min.bytes": 1})
    consumer.assign([TopicPartition("wake", 0, OFFSET_END)])
    received = {}
    stop = threading.Event()

    def poll():
        while not stop.is_set():
            message = consumer.poll(0.2)
            if message is not None and message.error() is None:
                received[message.value()] = time.monotonic()

    thread = threading.Thread(target=poll)
    thread.start()
    time.sleep(1.0)  # the consumer's fetch is now parked on the empty partition
    acked = {}
    try:
        for i in range(ROUNDS):
            value = b"r%d" % i
            producer.produce("wake", value=value, on_delivery=lambda e, m: acked.__setitem__(m.value(), time.monotonic()))
            producer.flush(10)
            deadline = time.monotonic() + MAX_WAIT_MS / 1000
            while value not in received and time.monotonic() < deadline:
                time.sleep(0.001)
            assert value in received, f"record {i} did not arrive within max.wait.ms"
            time.sleep(0.05)
    finally:
        stop.set()
        thread.join()
        consumer.close()
    latencies = sorted((received[v] - acked[v]) * 1000 for v in acked)
    print(f"\nlong-poll latency ack->receive (librdkafka, ms): p50={statistics.median(latencies):.1f} "
          f"max={latencies[-1]:.1f} over {len(latencies)} records")
    assert latencies[-1] < MAX_WAIT_MS / 2


def test_kafka_python_consumer_is_woken_by_an_append(make_server):
    server = make_server()
    producer = KafkaProducer(bootstrap_servers=server.bootstrap, acks=1, linger_ms=0)
    producer.send("wake-py", value=b"warm-up").get(timeout=10)
    consumer = KafkaConsumer(bootstrap_servers=server.bootstrap, fetch_max_wait_ms=MAX_WAIT_MS)
    tp = PyTopicPartition("wake-py", 0)
    consumer.assign([tp])
    consumer.seek_to_end(tp)
    consumer.poll(timeout_ms=200)  # resolves the position; the next fetch waits
    result = {}

    def produce_later():
        time.sleep(0.5)
        producer.send("wake-py", value=b"late").get(timeout=10)
        result["acked"] = time.monotonic()

    thread = threading.Thread(target=produce_later)
    thread.start()
    records = []
    deadline = time.monotonic() + MAX_WAIT_MS / 1000 + 1
    while not records and time.monotonic() < deadline:
        records = consumer.poll(timeout_ms=MAX_WAIT_MS).get(tp, [])
    arrived = time.monotonic()
    thread.join()
    consumer.close()
    producer.close()
    assert [r.value for r in records] == [b"late"]
    latency_ms = (arrived - result["acked"]) * 1000
    print(f"\nlong-poll latency ack->receive (kafka-python, ms): {latency_ms:.1f}")
    assert latency_ms < MAX_WAIT_MS / 2
