"""The web app's logic without Gradio: chat streaming and errors, citations and sources
(escaped), feedback, quiz cards, the salary chart and the comparison."""

from __future__ import annotations

import html
import io
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest

from assistant import webapp
from assistant.chain import AnswerResult, Assistant, StreamEvent, build_assistant
from assistant.feedback import FeedbackStore
from assistant.roles import load_roles
from assistant.webapp import ChatTurn, LazyAssistant
from core.errors import BackendUnavailable, IndexMissing
from core.settings import Settings

SCRIPT = "<script>window.pwned = 1</script>"
IMG = '<img src=x onerror="window.pwned=1">'
MISSING = "no index of the guide in data/chroma: build it with `career-assistant ingest`"
SERVER_DOWN = "the OpenAI-compatible server at http://127.0.0.1:9/v1 is not answering"


@pytest.fixture
def assistant(keyword_index) -> Assistant:
    # The chat tests stream a model answer to a yes/no question; quoting is tested in test_chain.
    return build_assistant(keyword_index.settings.model_copy(update={"yes_no_answers": "model"}))


@pytest.fixture
def source(keyword_index, assistant: Assistant) -> LazyAssistant:
    return LazyAssistant(keyword_index.settings, build=lambda s: assistant)


@pytest.fixture
def roles(project_corpus: Path) -> dict:
    return load_roles(project_corpus)


def run(source: LazyAssistant, question: object,
        turns: list[ChatTurn] | None = None) -> list[webapp.ChatView]:
    return list(webapp.stream_chat(source, question, turns or []))


class _Scripted:
    """An Assistant stand-in whose stream is scripted (or fails)."""

    def __init__(self, events: list[StreamEvent] | Exception, settings: Settings) -> None:
        self.events = events
        self.settings = settings
        self.calls = 0

    def clean_question(self, question: str) -> str:
        return Assistant.clean_question(self, question)  # type: ignore[arg-type]

    def stream(self, question: str, history: list[dict] | None = None) -> Iterator[StreamEvent]:
        self.calls += 1
        if isinstance(self.events, Exception):
            raise self.events
        yield from self.events


def _result(answer: str, sources: list[dict], **kw: object) -> AnswerResult:
    return AnswerResult(answer=answer, sources=sources, declined=False, latency_s=0.1, **kw)  # type: ignore[arg-type]


# --------------------------------------------------------------------------- chat


def test_chat_streams_the_answer_then_ends_with_sources_and_citation_links(source: LazyAssistant) -> None:
    views = run(source, "Why is a Machine Learning Engineer in the UK well paid?")

    assert len(views) >= 3  # the question at once, streamed pieces, the final answer
    first, last = views[0], views[-1]
    assert first.messages[-1]["content"] == '<span class="thinking">Searching the guide…</span>'
    assert any(v.messages[-1]["content"].endswith("▌") for v in views[1:-1])
    assert last.done and last.result is not None
    assert last.result["mode"] == "llm"
    assert any("Salary range" in s["section"] for s in last.result["sources"])
    answer = last.messages[-1]["content"]
    assert '<a class="cite" href="#src-0-1"' in answer
    assert "Sources: " in answer and "Machine Learning Engineer / Salary range" in answer
    assert 'id="src-0-1"' in last.sources_html
    assert "£60,000" in last.sources_html
    assert last.turns[0].question == "Why is a Machine Learning Engineer in the UK well paid?"


def test_follow_up_uses_the_conversation(source: LazyAssistant) -> None:
    first = run(source, "What does a Machine Learning Engineer earn in the UK?")[-1]
    follow = run(source, "And in the US?", first.turns)[-1]

    assert follow.result is not None
    assert "Machine Learning Engineer" in follow.result["query"]
    assert follow.result["sources"][0]["section"] == "Machine Learning Engineer / Salary range"
    assert len(follow.messages) == 4
    # Each answer's passages keep their own ids; the latest answer's group is open.
    assert 'id="src-1-1"' in follow.sources_html and 'id="src-0-1"' in follow.sources_html
    assert follow.sources_html.index("src-turn-1") < follow.sources_html.index("src-turn-0")
    assert 'id="src-turn-1" open' in follow.sources_html


