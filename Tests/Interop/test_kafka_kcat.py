"""Debian's kcat (librdkafka 2.0.2) against the kafka protocol plugin: metadata, produce
with every compression codec, consume back byte for byte."""
import os
import struct
import subprocess

import pytest

CODECS = ["none", "gzip", "snappy", "lz4", "zstd"]
CODEC_IDS = {"none": 0, "gzip": 1, "snappy": 2, "lz4": 3, "zstd": 4}
COUNT = 10_000


def kcat(server, *args, data=None, timeout=120):
    result = subprocess.run(["kcat", "-b", server.bootstrap, *args], input=data, capture_output=True,
                            timeout=timeout, stdin=None if data is not None else subprocess.DEVNULL)
    assert result.returncode == 0, f"kcat {' '.join(args)} failed:\n{result.stderr.decode()}\n{server.read_log()[-4000:]}"
    return result


def keyed_messages(count):
    # Values of varying length and content so compression has something to do.
    return b"".join(b"key-%d:value-%d-%s\n" % (i, i, b"abcdefghij"[: i % 10] * (i % 7)) for i in range(count))


def test_kcat_lists_brokers_and_topics(make_server):
    server = make_server()
    kcat(server, "-P", "-t", "listed", "-K:", data=b"k:v\n")
    out = kcat(server, "-L").stdout.decode()
    assert "1 brokers:" in out
    assert f"broker 0 at {server.bootstrap} (controller)" in out
    assert 'topic "listed" with 1 partitions' in out
    assert "partition 0, leader 0, replicas: 0, isrs: 0" in out


@pytest.mark.parametrize("codec", CODECS)
def test_kcat_round_trip_is_byte_identical(make_server, codec):
    # Segment files on disk: the fetch path sends them with sendfile, and the stored
    # batches show whether they kept the producer's compression.
    server = make_server(configure=lambda c: c.update(storage={"plugin": "segment-log", "config": {}}))
    topic = f"kcat-{codec}"
    sent = keyed_messages(COUNT)
    # linger.ms: batches of many records even on a loaded machine (a one-record batch is
    # often sent uncompressed, which would make the codec check below meaningless).
    kcat(server, "-P", "-t", topic, "-K:", "-z", codec, "-X", "linger.ms=100", data=sent)

    # librdkafka may send a batch uncompressed when compressing it would not make it
    # smaller (the first, smallest batch sometimes), so the check is on the whole segment:
    # batches keep the producer's codec, and the codec really was used.
    with open(os.path.join(server.data_dir, f"{topic}-0", "00000000000000000000.log"), "rb") as segment:
        data = segment.read()
    codecs, position = [], 0
    while position + 61 <= len(data):
        (length,) = struct.unpack_from(">i", data, position + 8)
        (magic,) = struct.unpack_from(">b", data, position + 16)
        (attributes,) = struct.unpack_from(">h", data, position + 21)
        assert magic == 2
        codecs.append(attributes & 0x07)
        position += length + 12
    assert position == len(data), "the segment holds whole batches"
    assert set(codecs) <= {0, CODEC_IDS[codec]}, f"batches are stored as the producer compressed them: {codecs}"
    assert codecs.count(CODEC_IDS[codec]) * 2 >= len(codecs), f"most batches carry {codec}: {codecs}"

    # -e: exits once the end of the partition is reached.
    everything = kcat(server, "-C", "-t", topic, "-o", "beginning", "-e", "-K:", "-f", "%k:%s\n").stdout
    assert everything == sent

    tail = kcat(server, "-C", "-t", topic, "-o", str(COUNT - 25), "-e", "-f", "%o %k:%s\n").stdout.splitlines()
    assert len(tail) == 25
    assert tail[0].startswith(b"%d key-%d:" % (COUNT - 25, COUNT - 25))
    assert tail[-1].startswith(b"%d key-%d:" % (COUNT - 1, COUNT - 1))


def test_kcat_consumes_from_the_end_and_exits(make_server):
    server = make_server()
    kcat(server, "-P", "-t", "ends", "-K:", data=b"a:1\nb:2\n")
    out = kcat(server, "-C", "-t", "ends", "-o", "end", "-e", "-f", "%k:%s\n").stdout
    assert out == b""
