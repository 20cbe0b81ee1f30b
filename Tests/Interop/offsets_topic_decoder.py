"""A decoder of Kafka's `__consumer_offsets` records, written from the published message
specs (OffsetCommitKey/Value, GroupMetadataKey/Value): big-endian, each key and value
opening with an int16 version; strings are an int16 length (-1 = null) then UTF-8, bytes
an int32 length, arrays an int32 count. Flexible versions (value v4+) are not decoded:
Kafka 3.9 writes offset-commit value v3 and group-metadata value v3.

Also the bits of the Kafka wire needed to read the topic without a client library: a
Fetch v4 and a ListOffsets v0 request over a plain socket, and record batch (magic 2)
parsing.
"""
import socket
import struct


class Reader:
    def __init__(self, data, pos=0):
        self.data = data
        self.pos = pos

    def take(self, n):
        assert self.pos + n <= len(self.data), f"truncated: need {n} bytes at {self.pos} of {len(self.data)}"
        out = self.data[self.pos:self.pos + n]
        self.pos += n
        return out

    def int8(self):
        return struct.unpack(">b", self.take(1))[0]

    def int16(self):
        return struct.unpack(">h", self.take(2))[0]

    def int32(self):
        return struct.unpack(">i", self.take(4))[0]

    def int64(self):
        return struct.unpack(">q", self.take(8))[0]

    def string(self):
        n = self.int16()
        return None if n < 0 else self.take(n).decode()

    def bytes_(self):
        n = self.int32()
        return None if n < 0 else self.take(n)

    def varint(self):
        shift = result = 0
        while True:
            b = self.take(1)[0]
            result |= (b & 0x7F) << shift
            if not b & 0x80:
                break
            shift += 7
        return (result >> 1) ^ -(result & 1)  # zigzag

    def varbytes(self):
        n = self.varint()
        return None if n < 0 else self.take(n)

    def done(self):
        return self.pos == len(self.data)


def decode_key(key):
    """("offset", group, topic, partition) for key versions 0/1, ("group", group) for 2."""
    r = Reader(key)
    version = r.int16()
    if version in (0, 1):
        out = ("offset", r.string(), r.string(), r.int32())
    elif version == 2:
        out = ("group", r.string())
    else:
        raise AssertionError(f"unknown __consumer_offsets key version {version}")
    assert r.done(), f"trailing bytes in key version {version}"
    return out


def decode_offset_value(value):
    """An offset-commit value (versions 0-3) as a dict, or None for a tombstone."""
    if value is None:
        return None
    r = Reader(value)
    version = r.int16()
    assert 0 <= version <= 3, f"offset-commit value version {version}"
    out = {"version": version, "offset": r.int64()}
    out["leader_epoch"] = r.int32() if version >= 3 else -1
    out["metadata"] = r.string()
    out["commit_timestamp"] = r.int64()
    if version == 1:
        out["expire_timestamp"] = r.int64()
    assert r.done(), "trailing bytes in an offset-commit value"
    return out


def decode_group_value(value):
    """A group-metadata value (versions 0-3) as a dict, or None for a tombstone."""
    if value is None:
        return None
    r = Reader(value)
    version = r.int16()
    assert 0 <= version <= 3, f"group-metadata value version {version}"
    out = {"version": version, "protocol_type": r.string(), "generation": r.int32(), "protocol": r.string(),
           "leader": r.string()}
    out["current_state_timestamp"] = r.int64() if version >= 2 else -1
    members = []
    for _ in range(r.int32()):
        member = {"member_id": r.string()}
        member["group_instance_id"] = r.string() if version >= 3 else None
        member["client_id"] = r.string()
        member["client_host"] = r.string()
        member["rebalance_timeout"] = r.int32() if version >= 1 else None
        member["session_timeout"] = r.int32()
        member["subscription"] = r.bytes_()
        member["assignment"] = r.bytes_()
        members.append(member)
    out["members"] = members
    assert r.done(), "trailing bytes in a group-metadata value"
    return out