def test_history_sent_to_the_chain_holds_answers_not_error_messages() -> None:
    turns = [ChatTurn("q1", "a1 [1]", mode="llm"), ChatTurn("", "⚠ the question is empty", mode="error"),
             ChatTurn("q2", "a2", mode="declined")]
    assert webapp.history_of(turns) == [
        {"role": "user", "content": "q1"}, {"role": "assistant", "content": "a1 [1]"},
        {"role": "user", "content": "q2"}, {"role": "assistant", "content": "a2"}]


def test_out_of_scope_question_is_declined_politely(source: LazyAssistant) -> None:
    last = run(source, "What is the capital of France?")[-1]

    assert last.result is not None and last.result["declined"]
    text = last.messages[-1]["content"]
    assert "AI careers" in text and "Machine Learning Engineer" in text  # says what the guide covers
    assert last.turns[-1].sources == []


@pytest.mark.parametrize(("question", "expected"), [
    ("", "empty"),
    ("   \n\t ", "empty"),
    ("x" * 100_000, "100,000 characters"),
    ("\x00\x01\x02\x1b", "empty"),
    (None, "must be text"),
])
def test_bad_input_becomes_a_message_in_the_chat(source: LazyAssistant, question: object,
                                                 expected: str) -> None:
    views = run(source, question)

    last = views[-1]
    assert last.done and last.result is None
    reply = last.messages[-1]["content"]
    assert reply.startswith("⚠") and expected in reply
    assert "Traceback" not in reply
    shown = last.messages[-2]["content"]
    assert len(shown) < 400  # a huge question is not echoed whole
    assert "\x00" not in shown
    assert last.turns[-1].mode == "error"


def test_control_characters_are_dropped_from_a_real_question(source: LazyAssistant) -> None:
    last = run(source, "What does a Data\x00 Scientist\x1b earn in the US?")[-1]
    assert last.result is not None
    assert last.turns[-1].question == "What does a Data Scientist earn in the US?"


def test_missing_index_is_one_line_and_the_app_recovers_on_the_next_question(
        settings: Settings, assistant: Assistant) -> None:
    attempts: list[int] = []

    def build(s: Settings) -> Assistant:
        attempts.append(1)
        if len(attempts) == 1:
            raise IndexMissing(MISSING)
        return assistant

    source = LazyAssistant(settings, build=build)
    failed = run(source, "What does a Data Scientist earn?")[-1]
    assert failed.messages[-1]["content"] == f"⚠ {MISSING}"
    assert source.state == "failed"
    assert "career-assistant ingest" in source.status_line()

    ok = run(source, "What does a Data Scientist earn?", failed.turns)[-1]
    assert ok.result is not None and ok.result["sources"]
    assert len(attempts) == 2
    assert source.state == "ready"
    assert "Ready" in source.status_line()


def test_backend_error_is_one_line_and_the_next_question_works(settings: Settings) -> None:
    down = _Scripted(BackendUnavailable(SERVER_DOWN), settings)
    source = LazyAssistant(settings, build=lambda s: down)  # type: ignore[arg-type,return-value]

    failed = run(source, "What does an MLOps engineer do?")[-1]
    assert failed.messages[-1]["content"].startswith("⚠ the OpenAI-compatible server")
    assert "\n" not in failed.messages[-1]["content"]
    assert "Not ready" in source.status_line()

    src = [{"id": 1, "source": "corpus/mlops-engineer.md", "section": "MLOps / Day-to-day tasks",
            "text": "t"}]
    down.events = [StreamEvent(token="Pipelines [1]"), StreamEvent(result=_result("Pipelines [1]", src))]
    ok = run(source, "What does an MLOps engineer do?", failed.turns)[-1]
    assert ok.result is not None and ok.result["answer"] == "Pipelines [1]"
    assert "Not ready" not in source.status_line()


