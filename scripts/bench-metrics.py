#!/usr/bin/env python3
"""Produce throughput of a real `sluice serve` with and without the http plugin (so with
swift-metrics' no-op backend vs. Prometheus counters on the produce path), and with 1,000
/metrics scrapes (100 in flight at a time, from another process) during the run. kcat
produces (C, so the client is not the bottleneck). Prints figures; asserts nothing.

The scrapes run twice: over keep-alive connections (100 connections, 10 scrapes each, as
Prometheus reuses its connection to a target) and with a new connection per scrape. On a
small machine every CPU-millisecond the scrapes cost (server and scraper alike) is taken
from kcat and the broker, so the disturbance is that cost over the produce run's length.
The cost is also printed directly: the server's and the scraper's CPU time (/proc) for
1,000 scrapes with nothing else running, per scrape.

The produce run is scripts/bench's kcat case: 5,000,000 records of 100 B. Its data
directory goes under --dir; on a machine whose disk write-back makes runs vary by tens of
percent, pass a tmpfs (--dir /dev/shm) so that what varies is the CPU the scrapes take.
Rounds run the cases in turn; the median per case is compared.

Usage: .venv/bin/python scripts/bench-metrics.py [--bin .build/release/sluice] [--records 5000000] [--rounds 5] [--dir /dev/shm]
"""
import argparse
import json
import os
import shutil
import signal
import socket
import statistics
import subprocess
import tempfile
import sys
import time
import urllib.request


