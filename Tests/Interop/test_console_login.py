"""The console and /api behind a login (issue 24): the http plugin over HTTPS with
`authenticate`, a user made with `sluice users add`, and an ACL made with `sluice acls add`
that lets alice Read one topic of two. Checked in Chromium (the login form, the topic
list, browsing) and with urllib over verified TLS (HTTP Basic, 401, 403, open paths).
The Kafka listener is PLAINTEXT on 127.0.0.1 as User:ANONYMOUS, a super user here, for
the admin tools."""
import base64
import json
import os
import ssl
import subprocess
import urllib.error
import urllib.request

import pytest
from selenium import webdriver
from selenium.common.exceptions import StaleElementReferenceException
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions
from selenium.webdriver.support.ui import WebDriverWait

from conftest import sluice_bin
from http_setup import kcat_produce
from tls_certs import tls_certs  # noqa: F401

ALICE, ALICE_PASSWORD = "alice", "alice-console-pw"


@pytest.fixture
def browser():
    """Headless Chromium that accepts the test CA's server certificate (it has no way to
    trust a per-run CA); urllib checks the certificate properly."""
    options = webdriver.ChromeOptions()
    options.binary_location = "/usr/bin/chromium"
    for flag in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu",
                 "--ignore-certificate-errors", "--window-size=1400,1000"):
        options.add_argument(flag)
    driver = webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=options)
    driver.set_page_load_timeout(60)
    yield driver
    driver.quit()


def sluice(server, *args, password=None):
    result = subprocess.run([sluice_bin(), *args, "--bootstrap", server.bootstrap], input=password,
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    return result.stdout


@pytest.fixture
def console(make_server, tls_certs):  # noqa: F811
    def configure(config):
        config["broker"]["allowEveryoneIfNoAclFound"] = False
        config["broker"]["superUsers"] = ["User:ANONYMOUS"]
        http = next(p for p in config["protocols"] if p["plugin"] == "http")
        http["config"]["tls"] = {"certificatePath": tls_certs.path("server.pem"), "keyPath": tls_certs.path("server.key")}
        http["config"]["authenticate"] = True
    server = make_server(protocols=("kafka", "http"), configure=configure)
    kcat_produce(server, "public", [f"public-{i}" for i in range(20)])
    kcat_produce(server, "secret", [f"secret-{i}" for i in range(20)])
    sluice(server, "users", "add", ALICE, password=ALICE_PASSWORD + "\n")
    sluice(server, "acls", "add", "--principal", f"User:{ALICE}", "--operation", "read", "--topic", "public")
    server.https_url = f"https://127.0.0.1:{server.ports['http']}"
    server.tls = ssl.create_default_context(cafile=tls_certs.path("ca.pem"))
    return server


def request(server, path, user=None, password=None):
    """(status, body) of a GET over TLS verified against the test CA."""
    headers = {}
    if user is not None:
        headers["Authorization"] = "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()
    try:
        with urllib.request.urlopen(urllib.request.Request(server.https_url + path, headers=headers),
                                    context=server.tls, timeout=30) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()


def test_api_asks_for_a_user_and_shows_only_what_the_acls_allow(console):
    assert request(console, "/healthz")[0] == 200, "open paths stay open"
    assert request(console, "/metrics")[0] == 200
    assert request(console, "/api/topics")[0] == 401
    assert request(console, "/api/topics", ALICE, "wrong")[0] == 401
    status, body = request(console, "/api/topics", ALICE, ALICE_PASSWORD)
    assert status == 200
    assert [topic["name"] for topic in json.loads(body)] == ["public"]
    status, body = request(console, "/api/topics/public/partitions/0/records", ALICE, ALICE_PASSWORD)
    assert status == 200 and "public-0" in body
    status, body = request(console, "/api/topics/secret/partitions/0/records", ALICE, ALICE_PASSWORD)
    assert status == 403 and "secret-" not in body


def test_browser_logs_in_and_sees_only_the_readable_topic(console, browser):
    browser.get(console.https_url + "/")
    wait = WebDriverWait(browser, 30, ignored_exceptions=(StaleElementReferenceException,))
    wait.until(expected_conditions.presence_of_element_located((By.ID, "login")))
    assert browser.current_url.endswith("/login")
    browser.find_element(By.ID, "username").send_keys(ALICE)
    browser.find_element(By.ID, "password").send_keys("not-her-password")
    browser.find_element(By.ID, "login").click()
    wait.until(expected_conditions.text_to_be_present_in_element((By.TAG_NAME, "body"), "Invalid username or password"))

    browser.find_element(By.ID, "username").send_keys(ALICE)
    browser.find_element(By.ID, "password").send_keys(ALICE_PASSWORD)
    browser.find_element(By.ID, "login").click()
    wait.until(expected_conditions.presence_of_element_located((By.CSS_SELECTOR, '#topics tr[data-topic="public"]')))
    assert not browser.find_elements(By.CSS_SELECTOR, '#topics tr[data-topic="secret"]')
    browser.find_element(By.CSS_SELECTOR, '#topics tr[data-topic="public"]').click()
    wait.until(lambda d: len(d.find_elements(By.CSS_SELECTOR, "#records tbody tr")) == 20)
    assert "public-0" in browser.find_elements(By.CSS_SELECTOR, "#records tbody tr")[0].text
    # The session cookie is the browser's only credential; it cannot read the other topic.
    status = browser.execute_async_script(
        "const done = arguments[arguments.length - 1];"
        "fetch('/api/topics/secret/partitions/0/records').then(r => done(r.status), e => done(String(e)));")
    assert status == 403


def test_serve_refuses_an_open_console_off_loopback(workdir):
    config = {"broker": {"dataDir": "data"}, "storage": {"plugin": "segment-log", "config": {}},
              "metadata": {"plugin": "sqlite", "config": {}},
              "protocols": [{"plugin": "http", "config": {"listen": "0.0.0.0:0"}}], "connectors": []}
    path = os.path.join(workdir, "open-console.json")
    with open(path, "w") as f:
        json.dump(config, f)
    refused = subprocess.run([sluice_bin(), "config", "check", path], capture_output=True, text=True, timeout=60)
    assert refused.returncode != 0
    assert "allowUnauthenticated" in refused.stdout + refused.stderr
    config["protocols"][0]["config"]["allowUnauthenticated"] = True
    with open(path, "w") as f:
        json.dump(config, f)
    accepted = subprocess.run([sluice_bin(), "config", "check", path], capture_output=True, text=True, timeout=60)
    assert accepted.returncode == 0, accepted.stdout + accepted.stderr
