"""Static group members (KIP-345) with confluent-kafka: each member is a Consumer with a
`group.instance.id`, polled on its own thread, counting its on_assign/on_revoke calls.

A static member's close() sends no LeaveGroup: the broker keeps its place (and its
partitions) until the session times out, so a restart under the same instance id within
the session gets the same partitions back without a rebalance."""
import threading
import time

from confluent_kafka import Consumer, KafkaError, KafkaException
from confluent_kafka.admin import AdminClient

SESSION_TIMEOUT_MS = 6000   # the broker's minimum (group.min.session.timeout.ms)
HEARTBEAT_INTERVAL_MS = 500


class StaticMember:
    """One static member; `assigns`/`revokes` count the rebalance callbacks it got."""

    def __init__(self, server, group, topic, instance, session_timeout_ms=SESSION_TIMEOUT_MS):
        self.instance = instance
        self.assigned = None
        self.assigns = 0
        self.revokes = 0
        self.errors = []
        self.fatal = None
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self.consumer = Consumer({
            "bootstrap.servers": server.bootstrap, "group.id": group, "group.instance.id": instance,
            "session.timeout.ms": session_timeout_ms, "heartbeat.interval.ms": HEARTBEAT_INTERVAL_MS,
            "max.poll.interval.ms": max(30000, session_timeout_ms), "partition.assignment.strategy": "range",
            "enable.auto.commit": False, "auto.offset.reset": "earliest", "error_cb": self._on_error,
        })
        self.consumer.subscribe([topic], on_assign=self._on_assign, on_revoke=self._on_revoke)
        self._thread = threading.Thread(target=self._run, name=f"member-{instance}", daemon=True)
        self._thread.start()

    def _on_assign(self, consumer, partitions):
        with self._lock:
            self.assigns += 1
            self.assigned = sorted(p.partition for p in partitions)

    def _on_revoke(self, consumer, partitions):
        with self._lock:
            self.revokes += 1
            self.assigned = []

    def _on_error(self, error):
        with self._lock:
            self.errors.append(error)
            # librdkafka reports a fatal error as _FATAL, naming the cause in its text.
            if (error.fatal() or error.code() == KafkaError._FATAL) and self.fatal is None:
                self.fatal = error

    def _run(self):
        while not self._stop.is_set():
            try:
                message = self.consumer.poll(0.1)
            except KafkaException as exception:  # a fatal error raises from poll()
                self._on_error(exception.args[0])
                time.sleep(0.1)
                continue
            if message is not None and message.error() is not None:
                self._on_error(message.error())

    def counts(self):
        with self._lock:
            return self.assigns, self.revokes

    def close(self):
        """close(): for a static member, no LeaveGroup is sent."""
        self._stop.set()
        self._thread.join(timeout=30)
        assert not self._thread.is_alive(), f"{self.instance}: poll thread did not stop"
        self.consumer.close()

    def stop_quietly(self):
        if not self._stop.is_set():
            try:
                self.close()
            except Exception:  # noqa: BLE001 - teardown of an already failed test
                pass


def wait_until(predicate, timeout, what, server=None):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.05)
    log = server.read_log()[-6000:] if server else ""
    raise AssertionError(f"timed out after {timeout}s waiting for {what}\n--- server log ---\n{log}")


def split(members, partitions):
    """Every member owns a share, disjoint, together all partitions."""
    def check():
        owned = [m.assigned for m in members]
        if any(not o for o in owned):
            return False
        return sorted(p for o in owned for p in o) == list(range(partitions))
    return check


def describe(server, group):
    admin = AdminClient({"bootstrap.servers": server.bootstrap})
    return admin.describe_consumer_groups([group])[group].result(timeout=30)


def delete_group(server, group):
    """DeleteGroups; returns None on success, else the KafkaError."""
    admin = AdminClient({"bootstrap.servers": server.bootstrap})
    try:
        admin.delete_consumer_groups([group])[group].result(timeout=30)
        return None
    except Exception as error:  # noqa: BLE001 - the caller asserts on it
        return error.args[0] if error.args else error
