"""scripts/crash-test in a short version: 10 SIGKILL rounds with torn segment tails while
idempotent producers, a beats client and a consumer group run; any lost or duplicated
acknowledged record fails the run."""
import os
import subprocess
import sys

from conftest import sluice_bin

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def test_ten_kill_rounds_lose_and_duplicate_nothing(tmp_path):
    out = tmp_path / "crash-test.out"
    with open(out, "wb") as f:
        result = subprocess.run([sys.executable, os.path.join(ROOT, "scripts", "crash_test.py"),
                                 "--rounds", "10", "--producers", "2", "--rate", "150"],
                                env={**os.environ, "SLUICE_BIN": sluice_bin()}, stdout=f, stderr=subprocess.STDOUT,
                                stdin=subprocess.DEVNULL, timeout=600)
    text = out.read_text(errors="replace")
    print(text[-3000:])
    assert result.returncode == 0, text[-6000:]
    assert "rounds                 10 of 10" in text, text[-3000:]
    acked = int(text.split("kafka records acked")[1].split()[0])
    assert acked > 500, f"too little traffic to prove anything: {acked} records acknowledged"
    assert "kafka lost             0" in text and "kafka duplicates       0" in text
    assert "beats lost             0" in text
    checks = int(text.split("group offsets checked")[1].split()[0])
    assert checks > 0, "no committed group offset was checked across a restart"
