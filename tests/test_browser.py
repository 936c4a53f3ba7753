"""The web app in headless Chromium: Debian's /usr/bin/chromium driven by Playwright for
Python (no browser download). Types a question, watches the answer stream in with a
citation, opens the cited passage, rates an answer, takes the quiz, carries a role into
the chat and looks at the comparison; screenshots go to test-artifacts/ at desktop and
mobile widths. Runs against `python ui.py` with the fake LLM and keyword embeddings.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from test_ui_client import REPO, AppServer, app_env, ingest, start_app

from assistant.feedback import FeedbackStore

pytestmark = pytest.mark.browser

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
SHOTS = REPO / "test-artifacts"
VIEWPORTS = {"desktop": {"width": 1280, "height": 800}, "mobile": {"width": 390, "height": 844}}
UK_QUESTION = "Why is a Machine Learning Engineer in the UK well paid?"  # an open question: the model path
PROBE_QUESTION = "What is on the zebrafish checklist of skills and code?"
# A guide file with HTML in it: it must show as text and never run.
PROBE_FILE = """---
title: Zebrafish checklist
---

# Zebrafish checklist

## Zebrafish checklist

Zebrafish checklist <img src=x onerror="window.__pwned=1"> skills code
<script>window.__pwned=2</script> portfolio.