DIRECTORY = tempfile.gettempdir()


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start(binary, with_http, workdir):
    kafka = free_port()
    protocols = [{"plugin": "kafka", "config": {"listen": f"127.0.0.1:{kafka}"}}]
    port_file = os.path.join(workdir, "http.port")
    if with_http:
        protocols.append({"plugin": "http", "config": {"listen": "127.0.0.1:0", "portFile": port_file}})
    config = {"broker": {"dataDir": "data"}, "storage": {"plugin": "segment-log", "config": {}},
              "metadata": {"plugin": "sqlite", "config": {}}, "protocols": protocols, "connectors": []}
    path = os.path.join(workdir, "plugins.json")
    with open(path, "w") as f:
        json.dump(config, f)
    log = open(os.path.join(workdir, "sluice.log"), "wb")
    process = subprocess.Popen([binary, "serve", "--config", path, "--log-level", "warning"], cwd=workdir,
                               stdout=log, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", kafka), timeout=0.5).close()
            if not with_http or os.path.exists(port_file):
                break
        except OSError:
            pass
        time.sleep(0.05)
    http = None
    if with_http:
        with open(port_file) as f:
            http = "http://" + f.read().strip()
    return process, f"127.0.0.1:{kafka}", http


def produce(bootstrap, lines_file, records):
    subprocess.run(["kcat", "-b", bootstrap, "-t", "bench", "-P", "-p", "0"], input=b"warm-up\n", check=True, timeout=60)
    started = time.monotonic()
    subprocess.run(["kcat", "-b", bootstrap, "-t", "bench", "-P", "-p", "0", "-X", "linger.ms=5",
                    "-X", "batch.num.messages=10000", "-l", lines_file], check=True, timeout=600)
    return records / (time.monotonic() - started)


# 1,000 scrapes, `concurrency` in flight, from one thread over non-blocking sockets (so the
# scraper itself costs little CPU): "keep-alive" reuses each connection as Prometheus does,
# "close" opens one connection per scrape.
SCRAPER = r"""
import selectors, socket, sys
host, port = sys.argv[1].rsplit("//", 1)[-1].rsplit(":", 1)
total, concurrency, keepalive = int(sys.argv[2]), int(sys.argv[3]), sys.argv[4] == "keep-alive"
REQUEST = b"GET /metrics HTTP/1.1\r\nHost: sluice\r\n" + (b"" if keepalive else b"Connection: close\r\n") + b"\r\n"
selector = selectors.DefaultSelector()
started = done = 0
def open_and_send(sock=None):
    global started
    if sock is None:
        sock = socket.create_connection((host, int(port)))
        sock.setblocking(False)
        selector.register(sock, selectors.EVENT_READ, bytearray())
    else:
        selector.modify(sock, selectors.EVENT_READ, bytearray())
    sock.sendall(REQUEST)
    started += 1
for _ in range(min(concurrency, total)):
    open_and_send()
while done < total:
    for key, _ in selector.select(timeout=60) or sys.exit("scraper: no response within 60 s"):
        sock, buffer = key.fileobj, key.data
        chunk = sock.recv(1 << 20)
        if not chunk:
            sys.exit("scraper: connection closed mid-response")
        buffer += chunk
        end = buffer.find(b"\r\n\r\n")
        if end < 0:
            continue
        head = buffer[:end].decode("latin-1").lower()
        if not head.startswith("http/1.1 200"):
            sys.exit("scraper: " + head.splitlines()[0])
        length = int(head.split("content-length:")[1].split("\r\n")[0])
        if len(buffer) < end + 4 + length:
            continue
        done += 1
        if keepalive and started < total:
            open_and_send(sock)
            continue
        selector.unregister(sock)
        sock.close()
        if started < total:
            open_and_send()
"""


def cpu_seconds(pid):
    """User + system CPU time of a process so far, from /proc/PID/stat."""
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def scrape_cost(binary, mode):
    """Server and scraper CPU milliseconds per /metrics scrape: 1,000 scrapes, 100 in
    flight, after a warm-up; a produced topic is in the registry so the text is realistic."""
    workdir = tempfile.mkdtemp(prefix="sluice-bench-metrics-", dir=DIRECTORY)
    process, bootstrap, http = start(binary, True, workdir)
    try:
        subprocess.run(["kcat", "-b", bootstrap, "-t", "bench", "-P", "-p", "0"], input=b"x\n" * 1000, check=True, timeout=60)
        subprocess.run([sys.executable, "-c", SCRAPER, http, "100", "10", mode], check=True, timeout=600)
        with urllib.request.urlopen(http + "/metrics", timeout=60) as r:
            size = len(r.read())
        before = cpu_seconds(process.pid)
        scraper = subprocess.Popen([sys.executable, "-c", SCRAPER, http, "1000", "100", mode])
        _, status, usage = os.wait4(scraper.pid, 0)
        if status != 0:
            raise RuntimeError(f"scraper failed ({status})")
        server = cpu_seconds(process.pid) - before
        return server, usage.ru_utime + usage.ru_stime, size
    finally:
        process.send_signal(signal.SIGTERM)
        process.wait(60)
        shutil.rmtree(workdir, ignore_errors=True)


CASES = {"no-http": None, "http": None, "http + 1,000 scrapes, keep-alive": "keep-alive",
         "http + 1,000 scrapes, new connections": "close"}


def run_case(binary, case, records, lines_file):
    workdir = tempfile.mkdtemp(prefix="sluice-bench-metrics-", dir=DIRECTORY)
    process, bootstrap, http = start(binary, case != "no-http", workdir)
    try:
        scraper = None
        if CASES[case]:
            scraper = subprocess.Popen([sys.executable, "-c", SCRAPER, http, "1000", "100", CASES[case]])
        rate = produce(bootstrap, lines_file, records)
        if scraper and scraper.wait(600) != 0:
            raise RuntimeError("scraper failed")
        return rate
    finally:
        process.send_signal(signal.SIGTERM)
        process.wait(60)
        shutil.rmtree(workdir, ignore_errors=True)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--bin", default=".build/debug/sluice")
    parser.add_argument("--records", type=int, default=5_000_000)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--dir", default=tempfile.gettempdir(), help="where data directories go")
    args = parser.parse_args()
    global DIRECTORY
    DIRECTORY = args.dir
    args.bin = os.path.abspath(args.bin)
    value = b"x" * 100
    lines_file = tempfile.mktemp(prefix="sluice-bench-lines-", dir=DIRECTORY)
    with open(lines_file, "wb") as f:
        f.write((value + b"\n") * args.records)
    results = {case: [] for case in CASES}
    for round_ in range(args.rounds):
        for case in results:
            rate = run_case(args.bin, case, args.records, lines_file)
            results[case].append(rate)
            print(f"round {round_ + 1} {case:40s} {rate:10.0f} records/s", flush=True)
    os.remove(lines_file)
    median = {case: statistics.median(rates) for case, rates in results.items()}
    print(f"\nmedian of {args.rounds} ({args.records} records of {len(value)} bytes, {args.bin}, data in {args.dir}):")
    for case, rate in median.items():
        print(f"  {case:40s} {rate:10.0f} records/s  ({(rate / median['no-http'] - 1) * 100:+.1f}% vs no-http)"
              f"  range {min(results[case]):.0f}–{max(results[case]):.0f}")
    for mode in ("keep-alive", "close"):
        server, scraper, size = scrape_cost(args.bin, mode)
        label = "keep-alive" if mode == "keep-alive" else "new connection each"
        print(f"CPU per /metrics scrape ({size} bytes of text, {label}): server {server:.3f} ms, scraper {scraper:.3f} ms")


if __name__ == "__main__":
    main()
