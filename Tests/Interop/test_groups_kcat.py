"""Debian kcat's balanced consumer (`kcat -G`, librdkafka 2.0.2) against the group APIs:
a one-member group reads everything and resumes from its committed offsets; two members
split a 4-partition topic and together read every record once."""
import re
import signal
import subprocess
import threading

from group_members import REBALANCE_DELAY_MS, create_topic, produce, wait_until

ASSIGNED = re.compile(r"rebalanced \(memberid [^)]*\): assigned: (.*)")


def kcat_group(server, group, topic, *extra, timeout=60):
    """`kcat -G` until the end of every partition (-e); returns the values read."""
    result = subprocess.run(["kcat", "-b", server.bootstrap, "-G", group, "-X", "auto.offset.reset=earliest",
                             "-e", "-f", "%s\\n", *extra, topic], capture_output=True, timeout=timeout, stdin=subprocess.DEVNULL)
    assert result.returncode == 0, f"kcat -G failed:\n{result.stderr.decode()}\n{server.read_log()[-4000:]}"
    return result.stdout.decode().split()


def test_kcat_group_reads_everything_then_resumes_from_committed_offsets(make_server):
    server = make_server(groupInitialRebalanceDelayMs=REBALANCE_DELAY_MS)
    create_topic(server, "kg", 4)
    first = [f"first-{i}" for i in range(200)]
    produce(server, "kg", first, 4)
    assert sorted(kcat_group(server, "kcat-group", "kg")) == sorted(first)
    second = [f"second-{i}" for i in range(100)]
    produce(server, "kg", second, 4)
    assert sorted(kcat_group(server, "kcat-group", "kg")) == sorted(second), "resumed from the committed offsets"


class KcatMember:
    """A long-running `kcat -G` whose assignment (stderr) and records (stdout) are collected."""

    def __init__(self, server, group, topic):
        self.process = subprocess.Popen(
            ["kcat", "-b", server.bootstrap, "-G", group, "-X", "auto.offset.reset=earliest", "-u", "-f", "%p %s\\n", topic],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, stdin=subprocess.DEVNULL, text=True)
        self.assigned = None
        self.records = []
        self.stderr = []
        threading.Thread(target=self._out, daemon=True).start()
        threading.Thread(target=self._err, daemon=True).start()

    def _out(self):
        for line in self.process.stdout:
            partition, value = line.split()
            self.records.append((int(partition), value))

    def _err(self):
        for line in self.process.stderr:
            self.stderr.append(line)
            match = ASSIGNED.search(line)
            if match:
                self.assigned = sorted(int(p) for p in re.findall(r"\[(\d+)\]", match.group(1)))

    def stop(self):
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)


def test_two_kcat_members_split_the_partitions(make_server):
    server = make_server(groupInitialRebalanceDelayMs=REBALANCE_DELAY_MS)
    create_topic(server, "kg2", 4)
    a = KcatMember(server, "kcat-pair", "kg2")
    b = KcatMember(server, "kcat-pair", "kg2")
    try:
        def split():
            return a.assigned and b.assigned and len(a.assigned) == 2 and sorted(a.assigned + b.assigned) == [0, 1, 2, 3]
        wait_until(split, 60, f"a 2/2 split (a: {a.stderr[-3:]}, b: {b.stderr[-3:]})", server)
        values = [f"pair-{i}" for i in range(200)]
        produce(server, "kg2", values, 4)
        wait_until(lambda: len(a.records) + len(b.records) >= 200, 60, "both kcat members to read everything", server)
        assert sorted(v for _, v in a.records + b.records) == sorted(values)
        assert {p for p, _ in a.records} <= set(a.assigned) and {p for p, _ in b.records} <= set(b.assigned)
    finally:
        a.stop()
        b.stop()
