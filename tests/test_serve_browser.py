"""The page at / in a real browser: Debian's chromium and chromium-driver, driven by selenium.

.ci/run installs both when they are missing; this test skips only when they could
not be installed. Each consultation runs in a phone-sized window (360x740) and a
desktop one, and axe-core (npm; .ci/run installs it and names its axe.min.js in
HUNCH_AXE) checks every state for accessibility violations. The screenshots go to
docs/screenshots/ (committed; docs/serve.md and the README show them).
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
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

from tests.serving import hunch_serve  # noqa: E402

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
    # every built-in pack: lend-money has plain numbers (no dates) to type
    with hunch_serve(loaded=True) as port:
        yield f"http://127.0.0.1:{port}"


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


AS_OF = "2026-12-07"  # every date on the page counts to this, never to today
SIZES = {"phone": (360, 740), "desktop": (1280, 900)}


@pytest.fixture(params=sorted(SIZES))
def window(request: Any, browser: Any) -> str:
    browser.set_window_size(*SIZES[request.param])
    return str(request.param)


def open_page(driver: Any, server: str, pack: str = PACK, answers: str = "",
              as_of: str = AS_OF) -> None:
    driver.get(f"{server}/#pack={pack}&as_of={as_of}" + (f"&answers={answers}" if answers else ""))
    wait_for(driver, "#step-set, #step .done")
    settled(driver)


def asks(driver: Any) -> str:
    """What the one question on screen asks: a fact, a date or a log."""
    return str(driver.find_element(By.ID, "step-set").get_attribute("data-asks"))


def give_date(driver: Any, field_id: str, iso: str) -> None:
    """Type a date into a date picker as a person does (chromium's en-US mm/dd/yyyy)."""
    field = driver.find_element(By.ID, field_id)
    year, month, day = iso.split("-")
    field.send_keys(month + day + year)
    assert field.get_attribute("value") == iso


def axe_clean(driver: Any, state: str) -> None:
    """axe-core (injected from HUNCH_AXE: its axe.min.js) finds no violation."""
    path = os.environ.get("HUNCH_AXE", "")
    if not path:  # .ci/run always sets it: there the check never skips
        pytest.skip("set HUNCH_AXE to axe-core's axe.min.js (.ci/run: npm install axe-core)")
    assert os.path.isfile(path), f"HUNCH_AXE={path}: no such file"
    with open(path, encoding="utf-8") as f:
        driver.execute_script(f.read())
    found = driver.execute_async_script("""
        const done = arguments[arguments.length - 1];
        axe.run(document, {resultTypes: ["violations"]}).then(
          r => done(r.violations.map(v => v.id + ": " + v.help + " — " +
                                     v.nodes.map(n => n.target.join(" ")).join(", "))),
          e => done(["axe failed: " + e]));""")
    assert found == [], f"{state}: {found}"


def add_entry(driver: Any, prefix: str, when: str, kind: str, answered: bool,
              callback: str) -> None:
    """Add a follow-up to the log's list: in the step (prefix s) or the whole form (f)."""
    give_date(driver, f"{prefix}-follow_ups-date", when)
    driver.find_element(By.ID, f"{prefix}-follow_ups-kind").send_keys(kind)
    if answered:
        driver.find_element(By.ID, f"{prefix}-follow_ups-answered").click()
    if callback:
        give_date(driver, f"{prefix}-follow_ups-callback_promised_for", callback)
    driver.find_element(By.ID, f"{prefix}-follow_ups-add").click()
    settled(driver)


def choose(driver: Any, fact: str, value: str) -> None:
    """Choose a radio button of the whole form with the keyboard: focus it, press Space."""
    radio = driver.find_element(By.CSS_SELECTOR, f'input[name="f-{fact}"][value="{value}"]')
    driver.execute_script("arguments[0].focus()", radio)
    radio.send_keys(Keys.SPACE)
    assert radio.is_selected()


def no_sideways_scroll(driver: Any) -> None:
    width = driver.execute_script("return document.documentElement.scrollWidth")
    inner = driver.execute_script("return window.innerWidth")
    assert width <= inner, f"the page is {width} px wide in a {inner} px window"


def shot(driver: Any, name: str) -> str:
    os.makedirs(SHOTS, exist_ok=True)
    path = os.path.join(SHOTS, name)
    driver.save_screenshot(path)
    return path


def summary(driver: Any) -> str:
    return str(driver.find_element(By.ID, "summary-body").text)


def named_in_hint(driver: Any) -> str:
    """The recommendation the hint under the question names ("now: ...")."""
    why = str(driver.find_element(By.ID, "step-why").text)
    assert "(now: " in why, why
    return why.split("(now: ", 1)[1].split(")", 1)[0]


class TestOneQuestionAtATime:
    """The consultation of `hunch ask`, on a phone and on a desktop."""

    def test_first_advice_back_and_all_questions(self, server: str, browser: Any,
                                                 window: str) -> None:
        open_page(browser, server)
        assert asks(browser) == "interview_date"  # the required fact, asked as its date
        assert "after your first answer" in summary(browser)
        assert not browser.find_elements(By.ID, "step-dunno")  # required: no "I don't know"
        axe_clean(browser, "the first question")

        give_date(browser, "s-interview_date", "2026-11-14")
        browser.find_element(By.ID, "step-next").click()
        settled(browser)
        # the advice, from the first answer on, with words beside its numbers
        assert "after your first answer" not in summary(browser)
        assert "support, 0." in summary(browser) or "evidence against" in summary(browser)
        second = asks(browser)
        assert second != "interview_date"
        assert "interview" in browser.find_element(By.ID, "answered").text.lower()
        axe_clean(browser, "the second question")
        if window == "phone":
            no_sideways_scroll(browser)

        # "I don't know", then back: the question comes again
        browser.find_element(By.ID, "step-dunno").click()
        settled(browser)
        third = asks(browser)
        assert third != second
        assert "I don't know" in browser.find_element(By.ID, "answered").text
        browser.find_element(By.ID, "back").click()
        settled(browser)
        assert asks(browser) == second
        assert "I don't know" not in browser.find_element(By.ID, "answered").text

        # the whole form, for people who prefer it
        browser.find_element(By.ID, "show-all").click()
        settled(browser)
        form = browser.find_element(By.ID, "facts")
        assert form.is_displayed() and not browser.find_element(By.ID, "step").is_displayed()
        assert browser.find_element(By.ID, "f-interview_date").get_attribute("value") == \
            "2026-11-14"
        assert browser.find_elements(By.ID, "f-follow_ups-add")  # the log, in the form
        assert len(form.find_elements(By.TAG_NAME, "fieldset")) > 10
        axe_clean(browser, "all questions")
        browser.find_element(By.ID, "show-all").click()
        settled(browser)
        assert browser.find_element(By.ID, "step").is_displayed()

    def test_the_summary_stays_on_screen_on_a_phone(self, server: str, browser: Any) -> None:
        browser.set_window_size(*SIZES["phone"])
        open_page(browser, server)
        give_date(browser, "s-interview_date", "2026-11-14")
        browser.find_element(By.ID, "step-next").click()
        settled(browser)
        browser.execute_script("document.getElementById('hypotheses').scrollIntoView()")
        top = browser.execute_script(
            "return document.getElementById('summary').getBoundingClientRect().top")
        assert top == 0
        assert browser.find_element(By.ID, "summary-body").is_displayed()
        no_sideways_scroll(browser)

    def test_typing_a_number_updates_the_advice_in_place(self, server: str,
                                                         browser: Any) -> None:
        browser.set_window_size(*SIZES["desktop"])
        open_page(browser, server, "lend-money")
        browser.find_element(By.ID, "show-all").click()
        settled(browser)
        choose(browser, "relationship", "family")
        settled(browser)
        before = summary(browser)
        field = browser.find_element(By.ID, "f-amount_share_of_savings")
        dunno = browser.find_element(By.ID, "f-amount_share_of_savings-dunno")
        dunno.click()
        assert dunno.is_selected()
        settled(browser)
        # "I don't know" moves no certainty: the box says so, with no stray "null"
        changes = browser.find_element(By.ID, "changes").text
        assert "recommendation is the same" in changes and "null" not in changes
        field.send_keys("80")
        assert not dunno.is_selected()  # typing a value clears "I don't know"
        settled(browser)
        assert browser.switch_to.active_element == field  # never left the field
        assert summary(browser) != before or "80" in browser.find_element(
            By.ID, "answered").text
        assert "80" in browser.find_element(By.ID, "answered").text

    def test_a_bad_answer_names_the_question(self, server: str, browser: Any) -> None:
        browser.set_window_size(*SIZES["desktop"])
        open_page(browser, server, "lend-money")
        browser.find_element(By.ID, "show-all").click()
        settled(browser)
        choose(browser, "relationship", "friend")
        settled(browser)
        browser.find_element(By.ID, "f-times_asked_before").send_keys("5000")
        settled(browser)
        errors = WebDriverWait(browser, 30).until(
            lambda d: d.find_element(By.ID, "errors").text and d.find_element(By.ID, "errors"))
        assert "How many other times" in errors.text
        assert "times_asked_before" not in errors.text
        axe_clean(browser, "an error")


class TestTheLogOneQuestionAtATime:
    """The follow-up log, asked where `hunch ask` asks it: entries added to a list, Back
    shows them again, and the advice follows them (issue 24)."""

    ENTRIES = (("2026-11-22", "call", True, "2026-11-23"),
               ("2026-11-24", "call", True, "2026-11-25"),
               ("2026-12-01", "email", False, ""))

    def add(self, driver: Any, when: str, kind: str, answered: bool, callback: str) -> None:
        add_entry(driver, "s", when, kind, answered, callback)

    @staticmethod
    def to_the_log(driver: Any, server: str) -> None:
        """The interview's date, then "I don't know" (or the first choice) until the
        consultation asks the follow-up log."""
        open_page(driver, server)
        give_date(driver, "s-interview_date", "2026-11-14")
        driver.find_element(By.ID, "step-next").click()
        settled(driver)
        for _ in range(12):
            if asks(driver) == "follow_ups":
                break
            dunno = driver.find_elements(By.ID, "step-dunno")
            (dunno[0] if dunno else driver.find_element(By.CSS_SELECTOR, ".choice")).click()
            settled(driver)
        assert asks(driver) == "follow_ups"

    def test_add_entries_back_prefills_them_and_the_advice(self, server: str, browser: Any,
                                                           window: str) -> None:
        self.to_the_log(browser, server)
        assert "Your follow-ups since the interview" in \
            browser.find_element(By.ID, "step-q").text
        # the hint names the recommendation the summary shows, as the entries move it
        assert named_in_hint(browser) in summary(browser)
        for entry in self.ENTRIES:
            self.add(browser, *entry)
            settled(browser)
            assert named_in_hint(browser) in summary(browser)
        log = browser.find_element(By.ID, "s-follow_ups-list").text
        assert "22 November 2026: call, answered, call-back promised for 23 November" in log
        assert "1 December 2026: email, not answered" in log
        axe_clean(browser, "the log, three entries")
        if window == "phone":
            no_sideways_scroll(browser)
        # the question alone: the list so far and the entry to add
        browser.execute_script("window.scrollTo(0, 0)")
        os.makedirs(SHOTS, exist_ok=True)
        browser.find_element(By.ID, "step").screenshot(os.path.join(SHOTS, f"{window}-log.png"))

        browser.find_element(By.ID, "step-next").click()  # Done: next question
        settled(browser)
        after = asks(browser) if browser.find_elements(By.ID, "step-set") else None
        assert after != "follow_ups"
        advice = summary(browser)
        answers = browser.find_element(By.ID, "answered").text
        assert "23 November 2026" in answers

        # Back: the log is asked again, with what was entered
        browser.find_element(By.ID, "back").click()
        settled(browser)
        assert asks(browser) == "follow_ups"
        again = browser.find_element(By.ID, "s-follow_ups-list").text
        assert again == log
        axe_clean(browser, "the log after Back")
        # removing one and adding it again keeps the rest
        browser.find_element(By.CSS_SELECTOR, "#s-follow_ups-list li:last-child button").click()
        settled(browser)
        assert "1 December" not in browser.find_element(By.ID, "s-follow_ups-list").text
        assert "24 November" in browser.find_element(By.ID, "s-follow_ups-list").text
        self.add(browser, *self.ENTRIES[-1])
        assert browser.find_element(By.ID, "s-follow_ups-list").text == log
        browser.find_element(By.ID, "step-next").click()
        settled(browser)
        assert (asks(browser) if browser.find_elements(By.ID, "step-set") else None) == after
        assert summary(browser) == advice  # the same log, the same advice

        # the advice after the log is the decision for these answers
        given = browser.execute_script("return state.answers")
        assert len(given["follow_ups"]) == 3
        request = urllib.request.Request(
            f"{server}/v1/decisions/{PACK}", data=json.dumps(
                {"input": given, "as_of": AS_OF}).encode(),
            headers={"Content-Type": "application/json"})
        with urllib.request.urlopen(request, timeout=30) as r:
            decided = json.load(r)
        wait_for(browser, f'#recommendation [data-id="{decided["recommendation"]["id"]}"]')
        assert decided["recommendation"]["title"] in summary(browser)

    def test_back_with_no_change_gives_the_same_log(self, server: str, browser: Any) -> None:
        """Done straight after Back gives the log shown, not an empty one."""
        browser.set_window_size(*SIZES["desktop"])
        self.to_the_log(browser, server)
        self.add(browser, *self.ENTRIES[0])
        browser.find_element(By.ID, "step-next").click()
        settled(browser)
        browser.find_element(By.ID, "back").click()
        settled(browser)
        browser.find_element(By.ID, "step-next").click()
        settled(browser)
        given = browser.execute_script("return state.answers")
        assert len(given["follow_ups"]) == 1
        assert given["follow_ups"][0]["date"] == "2026-11-22"


class TestContradictions:
    """Answers the pack says cannot all hold (issue 23's notice) are named on the page."""

    def test_the_notice_names_the_questions(self, server: str, browser: Any,
                                            window: str) -> None:
        import urllib.parse

        answers = urllib.parse.quote('{"power_light":"dark","self_test_prints":true}')
        open_page(browser, server, "printer-wont-print", answers)
        notice = wait_for(browser, "#contradictions .notice")
        assert "Your answers disagree" in notice.text
        assert "cannot print its own test page" in notice.text
        assert "power_light" not in notice.text  # the questions, not the fact names
        assert "disagree" in summary(browser)
        axe_clean(browser, "a contradiction")
        if window == "phone":
            no_sideways_scroll(browser)


class TestDates:
    """Issue 24 §4: date pickers, the follow-up log, the plan, the draft, the link, print."""

    def test_log_plan_draft_link_and_print(self, server: str, browser: Any,
                                           window: str) -> None:
        open_page(browser, server)
        give_date(browser, "s-interview_date", "2026-11-14")
        browser.find_element(By.ID, "step-next").click()
        settled(browser)
        browser.find_element(By.ID, "show-all").click()
        settled(browser)
        give_date(browser, "f-promised_decision_date", "2026-11-21")
        settled(browser)

        # the follow-up log: a small list you add to
        entries = (("2026-11-23", "call", True, "2026-11-25"),
                   ("2026-11-28", "call", True, "2026-11-30"),
                   ("2026-12-01", "email", False, ""))
        for entry in entries:
            add_entry(browser, "f", *entry)
        log = browser.find_element(By.ID, "f-follow_ups-list").text
        assert "23 November 2026: call, answered, call-back promised for 25 November" in log
        assert "1 December 2026: email, not answered" in log
        choose(browser, "coworker_behavior_change", "ignoring")
        settled(browser)
        wait_for(browser, '#recommendation [data-id="let-it-go"]')
        assert not browser.find_element(By.ID, "draft-box").is_displayed()  # it has none
        axe_clean(browser, "the log and the advice")

        # a deadline: call once more, with the words to say; what the sources weigh
        # against (an email "that never hurts", now) is listed apart, never under
        # "most likely"
        give_date(browser, "f-needs_answer_by_date", "2026-12-12")
        settled(browser)
        wait_for(browser, '#recommendation [data-id="call-once-with-deadline"]')
        against = browser.find_element(By.ID, "against")
        assert against.find_elements(By.CSS_SELECTOR, '[data-id="follow-up-it-never-hurts"]')
        assert "evidence against" in against.text
        for listed in ("hypotheses", "actions"):
            assert "evidence against" not in browser.find_element(By.ID, listed).text

        # the plan as a timeline, the draft with a copy button
        plan = browser.find_elements(By.CSS_SELECTOR, "#plan > li")
        assert plan and plan[0].text.startswith("Now")
        draft = browser.find_element(By.ID, "draft")
        browser.execute_script("arguments[0].scrollIntoView({block: 'center'})", draft)
        assert "I need to know by 2026-12-12" in draft.text
        browser.find_element(By.ID, "copy-draft").click()
        WebDriverWait(browser, 10).until(
            lambda d: d.find_element(By.ID, "copy-status").text == "Copied.")
        # what was copied is the draft: pasted back into a field
        area = browser.find_element(By.ID, "paste-text")
        browser.execute_script("document.getElementById('paste').open = true")
        area.clear()
        area.send_keys(Keys.CONTROL, "v")
        assert area.get_attribute("value") == draft.text
        axe_clean(browser, "the draft and the plan")
        if window == "phone":
            no_sideways_scroll(browser)

        # the link reopens the same answers, from the fragment alone
        link = browser.find_element(By.ID, "share-link").get_attribute("href")
        assert "#" in link and "follow_ups" in link.split("#", 1)[1].replace("%22", "")
        assert "?" not in link  # nothing of the answers in what a server would see
        answers = browser.find_element(By.ID, "answered").text
        browser.get("about:blank")
        browser.get(link)
        wait_for(browser, "#answered dt")
        settled(browser)
        wait_for(browser, '#recommendation [data-id="call-once-with-deadline"]')
        assert browser.find_element(By.ID, "answered").text == answers
        assert browser.find_element(By.ID, "facts").is_displayed()  # as it was left

        # the print view: the answers and the advice, no controls
        browser.execute_cdp_cmd("Emulation.setEmulatedMedia", {"media": "print"})
        try:
            assert not browser.find_element(By.ID, "facts").is_displayed()
            assert not browser.find_element(By.ID, "copy-draft").is_displayed()
            assert browser.find_element(By.ID, "answered").is_displayed()
            assert browser.find_element(By.ID, "recommendation").is_displayed()
        finally:
            browser.execute_cdp_cmd("Emulation.setEmulatedMedia", {"media": ""})


class TestScreenshots:
    """docs/screenshots/: the asker's case (examples/asker-dates.yaml) on a phone and a
    desktop, reopened from its link."""

    ASKER = ('{"interview_date":"2026-11-14","promised_decision_date":"2026-11-21",'
             '"follow_ups":[{"date":"2026-11-23","kind":"call","answered":true,'
             '"callback_promised_for":"2026-11-25"},{"date":"2026-11-28","kind":"call",'
             '"answered":true,"callback_promised_for":"2026-11-30"},'
             '{"date":"2026-12-01","kind":"email"}],"coworker_behavior_change":"ignoring"}')

    def test_screenshots(self, server: str, browser: Any) -> None:
        import urllib.parse

        browser.set_window_size(*SIZES["phone"])
        open_page(browser, server)
        shot(browser, "phone-first-question.png")
        open_page(browser, server, answers=urllib.parse.quote(self.ASKER))
        wait_for(browser, '#recommendation [data-id="let-it-go"]')
        no_sideways_scroll(browser)
        shot(browser, "phone-consult.png")
        browser.execute_script("document.getElementById('recommendation').scrollIntoView();"
                               "window.scrollBy(0, -90)")
        shot(browser, "phone-advice.png")
        # the plan from an earlier day: the advice moves as the follow-ups happen
        browser.get("about:blank")
        open_page(browser, server, answers=urllib.parse.quote(self.ASKER), as_of="2026-11-20")
        steps = browser.find_elements(By.CSS_SELECTOR, "#plan > li")
        assert len(steps) >= 2 and steps[1].text.startswith("From ")
        assert "good support, 0.70" in steps[0].text  # words beside the numbers here too
        # waiting, following up, letting go; the logged follow-ups in their step
        assert steps[2].text.startswith("If no answer by ")
        assert "Logged: call on " in steps[1].text
        # the coworker is a side matter: shown with the advice, never as it
        also = browser.find_element(By.ID, "also")
        assert also.text.startswith("Also: Clear the air with your coworker")
        assert browser.find_element(By.CSS_SELECTOR, '#recommendation .recommended'
                                    ).get_attribute("data-id") == "wait-until-end-of-week"
        browser.execute_script("document.getElementById('plan-box').scrollIntoView();"
                               "window.scrollBy(0, -40)")
        shot(browser, "phone-plan.png")
        open_page(browser, server, answers=urllib.parse.quote(self.ASKER))

        browser.set_window_size(*SIZES["desktop"])
        browser.execute_script("window.scrollTo(0, 0)")
        shot(browser, "desktop.png")
        browser.find_element(By.ID, "show-all").click()
        settled(browser)
        browser.execute_script("document.getElementById('f-follow_ups').scrollIntoView()")
        shot(browser, "desktop-all-questions.png")
        top = browser.find_element(By.CSS_SELECTOR, "#hypotheses > li:first-child")
        how = top.find_element(By.CSS_SELECTOR, "button.how")
        how.send_keys(Keys.ENTER)
        WebDriverWait(browser, 30).until(
            lambda d: top.find_element(By.CSS_SELECTOR, ".tree").is_displayed())
        tree = top.find_element(By.CSS_SELECTOR, ".tree").text
        assert "How:" in tree and "your answer" in tree
        browser.execute_script("arguments[0].scrollIntoView()", top)
        shot(browser, "desktop-how.png")

        # WHY NOT, in sentences: never "failed — 5" or "not (passed)"
        browser.execute_script("document.getElementById('whynot').value = arguments[0]",
                               "call-once-with-deadline")
        browser.find_element(By.ID, "whynot-go").click()
        tree = WebDriverWait(browser, 30).until(
            lambda d: "Why not" in d.find_element(By.ID, "whynot-tree").text
            and d.find_element(By.ID, "whynot-tree"))
        browser.execute_script("document.querySelector('#whynot-tree details').open = true")
        text = tree.text
        assert "this did not apply" in text and "does not hold" in text
        for raw in ("failed", "passed", "not (", " — ", "_"):
            assert raw not in text, raw
        browser.execute_script("arguments[0].scrollIntoView()", tree)
        shot(browser, "desktop-whynot.png")

        # the draft, when the advice is to write or call
        deadline = self.ASKER[:-1] + ',"needs_answer_by_date":"2026-12-12"}'
        open_page(browser, server, answers=urllib.parse.quote(deadline))
        wait_for(browser, '#recommendation [data-id="call-once-with-deadline"]')
        browser.execute_script("document.getElementById('recommendation').scrollIntoView()")
        shot(browser, "desktop-draft.png")
        browser.set_window_size(*SIZES["phone"])
        browser.execute_script("document.getElementById('draft-box').scrollIntoView();"
                               "window.scrollBy(0, -140)")
        no_sideways_scroll(browser)
        shot(browser, "phone-draft.png")