def test_unexpected_error_is_a_message_and_the_assistant_is_rebuilt(settings: Settings) -> None:
    broken = _Scripted(RuntimeError("chroma collection vanished"), settings)
    builds: list[int] = []

    def build(s: Settings):
        builds.append(1)
        return broken

    source = LazyAssistant(settings, build=build)  # type: ignore[arg-type]
    last = run(source, "What does an MLOps engineer do?")[-1]
    assert "Something went wrong while answering (RuntimeError)" in last.messages[-1]["content"]
    run(source, "What does an MLOps engineer do?")
    assert len(builds) == 2


def test_replace_event_swaps_the_text_shown_so_far(settings: Settings) -> None:
    src = [{"id": 1, "source": "x.md", "section": "Data Scientist / Salary range", "text": "UK: £50,000"}]
    scripted = _Scripted([StreamEvent(token="It pays £999"), StreamEvent(token="Quoted: UK: £50,000 [1]",
                                                                         replace=True),
                          StreamEvent(result=_result("Quoted: UK: £50,000 [1]", src, mode="extractive"))],
                         settings)
    source = LazyAssistant(settings, build=lambda s: scripted)  # type: ignore[arg-type,return-value]

    views = run(source, "What does a data scientist earn?")
    assert "£999" in views[1].messages[-1]["content"]
    assert "£999" not in views[2].messages[-1]["content"]
    final = views[-1].messages[-1]["content"]
    assert "£999" not in final and "Quoted from the guide" in final


def test_notice_is_shown_under_the_answer(settings: Settings) -> None:
    src = [{"id": 1, "source": "x.md", "section": "S", "text": "t"}]
    scripted = _Scripted([StreamEvent(result=_result("> t [1]", src, mode="fallback",
                                                     notice="The language model is unavailable right now"))],
                         settings)
    source = LazyAssistant(settings, build=lambda s: scripted)  # type: ignore[arg-type,return-value]
    final = run(source, "q about AI careers")[-1].messages[-1]["content"]
    assert "Note: The language model is unavailable right now" in final


# --------------------------------------------------------------------------- escaping


def test_html_in_an_answer_or_a_question_is_shown_as_text() -> None:
    turn = ChatTurn(f"Hi {SCRIPT}", f"Answer {SCRIPT} & {IMG} [1]", mode="llm",
                    sources=[{"id": 1, "source": "a.md", "section": f"S {IMG}", "text": "t"}])

    user, reply = webapp.chat_messages([turn])
    assert "<script>" not in user["content"] and "&lt;script>" in user["content"]
    assert "<script>" not in reply["content"] and "<img" not in reply["content"]
    assert "&amp;" in reply["content"]
    assert '<a class="cite" href="#src-0-1"' in reply["content"]  # our own markup stays


def test_guide_passages_in_the_sources_panel_are_escaped() -> None:
    turn = ChatTurn("q", "a [1]", mode="llm", sources=[
        {"id": 1, "source": f"corpus/{IMG}.md", "section": f"Role / {SCRIPT}",
         "text": f"Passage {IMG}\n{SCRIPT}"}])

    panel = webapp.sources_panel_html([turn])

    assert "<script" not in panel and "<img" not in panel
    assert "&lt;script&gt;window.pwned = 1&lt;/script&gt;" in panel
    # Jinja2's autoescape writes a quote as &#34; (html.escape wrote &quot;): the same text.
    assert "&lt;img src=x onerror=&#34;window.pwned=1&#34;&gt;" in panel
    assert f"Passage {IMG}" in html.unescape(panel)


def test_markdown_blockquotes_of_extractive_answers_still_render() -> None:
    turn = ChatTurn("q", "Here is what the guide says:\n\n> UK: £50,000 [1]", mode="extractive",
                    sources=[{"id": 1, "source": "a.md", "section": "S", "text": "t"}])
    assert "\n> UK: £50,000 " in webapp.answer_markdown(turn, 0)


