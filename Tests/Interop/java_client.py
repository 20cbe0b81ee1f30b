"""Apache Kafka's Java client 3.9 for interop tests.

PyPI's `atoti-server-kafka==0.9.16` wheel carries org.apache.kafka clients 3.9.2 as
`_atoti_server_kafka/__resources__/plugin.jar`. The `kafka_java` fixture finds that jar
($SLUICE_KAFKA_JAR, else a per-user cache, else `pip download` into the cache) and
runs single-file Java programs from Tests/Interop/java with Debian's JDK and slf4j-api.
A missing tool fails the test: these tests never skip."""
import os
import shutil
import subprocess
import sys
import zipfile

import pytest

WHEEL = "atoti-server-kafka==0.9.16"
JAR_IN_WHEEL = "_atoti_server_kafka/__resources__/plugin.jar"
SLF4J_API = "/usr/share/java/slf4j-api.jar"
JAVA_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "java")


def _cache_dir():
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return os.path.join(base, "sluice-interop", "atoti-server-kafka-0.9.16")


def locate_jar():
    """The kafka-clients 3.9.2 jar, downloaded and unpacked on first use."""
    explicit = os.environ.get("SLUICE_KAFKA_JAR")
    if explicit:
        if not os.path.isfile(explicit):
            pytest.fail(f"SLUICE_KAFKA_JAR={explicit} is not a file")
        return explicit
    cache = _cache_dir()
    jar = os.path.join(cache, "plugin.jar")
    if os.path.isfile(jar):
        return jar
    wheels = os.path.join(cache, "wheels")
    os.makedirs(wheels, exist_ok=True)
    result = subprocess.run([sys.executable, "-m", "pip", "download", "--no-deps", "--disable-pip-version-check",
                             "-q", WHEEL, "-d", wheels], capture_output=True, text=True, timeout=300,
                            stdin=subprocess.DEVNULL)
    if result.returncode != 0:
        pytest.fail(f"pip download {WHEEL} failed (the Java client comes from it):\n{result.stderr}")
    found = [f for f in os.listdir(wheels) if f.endswith(".whl")]
    if not found:
        pytest.fail(f"pip download {WHEEL} left no wheel in {wheels}")
    with zipfile.ZipFile(os.path.join(wheels, found[0])) as wheel:
        try:
            member = wheel.open(JAR_IN_WHEEL)
        except KeyError:
            pytest.fail(f"{found[0]} has no {JAR_IN_WHEEL}")
        partial = jar + ".partial"
        with member, open(partial, "wb") as out:
            shutil.copyfileobj(member, out)
        os.replace(partial, jar)
    return jar


class JavaClient:
    def __init__(self, jar):
        self.classpath = f"{jar}:{SLF4J_API}"

    def run(self, program, *args, timeout=240):
        """Runs Tests/Interop/java/<program> (single-file source launch); returns the
        CompletedProcess, its output in stdout/stderr."""
        source = os.path.join(JAVA_DIR, program)
        return subprocess.run(["java", "-cp", self.classpath, source, *args], capture_output=True, text=True,
                              timeout=timeout, stdin=subprocess.DEVNULL)


@pytest.fixture(scope="session")
def kafka_java():
    if shutil.which("java") is None:
        pytest.fail("java is required (Debian: default-jdk-headless)")
    if not os.path.isfile(SLF4J_API):
        pytest.fail(f"{SLF4J_API} is required (Debian: libslf4j-java)")
    return JavaClient(locate_jar())