- Keep the zebrafish checklist of skills and code beside your portfolio <b>in bold</b>.
"""
WATCH_ANSWERS = """() => {
  window.__seen = [];
  new MutationObserver(() => {
    const bots = document.querySelectorAll('#chatbot [data-testid="bot"]');
    const last = bots[bots.length - 1];
    if (last) window.__seen.push(last.innerText);
  }).observe(document.querySelector('#chatbot'), {subtree: true, childList: true, characterData: true});
}"""


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[AppServer, Path]]:
    """The app over a copy of corpus/ plus one file with HTML in it."""
    home = tmp_path_factory.mktemp("browser")
    corpus = home / "corpus"
    shutil.copytree(REPO / "corpus", corpus)
    (corpus / "zz-html-probe.md").write_text(PROBE_FILE, encoding="utf-8")
    env = app_env(home / "data", corpus)
    ingest(env, home, corpus)
    server = start_app(env, home)
    yield server, home / "data"
    server.stop()


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    if not CHROMIUM.exists():
        pytest.skip(f"{CHROMIUM} is missing: install Debian's chromium (`apt-get install -y chromium`, "
                    "or `make browser-deps`) to run the browser tests")
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture(params=list(VIEWPORTS))
def page(request: pytest.FixtureRequest, browser: Any, served: tuple[AppServer, Path]) -> Iterator[Any]:
    """A fresh page (its own session) at one viewport; fails the test if it fetched anything
    from outside the machine."""
    server, _ = served
    context = browser.new_context(viewport=VIEWPORTS[request.param])
    pg = context.new_page()
    pg.device = request.param
    outside: list[str] = []
    pg.on("request", lambda r: outside.append(r.url)
          if not r.url.startswith((server.url, "data:", "blob:")) else None)
    pg.goto(server.url, wait_until="load")
    pg.wait_for_selector("#question textarea", timeout=60_000)
    pg.wait_for_function("document.querySelector('#status-line').innerText.includes('Ready')", timeout=60_000)
    yield pg
    context.close()
    assert outside == [], f"requests left the machine: {outside}"


def shot(page: Any, name: str, full_page: bool = False) -> None:
    SHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{page.device}-{name}.png"), full_page=full_page)


def send(page: Any, question: str) -> None:
    page.fill("#question textarea", question)
    page.keyboard.press("Enter")


def bot_messages(page: Any) -> Any:
    return page.locator('#chatbot [data-testid="bot"]')


def in_viewport(page: Any, selector: str) -> bool:
    return bool(page.evaluate("""(sel) => { const r = document.querySelector(sel).getBoundingClientRect();
        return r.top < window.innerHeight && r.bottom > 0; }""", selector))


def test_chat_streams_a_cited_answer_and_a_citation_opens_its_passage(page: Any) -> None:
    shot(page, "1-start")
    page.evaluate(WATCH_ANSWERS)

    send(page, UK_QUESTION)
    first = bot_messages(page).nth(0)
    first.locator("a.cite").first.wait_for(timeout=60_000)

    seen = page.evaluate("window.__seen")
    assert any("Searching the guide" in s for s in seen)  # the question showed at once
    assert any(s.strip().endswith("▌") for s in seen)  # the answer streamed in
    assert "Machine Learning Engineer" in first.inner_text()
    assert page.locator("#textbox, #question textarea").first.input_value() == ""

    passage = "#src-0-1"
    first.locator("a.cite").first.click()
    page.wait_for_function(f"document.querySelector('{passage}').open === true", timeout=10_000)
    page.wait_for_timeout(700)  # the smooth scroll
    assert in_viewport(page, passage)
    text = page.locator(passage).inner_text()
    assert "Machine Learning Engineer / Salary range" in text and "£60,000 – £130,000" in text
    shot(page, "2-answer-and-source")

    send(page, "And in the US?")
    page.locator("#src-1-1").wait_for(state="attached", timeout=60_000)
    second = bot_messages(page).nth(1)
    second.locator("a.cite").first.wait_for(timeout=60_000)
    assert "Machine Learning Engineer" in page.locator("#src-1-1").inner_text()
    assert "$120,000" in page.locator("#src-1-1").inner_text()
    shot(page, "3-follow-up")


def test_html_in_a_guide_file_is_shown_as_text_and_never_runs(page: Any) -> None:
    send(page, PROBE_QUESTION)
    page.locator("#src-0-1").wait_for(state="attached", timeout=60_000)
    bot_messages(page).nth(0).locator("a.cite").first.wait_for(timeout=60_000)
    page.wait_for_timeout(500)

    assert page.evaluate("window.__pwned") is None
    assert page.locator('img[src="x"]').count() == 0
    assert '<img src=x onerror="window.__pwned=1">' in page.locator("#src-0-1").inner_text()
    assert '<img src=x onerror="window.__pwned=1">' in bot_messages(page).nth(0).inner_text()
    assert "<script>window.__pwned=2</script>" in page.locator("#src-0-1").inner_text()


def test_feedback_on_an_answer_is_stored_with_a_comment(page: Any, served: tuple[AppServer, Path]) -> None:
    _, data_dir = served
    send(page, UK_QUESTION)
    bot_messages(page).nth(0).locator("a.cite").first.wait_for(timeout=60_000)
    comment = f"wrong region ({page.device})"

    page.locator('#chatbot button[aria-label="Dislike"]').first.click()
    page.locator("#feedback-comment textarea").wait_for(timeout=20_000)
    page.fill("#feedback-comment textarea", comment)
    page.click("#feedback-send")
    page.get_by_text("Comment saved. Thank you!").wait_for(timeout=20_000)
    shot(page, "4-feedback")

    rows = [r for r in FeedbackStore(data_dir / "feedback.sqlite3").all() if r["comment"] == comment]
    assert len(rows) == 1
    row = rows[0]
    assert row["rating"] == -1 and row["question"] == UK_QUESTION
    assert row["sources"][0]["section"] == "Machine Learning Engineer / Salary range"

    page.click("#clear")
    page.wait_for_function("document.querySelectorAll('#chatbot [data-testid=\"bot\"]').length === 0",
                           timeout=20_000)


def test_quiz_shows_ranked_cards_and_carries_a_role_into_the_chat(page: Any) -> None:
    page.click("#tab-path-button")
    page.locator("#quiz-code").get_by_label("Yes").check()
    page.locator("#quiz-research").get_by_label("No").check()
    page.locator("#quiz-stakeholders").get_by_label("No").check()
    page.locator("#quiz-background input").click()
    page.get_by_role("option", name="Software engineer").click()
    page.fill("#quiz-skills textarea, #quiz-skills input", "Python, Docker")
    page.locator("#quiz-region").get_by_label("UK").check()
    page.click("#quiz-go")

    card = page.locator("#card-0 .role-card")
    card.wait_for(timeout=30_000)
    assert page.locator(".role-card").count() == 3
    assert "Machine Learning Engineer" in card.locator("h3").inner_text()
    assert card.locator(".fit-bar > span").get_attribute("style") == "width:100%"
    assert "£60,000 – £130,000" in card.inner_text() and "How to break in" in card.inner_text()
    card.scroll_into_view_if_needed()
    shot(page, "5-quiz-cards")

    cite = card.locator("a.cite").first
    target = cite.get_attribute("href")
    cite.click()
    page.wait_for_function(f"document.querySelector('{target}').open === true", timeout=10_000)
    assert "Machine Learning Engineer" in page.locator(str(target)).inner_text()

    page.click("#ask-role-0")
    page.wait_for_selector('#tab-chat-button[aria-selected="true"]', timeout=20_000)
    answer = bot_messages(page).nth(0)
    answer.locator("a.cite").first.wait_for(timeout=60_000)
    asked = page.locator('#chatbot [data-testid="user"]').nth(0).inner_text()
    assert asked == "What are the day-to-day tasks of a Machine Learning Engineer?"
    assert "Day-to-day tasks" in page.locator("#src-0-1").inner_text()
    shot(page, "6-ask-about-role")


def test_compare_tab_draws_the_salary_chart_and_two_roles_side_by_side(page: Any) -> None:
    page.click("#tab-compare-button")
    image = page.locator("#salary-chart img")
    image.wait_for(timeout=30_000)
    page.wait_for_function("document.querySelector('#salary-chart img').naturalWidth > 500", timeout=30_000)
    rows = page.locator("#compare .cmp-row")
    assert rows.count() == 6
    text = page.locator("#compare").inner_text()
    assert "Machine Learning Engineer" in text and "Data Scientist" in text and "£50,000 – £100,000" in text
    shot(page, "7-compare", full_page=True)