def test_only_known_citations_become_links() -> None:
    text = webapp.link_citations("A [1], B [7] and [2].", "src-3", {1, 2}, {1: 'Sec "one"'})
    assert text == ('A <a class="cite" href="#src-3-1" title="Sec &#34;one&#34;">[1]</a>, B [7] and '
                    '<a class="cite" href="#src-3-2" title="">[2]</a>.')


def test_empty_sources_panel_explains_what_appears_there() -> None:
    assert "Click a citation" in webapp.sources_panel_html([])


# --------------------------------------------------------------------------- feedback


def test_thumbs_down_is_stored_with_question_answer_sources_and_history(tmp_path: Path) -> None:
    store = FeedbackStore(tmp_path / "fb.sqlite3")
    src = [{"id": 1, "source": "a.md", "section": "ML Engineer / Salary range", "text": "UK: £60,000"}]
    turns = [ChatTurn("What does an MLE earn in the UK?", "£60,000 [1]", src, mode="llm"),
             ChatTurn("And in the US?", "£60,000 [1]", src, mode="llm")]

    turns2, target, note = webapp.rate_answer(store, turns, 3, liked=False)  # message 3 = answer 2

    assert target == 1 and "What was wrong" in note
    assert turns[1].feedback_id is None  # the session's old state is not mutated
    row = store.get(turns2[1].feedback_id or 0)
    assert row is not None
    assert (row["question"], row["answer"], row["rating"]) == ("And in the US?", "£60,000 [1]", -1)
    assert row["sources"] == src
    assert row["history"] == [{"role": "user", "content": "What does an MLE earn in the UK?"},
                              {"role": "assistant", "content": "£60,000 [1]"}]

    assert webapp.comment_on_answer(store, turns2, target, "should be dollars") == "Comment saved. Thank you!"
    assert store.get(turns2[1].feedback_id or 0)["comment"] == "should be dollars"  # type: ignore[index]

    turns3, _, _ = webapp.rate_answer(store, turns2, 3, liked=True)  # changed their mind
    assert len(store.all()) == 1 and store.all()[0]["rating"] == 1
    turns4, target, note = webapp.rate_answer(store, turns3, 3, liked=None)  # undone
    assert store.all() == [] and target is None and turns4[1].feedback_id is None


def test_error_messages_cannot_be_rated(tmp_path: Path) -> None:
    store = FeedbackStore(tmp_path / "fb.sqlite3")
    turns = [ChatTurn("", "⚠ empty", mode="error")]
    _, target, note = webapp.rate_answer(store, turns, 1, liked=False)
    assert target is None and "Only answers" in note and store.all() == []
    assert "first" in webapp.comment_on_answer(store, turns, None, "hello")


# --------------------------------------------------------------------------- quiz cards


def test_quiz_ranks_roles_and_renders_cards_with_fit_bar_salary_skills_and_citations(roles: dict) -> None:
    view = webapp.quiz_view(roles, "Yes", "No", "No", "Software engineer", "Python, docker", "UK")

    assert [c.role for c in view.cards][:2] == ["Machine Learning Engineer",
                                                "MLOps / AI Infrastructure Engineer"]
    card = view.cards_html[0]
    assert '<div class="fit-bar" role="meter"' in card and 'style="width:100%"' in card
    assert "£60,000 – £130,000" in card and "$120,000" not in card  # the region's salary only
    assert "Skills to learn" in card and "Strong programming in Python" not in card  # has Python already
    assert "How to break in" in card
    assert 'href="#src-quiz-1"' in card
    assert 'id="src-quiz-1"' in view.sources_html
    assert view.data["roles"][0]["role"] == "Machine Learning Engineer"
    assert "region: UK" in view.intro_html


