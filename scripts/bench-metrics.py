#!/usr/bin/env python3
"""Produce throughput of a real `sluice serve` with and without the http plugin (so with
swift-metrics' no-op backend vs. Prometheus counters on the produce path), and with 1,000
/metrics scrapes (100 at a time, from another process) during the run. kcat produces
(C, so the client is not the bottleneck). Prints figures; asserts nothing.

The scrapes run twice: from a scraper at normal priority, and from one at `nice 19`. On a
small machine kcat already uses most cores, so a normal-priority Python scraper takes its
CPU straight from kcat; the niced one gets only idle CPU, as a Prometheus on another
machine would cost this one nothing, which leaves what the broker itself spends answering
scrapes. That cost is also printed directly: the server's CPU time (/proc) for 1,000
scrapes with nothing else running, per scrape.

Usage: .venv/bin/python scripts/bench-metrics.py [--bin .build/release/sluice] [--records 1000000] [--rounds 3]
"""
import argparse
import json
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import sys
import time
import urllib.request


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


SCRAPER = """
import sys, urllib.request
from concurrent.futures import ThreadPoolExecutor
url, total, concurrency = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
def one(_):
    with urllib.request.urlopen(url + "/metrics", timeout=120) as r:
        r.read()
with ThreadPoolExecutor(concurrency) as pool:
    list(pool.map(one, range(total)))
"""


def cpu_seconds(pid):
    """User + system CPU time of a process so far, from /proc/PID/stat."""
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def scrape_cost(binary):
    """Server CPU milliseconds per /metrics scrape: 1,000 scrapes, 100 at a time, after a
    warm-up; the topics of a produced run are in the registry so the text is realistic."""
    workdir = tempfile.mkdtemp(prefix="sluice-bench-metrics-")
    process, bootstrap, http = start(binary, True, workdir)
    try:
        subprocess.run(["kcat", "-b", bootstrap, "-t", "bench", "-P", "-p", "0"], input=b"x\n" * 1000, check=True, timeout=60)
        subprocess.run([sys.executable, "-c", SCRAPER, http, "100", "10"], check=True, timeout=600)
        with urllib.request.urlopen(http + "/metrics", timeout=60) as r:
            size = len(r.read())
        before = cpu_seconds(process.pid)
        subprocess.run([sys.executable, "-c", SCRAPER, http, "1000", "100"], check=True, timeout=600)
        return (cpu_seconds(process.pid) - before) * 1000 / 1000, size
    finally:
        process.send_signal(signal.SIGTERM)
        process.wait(60)
        shutil.rmtree(workdir, ignore_errors=True)


def run_case(binary, case, records, lines_file):
    workdir = tempfile.mkdtemp(prefix="sluice-bench-metrics-")
    process, bootstrap, http = start(binary, case != "no-http", workdir)
    try:
        scraper = None
        if case.startswith("http+scrapes"):
            nice = ["nice", "-n", "19"] if case.endswith("niced") else []
            scraper = subprocess.Popen([*nice, sys.executable, "-c", SCRAPER, http, "1000", "100"])
        rate = produce(bootstrap, lines_file, records)
        if scraper:
            scraper.wait(600)
        return rate
    finally:
        process.send_signal(signal.SIGTERM)
        process.wait(60)
        shutil.rmtree(workdir, ignore_errors=True)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--bin", default=".build/debug/sluice")
    parser.add_argument("--records", type=int, default=1_000_000)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    args.bin = os.path.abspath(args.bin)
    value = b"x" * 100
    lines_file = tempfile.mktemp(prefix="sluice-bench-lines-")
    with open(lines_file, "wb") as f:
        f.write((value + b"\n") * args.records)
    results = {"no-http": [], "http": [], "http+scrapes": [], "http+scrapes niced": []}
    for round_ in range(args.rounds):
        for case in results:
            rate = run_case(args.bin, case, args.records, lines_file)
            results[case].append(rate)
            print(f"round {round_ + 1} {case:18s} {rate:10.0f} records/s", flush=True)
    cost, size = scrape_cost(args.bin)
    os.remove(lines_file)
    best = {case: max(rates) for case, rates in results.items()}
    print(f"\nbest of {args.rounds} ({args.records} records of {len(value)} bytes, {args.bin}):")
    for case, rate in best.items():
        print(f"  {case:18s} {rate:10.0f} records/s  ({(rate / best['no-http'] - 1) * 100:+.1f}% vs no-http)")
    print(f"server CPU per /metrics scrape ({size} bytes of text): {cost:.3f} ms")


if __name__ == "__main__":
    main()