def java_hash(text):
    """Java's String.hashCode over UTF-16 code units, as a signed 32-bit integer."""
    h = 0
    raw = text.encode("utf-16-be")
    for i in range(0, len(raw), 2):
        h = (h * 31 + int.from_bytes(raw[i:i + 2], "big")) & 0xFFFFFFFF
    return h - (1 << 32) if h >= 1 << 31 else h


def partition_for(group, partitions):
    """Kafka's Utils.abs(groupId.hashCode) % partitions (Utils.abs maps MIN_VALUE to 0)."""
    h = java_hash(group)
    return (0 if h == -(1 << 31) else abs(h)) % partitions


# --- the wire, by hand ---------------------------------------------------------------------

def _string(s):
    raw = s.encode()
    return struct.pack(">h", len(raw)) + raw


def _request(sock, api_key, version, body, correlation_id=7):
    payload = struct.pack(">hhi", api_key, version, correlation_id) + _string("offsets-test") + body
    sock.sendall(struct.pack(">i", len(payload)) + payload)
    size = struct.unpack(">i", _recv(sock, 4))[0]
    response = Reader(_recv(sock, size))
    assert response.int32() == correlation_id
    return response


def _recv(sock, n):
    out = b""
    while len(out) < n:
        chunk = sock.recv(n - len(out))
        assert chunk, "the broker closed the connection"
        out += chunk
    return out


def fetch_v4(bootstrap, topic, partition, offset, max_bytes=1 << 20):
    """Fetch v4 of one partition: (error code, high watermark, record batch bytes)."""
    host, port = bootstrap.rsplit(":", 1)
    body = struct.pack(">iiiib", -1, 100, 1, max_bytes, 0) + struct.pack(">i", 1) + _string(topic) \
        + struct.pack(">i", 1) + struct.pack(">iqi", partition, offset, max_bytes)
    with socket.create_connection((host, int(port)), timeout=30) as sock:
        r = _request(sock, 1, 4, body)
    r.int32()  # throttle time
    assert r.int32() == 1 and r.string() == topic and r.int32() == 1
    assert r.int32() == partition
    error, high_watermark = r.int16(), r.int64()
    r.int64()  # last stable offset
    aborted = r.int32()
    for _ in range(max(aborted, 0)):
        r.int64(), r.int64()
    records = r.bytes_() or b""
    return error, high_watermark, records


def list_offsets_v0(bootstrap, topic, partition, timestamp=-1):
    """ListOffsets v0 (latest for -1, earliest for -2): (error code, [offsets])."""
    host, port = bootstrap.rsplit(":", 1)
    body = struct.pack(">i", -1) + struct.pack(">i", 1) + _string(topic) + struct.pack(">i", 1) \
        + struct.pack(">iqi", partition, timestamp, 1)
    with socket.create_connection((host, int(port)), timeout=30) as sock:
        r = _request(sock, 2, 0, body)
    assert r.int32() == 1 and r.string() == topic and r.int32() == 1
    assert r.int32() == partition
    error = r.int16()
    return error, [r.int64() for _ in range(r.int32())]


def records_of(batches):
    """(offset, key, value) of every record in uncompressed magic-2 batches."""
    r = Reader(batches)
    out = []
    while len(batches) - r.pos >= 61:
        base_offset, length = r.int64(), r.int32()
        if len(batches) - r.pos < length:
            break  # a partial batch at the end of a fetch
        end = r.pos + length
        r.int32()  # partition leader epoch
        assert r.int8() == 2, "magic 2"
        r.take(4)  # crc
        attributes = r.int16()
        assert attributes & 0x07 == 0, "the broker writes __consumer_offsets uncompressed"
        r.int32(), r.int64(), r.int64(), r.int64(), r.int16(), r.int32()
        for _ in range(r.int32()):
            r.varint()  # record length
            r.int8()
            r.varint()  # timestamp delta
            offset_delta = r.varint()
            key, value = r.varbytes(), r.varbytes()
            for _ in range(r.varint()):
                r.varbytes(), r.varbytes()
            out.append((base_offset + offset_delta, key, value))
        assert r.pos == end
    return out