def test_unanswered_quiz_questions_do_not_move_the_ranking(roles: dict) -> None:
    answered = webapp.quiz_view(roles, "No", None, None, "Writer/communications", "", "Any region")
    assert answered.cards[0].role == "Prompt Engineer / AI Solutions Specialist"
    answers = webapp.quiz_answers(None, "Yes", None, "Other", None, None)
    assert answers.unanswered == ("code", "stakeholders") and answers.region is None


def test_quiz_rejects_an_unknown_region(roles: dict) -> None:
    from core.errors import BadInput

    with pytest.raises(BadInput, match="region"):
        webapp.quiz_view(roles, "Yes", "Yes", "Yes", "Other", "", "Mars")


def test_card_html_escapes_guide_text(roles: dict) -> None:
    view = webapp.quiz_view(roles, "Yes", "No", "No", "Software engineer", "", None)
    card = replace(view.cards[0], role=f"Evil {SCRIPT}", why=f"Why {IMG}", break_in=SCRIPT)
    html = webapp.card_html(card, 1)
    assert "<script" not in html and "<img" not in html and "&lt;script&gt;" in html


def test_parse_skills_splits_and_deduplicates() -> None:
    assert webapp.parse_skills("Python, SQL;python\n docker ,") == ("Python", "SQL", "docker")
    assert webapp.parse_skills(None) == ()


# --------------------------------------------------------------------------- compare


def test_salary_bars_cover_each_region_and_place_track_ranges_by_currency(roles: dict) -> None:
    bars = webapp.salary_bars(roles)

    uk = {b.label: (b.low, b.high) for b in bars if b.region == "uk"}
    assert uk["Machine Learning Engineer"] == (60_000, 130_000)
    assert {b.region for b in bars} == {"uk", "us", "global"}
    safety = [b for b in bars if b.role == "AI Safety & Ethics Researcher"]
    assert {(b.region, b.track) for b in safety} == {("us", True), ("uk", True)}
    assert all(not b.track for b in bars if b.role != "AI Safety & Ethics Researcher")
    assert [b.region for b in webapp.salary_bars(roles, ["global"])] == ["global"]
    assert webapp.salary_bars(roles, [], None) == []
    assert {b.role for b in webapp.salary_bars(roles, None, ["Data Scientist"])} == {"Data Scientist"}


def test_salary_chart_is_a_real_plot_with_a_panel_per_region(roles: dict) -> None:
    fig = webapp.salary_chart(roles)

    titles = [ax.get_title(loc="left") for ax in fig.axes]
    assert titles == ["UK", "US", "Global tech hubs (Berlin, Toronto, Singapore)"]
    uk = fig.axes[0]
    labels = [t.get_text() for t in uk.get_yticklabels()]
    assert "Machine Learning Engineer" in labels
    texts = [t.get_text() for t in uk.texts]
    assert "£60k–£130k" in texts
    assert r"\$120k–\$250k+" in [t.get_text() for t in fig.axes[1].texts]  # "$" escaped from mathtext
    buf = io.BytesIO()
    fig.savefig(buf, format="png")
    assert buf.getvalue()[:8] == b"\x89PNG\r\n\x1a\n"


def test_salary_chart_with_nothing_selected_says_so(roles: dict) -> None:
    fig = webapp.salary_chart(roles, [], [])
    assert "pick at least one role" in fig.axes[0].texts[0].get_text()


def test_comparison_and_error_lines_escape_role_and_user_text(roles: dict) -> None:
    first, second = webapp.profiled_roles(roles)[:2]
    evil = {SCRIPT: replace(roles[first], title=SCRIPT, suits=IMG), second: roles[second]}
    page = webapp.comparison_html(evil, SCRIPT, second) + webapp.error_html(f"unknown role {SCRIPT}")
    assert "<script" not in page and "<img" not in page
    assert page.count("&lt;script&gt;window.pwned = 1&lt;/script&gt;") == 8  # head, 6 row tags, error


