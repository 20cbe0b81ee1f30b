"""Helpers for the consumer-group interop tests: group members running `group_worker.py`
in their own processes, a producer that fills every partition, and bounded waits that
say what they were waiting for (with the server's log) when they give up."""
import json
import os
import signal
import subprocess
import sys
import threading
import time

import pytest
from kafka import KafkaProducer
from kafka.admin import KafkaAdminClient, NewTopic

WORKER = os.path.join(os.path.dirname(os.path.abspath(__file__)), "group_worker.py")
REBALANCE_DELAY_MS = 200


def wait_until(predicate, timeout, what, server=None, members=()):
    """Polls `predicate` every 50 ms; fails naming `what` after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.05)
    details = "\n".join(f"{m.name}: assigned={m.assigned} records={len(m.records)} exit={m.process.poll()}\n{m.stderr_tail()}"
                        for m in members)
    log = server.read_log()[-6000:] if server else ""
    raise AssertionError(f"timed out after {timeout}s waiting for {what}\n{details}\n--- server log ---\n{log}")


class Member:
    """One group member process; its JSON events are collected by a reader thread."""

    def __init__(self, name, library, server, group, topic, assignor=None, workdir="."):
        self.name = name
        self.events = []
        self._lock = threading.Lock()
        self.stderr_path = os.path.join(workdir, f"member-{name}.err")
        args = [sys.executable, WORKER, library, server.bootstrap, group, topic] + ([assignor] if assignor else [])
        with open(self.stderr_path, "wb") as stderr:
            self.process = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=stderr, stdin=subprocess.DEVNULL, text=True)
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self):
        for line in self.process.stdout:
            try:
                event = json.loads(line)
            except ValueError:
                continue
            with self._lock:
                self.events.append(event)

    def _all(self, key):
        with self._lock:
            return [e[key] for e in self.events if key in e]

    @property
    def assigned(self):
        found = self._all("assigned")
        return found[-1] if found else None

    @property
    def assigned_at(self):
        found = self._all("at")
        return found[-1] if found else None

    @property
    def started_at(self):
        found = self._all("started")
        return found[0] if found else None

    @property
    def records(self):
        return [tuple(r) for batch in self._all("records") for r in batch]

    @property
    def committed(self):
        merged = {}
        for c in self._all("committed"):
            merged.update({int(p): o for p, o in c.items()})
        return merged

    @property
    def closed(self):
        return bool(self._all("closed"))

    def stderr_tail(self):
        try:
            with open(self.stderr_path, "rb") as f:
                return f.read()[-2000:].decode(errors="replace")
        except OSError:
            return ""

    def close(self, timeout=30):
        """SIGTERM: the member leaves the group cleanly and exits."""
        self.process.send_signal(signal.SIGTERM)
        self.process.wait(timeout=timeout)
        self._reader.join(timeout=5)
        assert self.closed, f"{self.name} did not close cleanly:\n{self.stderr_tail()}"

    def kill(self):
        """SIGKILL: no LeaveGroup; the broker finds out by session timeout."""
        self.process.kill()
        self.process.wait(timeout=10)

    def stop_quietly(self):
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait(timeout=10)


@pytest.fixture
def members(workdir):
    """Factory: members(name, library, server, group, topic, assignor=None) -> Member.
    Every member still running at teardown is killed."""
    started = []

    def make(name, library, server, group, topic, assignor=None):
        member = Member(name, library, server, group, topic, assignor, workdir)
        started.append(member)
        return member

    yield make
    for member in started:
        member.stop_quietly()


def create_topic(server, topic, partitions):
    admin = KafkaAdminClient(bootstrap_servers=server.bootstrap)
    try:
        admin.create_topics([NewTopic(topic, partitions, 1)])
    finally:
        admin.close()


def produce(server, topic, values, partitions):
    """Sends `values` round-robin over `partitions` partitions and waits for every ack."""
    producer = KafkaProducer(bootstrap_servers=server.bootstrap, acks="all")
    futures = [producer.send(topic, value=v.encode(), partition=i % partitions) for i, v in enumerate(values)]
    producer.flush(timeout=30)
    for future in futures:
        future.get(timeout=10)
    producer.close()


def split_evenly(members, partitions):
    """Every member owns a share of the partitions, disjoint and together all of them."""
    def check():
        owned = [m.assigned for m in members]
        if any(not o for o in owned):
            return False
        flat = sorted(p for o in owned for p in o)
        return flat == list(range(partitions)) and max(map(len, owned)) - min(map(len, owned)) <= 1
    return check


def values_of(records):
    return [value for _, _, value in records]


def share_then_lose_one(server, members, library, how, assignor=None, topic="shared", per_phase=400):
    """Two members of one group split a 4-partition topic 2/2 and read every record
    exactly once; then one leaves (`how` = "close") or dies ("kill") and the survivor
    takes all four partitions and reads what follows from the committed offsets: every
    new record once, none of the old ones again."""
    create_topic(server, topic, 4)
    a = members("a", library, server, "queue", topic, assignor)
    b = members("b", library, server, "queue", topic, assignor)
    wait_until(split_evenly([a, b], 4), 60, "a 2/2 split", server, [a, b])
    assert len(a.assigned) == 2 and len(b.assigned) == 2

    first = [f"first-{i}" for i in range(per_phase)]
    produce(server, topic, first, 4)
    end = {p: per_phase // 4 for p in range(4)}
    wait_until(lambda: {**a.committed, **b.committed} == end, 60, "every first-phase record committed", server, [a, b])
    got = values_of(a.records) + values_of(b.records)
    assert sorted(got) == sorted(first), "each record exactly once across the two members"
    assert {p for p, _, _ in a.records} <= set(a.assigned) and {p for p, _, _ in b.records} <= set(b.assigned)

    seen_by_b = len(b.records)
    if how == "close":
        a.close()
    else:
        a.kill()
    second = [f"second-{i}" for i in range(per_phase)]
    produce(server, topic, second, 4)
    # A killed member is found out by session timeout (6 s), then b rejoins.
    wait_until(lambda: b.assigned == [0, 1, 2, 3] and len(b.records) - seen_by_b >= per_phase, 60,
               "the survivor to own all 4 partitions and read the second phase", server, [a, b])
    after = values_of(b.records[seen_by_b:])
    assert sorted(after) == sorted(second), "from the committed offsets: nothing lost, nothing read twice"
    b.close()
