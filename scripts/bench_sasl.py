"""The SASL case of scripts/bench: logins per second on a SASL listener, with a raw
client (standard library only) that opens a connection, authenticates and closes it.

SCRAM-SHA-512 at 4096 iterations: the client salts the password once (PBKDF2 cached per
salt, as a real client reconnecting with the same password could), so the figure is the
server's cost: a handshake, two SaslAuthenticate round trips and their HMACs. PLAIN makes
the server run PBKDF2 (4096 × SHA-512) on every login, so it is shown beside it."""
import base64
import hashlib
import hmac
import os
import socket
import struct
import subprocess
import threading
import time


def frame(api_key, version, body, correlation_id):
    header = struct.pack(">hhih", api_key, version, correlation_id, 5) + b"bench"
    return struct.pack(">i", len(header) + len(body)) + header + body


def read_frame(sock):
    def exact(n):
        data = b""
        while len(data) < n:
            chunk = sock.recv(n - len(data))
            if not chunk:
                raise ConnectionError("closed by the server")
            data += chunk
        return data
    return exact(struct.unpack(">i", exact(4))[0])


def authenticate(sock, token, correlation_id):
    """SaslAuthenticate v0: returns the server's token; raises on an error code."""
    sock.sendall(frame(36, 0, struct.pack(">i", len(token)) + token, correlation_id))
    body = read_frame(sock)[4:]
    error = struct.unpack(">h", body[:2])[0]
    message_length = struct.unpack(">h", body[2:4])[0]
    offset = 4 + max(message_length, 0)
    if error:
        raise RuntimeError(f"SaslAuthenticate error {error}: {body[4:offset].decode(errors='replace')}")
    size = struct.unpack(">i", body[offset:offset + 4])[0]
    return body[offset + 4:offset + 4 + max(size, 0)]


def handshake(sock, mechanism):
    name = mechanism.encode()
    sock.sendall(frame(17, 1, struct.pack(">h", len(name)) + name, 1))
    error = struct.unpack(">h", read_frame(sock)[4:6])[0]
    if error:
        raise RuntimeError(f"SaslHandshake {mechanism}: error {error}")


class ScramClient:
    """SCRAM-SHA-512 logins of one user; the salted password is computed once per salt."""

    def __init__(self, user, password):
        self.user, self.password = user, password.encode()
        self.salted = {}
        self.lock = threading.Lock()

    def login(self, address):
        with socket.create_connection(address, timeout=30) as sock:
            handshake(sock, "SCRAM-SHA-512")
            nonce = base64.b64encode(os.urandom(18)).decode()
            first_bare = f"n={self.user},r={nonce}"
            server_first = authenticate(sock, b"n,," + first_bare.encode(), 2).decode()
            fields = dict(part.split("=", 1) for part in server_first.split(","))
            if not fields["r"].startswith(nonce):
                raise RuntimeError("the server nonce does not extend the client's")
            salt, iterations = base64.b64decode(fields["s"]), int(fields["i"])
            with self.lock:
                salted = self.salted.get((salt, iterations))
                if salted is None:
                    salted = hashlib.pbkdf2_hmac("sha512", self.password, salt, iterations)
                    self.salted[(salt, iterations)] = salted
            client_key = hmac.new(salted, b"Client Key", hashlib.sha512).digest()
            stored_key = hashlib.sha512(client_key).digest()
            final_without_proof = f"c=biws,r={fields['r']}"
            auth_message = f"{first_bare},{server_first},{final_without_proof}".encode()
            signature = hmac.new(stored_key, auth_message, hashlib.sha512).digest()
            proof = bytes(a ^ b for a, b in zip(client_key, signature))
            server_final = authenticate(sock, f"{final_without_proof},p={base64.b64encode(proof).decode()}".encode(), 3)
            server_key = hmac.new(salted, b"Server Key", hashlib.sha512).digest()
            expected = base64.b64encode(hmac.new(server_key, auth_message, hashlib.sha512).digest()).decode()
            if server_final.decode() != f"v={expected}":
                raise RuntimeError("the server's signature does not verify")


def plain_login(address, user, password):
    with socket.create_connection(address, timeout=30) as sock:
        handshake(sock, "PLAIN")
        authenticate(sock, b"\0" + user.encode() + b"\0" + password.encode(), 2)


def logins_per_second(login, seconds, clients):
    """Logins per second over `seconds`, from `clients` threads logging in back to back."""
    count = [0] * clients
    errors = []
    deadline = time.monotonic() + seconds

    def worker(index):
        try:
            while time.monotonic() < deadline:
                login()
                count[index] += 1
        except Exception as error:  # noqa: BLE001 - reported below
            errors.append(error)
    threads = [threading.Thread(target=worker, args=(i,)) for i in range(clients)]
    started = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(seconds + 60)
    if errors:
        raise SystemExit(f"SASL login failed: {errors[0]}")
    return sum(count) / (time.monotonic() - started), sum(count)


def add_user(binary, bootstrap, user, password):
    result = subprocess.run([binary, "users", "add", user, "--mechanism", "SCRAM-SHA-512", "--iterations", "4096",
                             "--bootstrap", bootstrap], input=password + "\n", capture_output=True, text=True, timeout=120)
    if result.returncode != 0:
        raise SystemExit(f"sluice users add failed: {result.stderr}")