def test_comparison_puts_two_roles_side_by_side(roles: dict) -> None:
    rows = webapp.comparison_rows(roles["Machine Learning Engineer"], roles["Data Scientist"])
    by_label = {r["label"]: r for r in rows}
    assert [r["label"] for r in rows][0] == "In short"
    salary = by_label["Salary (the guide's 2026 estimates)"]
    assert "UK: £60,000 – £130,000" in salary["a"] and "US: $100,000 – $200,000" in salary["b"]
    assert "Strong programming in Python" in by_label["Skills"]["a"]

    html = webapp.comparison_html(roles, "Machine Learning Engineer", "Data Scientist")
    assert html.count('class="cmp-row"') == len(rows)
    assert "machine-learning-engineer.md" in html and "data-scientist.md" in html
    assert "Pick two roles" in webapp.comparison_html(roles, "Machine Learning Engineer", None)


def test_profiled_roles_are_the_detailed_ones(roles: dict) -> None:
    names = webapp.profiled_roles(roles)
    assert "Machine Learning Engineer" in names and "Data Engineer" not in names
    assert len(names) == 7


# --------------------------------------------------------------------------- page assets


def test_page_assets_are_inline_and_fetch_nothing(tmp_path: Path) -> None:
    head, css = webapp.page_head(), webapp.page_css()
    assert head.startswith("<script>") and "src=" not in head
    for text in (head, css):
        assert "http://" not in text and "https://" not in text and "@import" not in text


def test_status_before_building_does_not_build(settings: Settings) -> None:
    calls: list[int] = []
    source = LazyAssistant(settings, build=lambda s: calls.append(1))  # type: ignore[arg-type,func-returns-value]
    assert "first question" in source.status_line()
    assert calls == []


# --------------------------------------------------------------------------- ui.py wiring


def test_app_binds_loopback_without_share_or_external_fonts(settings: Settings) -> None:
    import gradio as gr

    import ui

    options = ui.launch_options(settings)

    assert options["server_name"] == "127.0.0.1" and options["server_port"] == 7860
    assert options["share"] is False and options["auth"] is None
    fonts = [*options["theme"].font, *options["theme"].font_mono]
    assert not any(isinstance(f, gr.themes.GoogleFont) for f in fonts)
    assert "@import" not in options["theme"]._get_theme_css()


def test_password_needs_both_user_and_password(settings: Settings) -> None:
    from pydantic import SecretStr

    import ui
    from core.errors import ConfigError

    both = settings.model_copy(update={"host": "0.0.0.0", "auth_user": "ann",
                                       "auth_password": SecretStr("pw")})
    assert ui.launch_options(both)["auth"] == ("ann", "pw")
    with pytest.raises(ConfigError, match="CAREER_AUTH_PASSWORD"):
        ui.launch_options(settings.model_copy(update={"auth_user": "ann"}))


def test_build_ui_queues_answers_at_the_configured_concurrency_and_needs_no_index(settings: Settings) -> None:
    import ui

    built: list[int] = []
    source = LazyAssistant(settings, build=lambda s: built.append(1))  # type: ignore[arg-type,func-returns-value]
    demo = ui.build_ui(settings.model_copy(update={"concurrency": 3}), source)

    assert demo._queue.default_concurrency_limit == 3
    assert built == []  # nothing is loaded until a question (or the warm-up) needs it
    names = {d.api_name for d in demo.fns.values() if d.api_visibility == "public"}
    assert {"ask", "find_path", "clear", "status", "salary_chart", "compare"} <= names


def test_status_for_an_index_built_by_another_model_says_to_rebuild(settings: Settings) -> None:
    def build(s: Settings) -> Assistant:
        raise IndexMissing("the index was built with embedding model 'keyword-fake' but the assistant is "
                           "using 'all-MiniLM-L6-v2'; rebuild it with `career-assistant ingest --reset`")

    source = LazyAssistant(settings, build=build)
    run(source, "What does a Data Scientist earn?")
    status = source.status_line()
    assert "cannot be used" in status and "ingest --reset" in status
