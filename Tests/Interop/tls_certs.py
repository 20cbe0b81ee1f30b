"""Certificates for TLS interop tests, generated per test with Debian's openssl: a CA, a
server certificate for 127.0.0.1/localhost, a client certificate (subject
C=US, O=Acme, OU=eng, CN=alice) and one signed by another CA. Keys are unencrypted PKCS#8."""
import os
import shutil
import subprocess

import pytest

CLIENT_SUBJECT = "/C=US/O=Acme/OU=eng/CN=alice"
# Kafka's default principal for that certificate: the subject in RFC 2253 order.
CLIENT_PRINCIPAL = "User:CN=alice,OU=eng,O=Acme,C=US"


def _openssl(*args, cwd):
    result = subprocess.run(["openssl", *args], cwd=cwd, capture_output=True, text=True, timeout=60,
                            stdin=subprocess.DEVNULL)
    assert result.returncode == 0, f"openssl {' '.join(args)}: {result.stderr}"


class Certs:
    def __init__(self, directory):
        self.dir = directory

    def path(self, name):
        return os.path.join(self.dir, name)


def _ca(directory, name, subject):
    _openssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", f"{name}.key", "-out", f"{name}.pem",
             "-days", "2", "-subj", subject, "-addext", "basicConstraints=critical,CA:TRUE",
             "-addext", "keyUsage=critical,keyCertSign,cRLSign", cwd=directory)


def _leaf(directory, name, subject, ca, extensions):
    _openssl("req", "-newkey", "rsa:2048", "-nodes", "-keyout", f"{name}.key", "-out", f"{name}.csr", "-subj", subject,
             cwd=directory)
    with open(os.path.join(directory, f"{name}.ext"), "w") as f:
        f.write(extensions)
    _openssl("x509", "-req", "-in", f"{name}.csr", "-CA", f"{ca}.pem", "-CAkey", f"{ca}.key", "-CAcreateserial",
             "-out", f"{name}.pem", "-days", "2", "-extfile", f"{name}.ext", cwd=directory)


@pytest.fixture
def tls_certs(tmp_path):
    if shutil.which("openssl") is None:
        pytest.fail("openssl is required to make test certificates (Debian: openssl)")
    directory = str(tmp_path)
    _ca(directory, "ca", "/CN=Sluice Test CA")
    _ca(directory, "other-ca", "/CN=Another CA")
    _leaf(directory, "server", "/CN=localhost", "ca",
          "subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\n")
    _leaf(directory, "client", CLIENT_SUBJECT, "ca", "extendedKeyUsage=clientAuth\n")
    _leaf(directory, "stranger", "/CN=mallory", "other-ca", "extendedKeyUsage=clientAuth\n")
    # Java's PEM keystore: the key, then the certificate, in one file.
    with open(os.path.join(directory, "client-keystore.pem"), "w") as out:
        for name in ("client.key", "client.pem"):
            with open(os.path.join(directory, name)) as f:
                out.write(f.read())
    return Certs(directory)
