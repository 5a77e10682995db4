"""The page at / in a real browser: Debian's chromium and chromium-driver, driven by selenium.

.ci/run installs both when they are missing; this test skips only when they could
not be installed. The screenshots go to docs/screenshots/ (committed; the README
shows one), at a 360-pixel phone width and a desktop width.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from typing import Any

import pytest

pytest.importorskip("starlette")
webdriver = pytest.importorskip("selenium.webdriver")

from selenium.webdriver.chrome.options import Options  # noqa: E402
from selenium.webdriver.chrome.service import Service  # noqa: E402
from selenium.webdriver.common.by import By  # noqa: E402
from selenium.webdriver.common.keys import Keys  # noqa: E402
from selenium.webdriver.support.ui import WebDriverWait  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SHOTS = os.path.join(ROOT, "docs", "screenshots")
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
DRIVER = shutil.which("chromedriver")
PACK = "interview-silence"

pytestmark = pytest.mark.skipif(
    not (CHROMIUM and DRIVER),
    reason="chromium and chromium-driver are not installed (.ci/run installs them: "
           "apt-get install -y chromium chromium-driver)")


@pytest.fixture(scope="module")
def server() -> Iterator[str]:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    proc = subprocess.Popen([sys.executable, "-m", "hunch", "serve", PACK, "--port", str(port)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(600):
            try:
                with urllib.request.urlopen(base + "/health", timeout=5) as r:
                    if json.load(r)["status"] == "ok":
                        break
            except OSError:
                time.sleep(0.05)
        yield base
    finally:
        proc.terminate()
        proc.wait(30)


@pytest.fixture
def browser() -> Iterator[Any]:
    profile = tempfile.mkdtemp(prefix="hunch-chromium-")
    options = Options()
    options.binary_location = str(CHROMIUM)
    # as root, in a container, with no network beyond loopback
    for flag in ("--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run",
                 "--disable-dev-shm-usage", f"--user-data-dir={profile}",
                 "--window-size=1280,900", "--force-device-scale-factor=1"):
        options.add_argument(flag)
    # the driver named here, so selenium never looks for (or downloads) one
    driver = webdriver.Chrome(service=Service(executable_path=str(DRIVER)), options=options)
    try:
        yield driver
    finally:
        driver.quit()
        shutil.rmtree(profile, ignore_errors=True)


def wait_for(driver: Any, css: str, timeout: float = 30) -> Any:
    return WebDriverWait(driver, timeout).until(
        lambda d: d.find_elements(By.CSS_SELECTOR, css) and d.find_element(By.CSS_SELECTOR, css))


def settled(driver: Any) -> None:
    """Wait until the page has shown the result of the last answer."""
    WebDriverWait(driver, 30).until(
        lambda d: d.execute_script("return document.body.dataset.pending") == "0")


def fill_number(driver: Any, fact: str, value: int) -> None:
    field = driver.find_element(By.ID, f"f-{fact}")
    field.clear()
    field.send_keys(str(value))


def choose(driver: Any, fact: str, value: str) -> None:
    """Choose a radio button with the keyboard: focus it, press Space."""
    radio = driver.find_element(By.CSS_SELECTOR, f'input[name="f-{fact}"][value="{value}"]')
    driver.execute_script("arguments[0].focus()", radio)
    radio.send_keys(Keys.SPACE)
    assert radio.is_selected()


def shot(driver: Any, name: str, width: int, height: int) -> str:
    os.makedirs(SHOTS, exist_ok=True)
    driver.set_window_size(width, height)
    path = os.path.join(SHOTS, name)
    driver.save_screenshot(path)
    return path


class TestThePage:
    """A person with the asker's case uses the page, start to finish."""

    def test_the_askers_case_how_and_a_deadline(self, server: str, browser: Any) -> None:
        browser.get(f"{server}/?pack={PACK}")
        wait_for(browser, "#f-days_since_interview")
        # the asker's case (examples/asker.yaml), answered in the form
        for fact, value in (("days_since_interview", 23), ("promised_decision_days", 7),
                            ("unreturned_calls", 2), ("unanswered_emails", 1),
                            ("days_since_last_contact", 12)):
            fill_number(browser, fact, value)
        for fact, choice in (("coworker_behavior_change", "ignoring"),
                             ("internal_candidate", "true"), ("company_size", "large"),
                             ("interview_feedback", "positive"),
                             ("interviewer_overpromised", "true"),
                             ("known_for_expertise", "true")):
            choose(browser, fact, choice)

        settled(browser)
        recommended = wait_for(browser, '#recommendation [data-id="let-it-go"]')
        quotes = recommended.find_elements(By.CSS_SELECTOR, "blockquote")
        amtho = [q for q in quotes if "amtho" in q.text]
        assert amtho, [q.text for q in quotes]
        assert "assume you don't have the job" in amtho[0].text
        # the deadline question is among the ones still unknown
        wait_for(browser, '#unknowns [data-fact="needs_answer_by_days"]')

        browser.execute_script("window.scrollTo(0, 0); document.getElementById('result')"
                               ".scrollTop = 0")
        shot(browser, "desktop.png", 1280, 900)

        # HOW of the top hypothesis, opened from the keyboard
        top = browser.find_element(By.CSS_SELECTOR, "#hypotheses > li:first-child")
        how = top.find_element(By.CSS_SELECTOR, "button.how")
        assert how.get_attribute("aria-expanded") == "false"
        how.send_keys(Keys.ENTER)
        tree = WebDriverWait(browser, 30).until(
            lambda d: top.find_element(By.CSS_SELECTOR, ".tree").is_displayed()
            and top.find_element(By.CSS_SELECTOR, ".tree"))
        assert how.get_attribute("aria-expanded") == "true"
        assert "How: certainty" in tree.text
        assert "(your answer)" in tree.text  # down to the facts the asker gave
        shot(browser, "desktop-how.png", 1280, 900)

        # what-if: a 5-day deadline, answered where "Still unknown" asks for it
        asked = browser.find_element(By.ID, "u-needs_answer_by_days")
        asked.send_keys("5", Keys.ENTER)
        settled(browser)
        wait_for(browser, '#recommendation [data-id="call-once-with-deadline"]')
        changes = browser.find_element(By.ID, "changes").text
        assert "The recommendation changed" in changes
        assert "needs answer by days" in changes and "to 5" in changes
        # the form shows the answer too, and the question is no longer "still unknown"
        assert browser.find_element(By.ID, "f-needs_answer_by_days").get_attribute(
            "value") == "5"
        assert not browser.find_elements(By.ID, "u-needs_answer_by_days")

        # a 360-pixel phone: the form, then the advice
        browser.set_window_size(360, 800)
        width = browser.execute_script("return document.documentElement.scrollWidth")
        assert width <= 360, f"the page is {width} px wide at 360 px: it scrolls sideways"
        browser.execute_script("window.scrollTo(0, 0)")
        shot(browser, "phone-form.png", 360, 800)
        browser.execute_script("document.getElementById('result').scrollIntoView()")
        shot(browser, "phone-advice.png", 360, 800)

    def test_every_control_has_a_label(self, server: str, browser: Any) -> None:
        browser.get(f"{server}/?pack={PACK}")
        wait_for(browser, "#f-days_since_interview")
        unlabelled = browser.execute_script("""
            return [...document.querySelectorAll('input, select, textarea, button')]
              .filter(e => !e.closest('[hidden]'))
              .filter(e => !(e.labels && e.labels.length) && !e.getAttribute('aria-label')
                           && !(e.textContent || '').trim()
                           && !(document.getElementById(e.getAttribute('aria-labelledby'))
                                || {textContent: ''}).textContent.trim())
              .map(e => e.id || e.name || e.outerHTML.slice(0, 60));""")
        assert unlabelled == []
        groups = browser.execute_script("""
            return [...document.querySelectorAll('#facts fieldset')]
              .filter(f => !f.querySelector('legend').textContent.trim()).length;""")
        assert groups == 0

    def test_a_pasted_situation_and_why_not(self, server: str, browser: Any) -> None:
        browser.get(f"{server}/?pack={PACK}")
        wait_for(browser, "#f-days_since_interview")
        settled(browser)
        browser.find_element(By.CSS_SELECTOR, "#paste summary").click()
        with open(os.path.join(ROOT, "examples", "asker.yaml"), encoding="utf-8") as handle:
            text = handle.read()
        area = browser.find_element(By.ID, "paste-text")
        browser.execute_script("arguments[0].value = arguments[1]", area, text)
        browser.find_element(By.ID, "paste-go").click()
        wait_for(browser, '#recommendation [data-id="let-it-go"]')
        # the form now holds the pasted answers
        assert browser.find_element(By.ID, "f-days_since_interview").get_attribute(
            "value") == "23"
        assert browser.find_element(
            By.CSS_SELECTOR, 'input[name="f-company_size"][value="large"]').is_selected()
        # WHY NOT for an action that was not recommended
        browser.execute_script("document.getElementById('whynot').value = arguments[0]",
                               "call-once-with-deadline")
        browser.find_element(By.ID, "whynot-go").click()
        tree = WebDriverWait(browser, 30).until(
            lambda d: "Why not" in d.find_element(By.ID, "whynot-tree").text
            and d.find_element(By.ID, "whynot-tree"))
        assert "did not apply" in tree.text

    def test_a_bad_paste_says_where(self, server: str, browser: Any) -> None:
        browser.get(f"{server}/?pack={PACK}")
        wait_for(browser, "#f-days_since_interview")
        settled(browser)
        browser.find_element(By.CSS_SELECTOR, "#paste summary").click()
        area = browser.find_element(By.ID, "paste-text")
        browser.execute_script("arguments[0].value = arguments[1]", area,
                               "days_since_interview: 23\nunreturned_calls: lots\n")
        browser.find_element(By.ID, "paste-go").click()
        errors = WebDriverWait(browser, 30).until(
            lambda d: d.find_element(By.ID, "errors").text and d.find_element(By.ID, "errors"))
        assert "line 2: unreturned_calls: must be a whole number" in errors.text
