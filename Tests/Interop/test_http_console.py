"""The web console in a real browser (Debian's chromium, driven by Selenium through
chromium-driver): it lists the topic and the group with its lag, and opening the topic
shows its records. Screenshots are written to $SLUICE_ARTIFACTS (default
.build/test-artifacts); docs/console.png in the README is one of them."""
import os
import subprocess
import threading
import time

import pytest
from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.common.exceptions import StaleElementReferenceException
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions
from selenium.webdriver.support.ui import WebDriverWait

from http_setup import GROUP, TOPIC, kcat_produce, produce_and_commit

ARTIFACTS = os.environ.get("SLUICE_ARTIFACTS", os.path.join(os.path.dirname(__file__), "..", "..", ".build", "test-artifacts"))


@pytest.fixture
def browser():
    options = webdriver.ChromeOptions()
    options.binary_location = "/usr/bin/chromium"
    for flag in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu", "--window-size=1400,1000"):
        options.add_argument(flag)
    driver = webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=options)
    driver.set_page_load_timeout(60)
    yield driver
    driver.quit()


def keep_producing(server, topic, stop):
    """Traffic for the rate columns and sparklines while the page is open."""
    batch = 0
    while not stop.is_set():
        kcat_produce(server, topic, [f"click-{batch}-{i}" for i in range(200)])
        subprocess.run(["kcat", "-b", server.bootstrap, "-t", topic, "-C", "-o", "-200", "-e", "-q"],
                       stdout=subprocess.DEVNULL, check=True, timeout=60)
        batch += 1
        stop.wait(0.5)


def test_console_lists_topic_and_group_lag_and_browses_records(make_server, browser):
    server = make_server(protocols=("kafka", "http"))
    produce_and_commit(server)
    stop = threading.Event()
    traffic = threading.Thread(target=keep_producing, args=(server, "clicks", stop), daemon=True)
    traffic.start()
    try:
        browser.get(server.http_url + "/")
        # The console re-renders its tables every 2 s, so a row found by a wait can be
        # replaced before its text is read; the wait then simply looks again.
        wait = WebDriverWait(browser, 30, ignored_exceptions=(StaleElementReferenceException,))
        row = wait.until(expected_conditions.presence_of_element_located(
            (By.CSS_SELECTOR, f'#topics tr[data-topic="{TOPIC}"]')))
        wait.until(expected_conditions.text_to_be_present_in_element(
            (By.CSS_SELECTOR, f'#groups tr[data-group="{GROUP}"] td.lag'), "600"))
        assert browser.find_element(By.CSS_SELECTOR, f'#groups tr[data-group="{GROUP}"] td.lag').text == "600"
        assert "running" in browser.find_element(By.ID, "connectors").text

        browser.find_element(By.CSS_SELECTOR, f'#topics tr[data-topic="{TOPIC}"]').click()
        wait.until(lambda d: len(d.find_elements(By.CSS_SELECTOR, "#records tbody tr")) == 50)
        first = browser.find_elements(By.CSS_SELECTOR, "#records tbody tr")[0]
        assert first.get_attribute("data-offset") == "0"
        assert "record-0" in first.text
        assert browser.find_element(By.ID, "partitions-panel").is_displayed()
        assert "1000" in browser.find_element(By.CSS_SELECTOR, '#partitions tr[data-partition="0"]').text

        # A few refreshes so the sparklines have points, then the pictures.
        wait.until(lambda d: float(d.find_element(By.CSS_SELECTOR, '#topics tr[data-topic="clicks"] td.rate-in').text) > 0)
        time.sleep(10)
        os.makedirs(ARTIFACTS, exist_ok=True)
        browser.save_screenshot(os.path.join(ARTIFACTS, "console.png"))
        browser.set_window_size(390, 1400)
        time.sleep(2.5)
        width = browser.execute_script("return document.documentElement.scrollWidth")
        assert width <= 400, f"the phone layout needs no horizontal scrolling of the page (width {width})"
        browser.save_screenshot(os.path.join(ARTIFACTS, "console-phone.png"))
        assert row is not None
    finally:
        stop.set()
        traffic.join(timeout=30)
