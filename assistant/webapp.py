"""What the web app shows, built without Gradio: chat turns and their sources, role cards,
the salary chart and the side-by-side comparison. ui.py only wires these to components.

Everything taken from the guide or typed by a person is HTML-escaped here, so a guide file
or a question containing HTML is shown as text and cannot run in the page.
"""

from __future__ import annotations

import html
import logging
import re
import threading
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from assistant import lexicon
from assistant.errors import BackendUnavailable, BadInput, CareerAssistantError, ConfigError, IndexMissing
from assistant.settings import Settings

if TYPE_CHECKING:
    from assistant.plan import Library
    from matplotlib.figure import Figure

    from assistant.chain import Assistant
    from assistant.feedback import FeedbackStore
    from assistant.quiz import QuizAnswers
    from assistant.recommend import RoleCard
    from assistant.roles import RoleFacts

logger = logging.getLogger(__name__)

TITLE = "AI Career Assistant"
INTRO = (
    "Ask about AI careers (roles, skills, salaries by region, how to break in) and get answers "
    "from the AI career guide, with citations you can open. Take the guide's quiz to find your "
    "path, or compare roles side by side. Everything runs on this machine."
)
EXAMPLE_QUESTIONS: tuple[str, ...] = (
    "What does a Machine Learning Engineer earn in the UK?",
    "What skills does an MLOps engineer need?",
    "What does an AI Product Manager do day to day?",
    "How do I break in as a Prompt Engineer?",
)
FOLLOW_UP_HINT = 'Ask a follow-up such as "And in the US?" or "What skills does it need?"'
ASK_ABOUT_ROLE = "What are the day-to-day tasks of a {role}?"
SOURCES_PLACEHOLDER = (
    "The guide passages behind each answer appear here. Click a citation such as [1] in an "
    "answer to open its passage."
)
YES, NO = "Yes", "No"
ANY_REGION = "Any region"
REGION_CHOICES: dict[str, str | None] = {
    ANY_REGION: None, "UK": "uk", "US": "us", "Global tech hubs": "global"}
CHART_REGIONS: dict[str, str] = {
    "uk": "UK", "us": "US", "global": "Global tech hubs (Berlin, Toronto, Singapore)"}
_SYMBOL = {"GBP": "£", "USD": "$", "EUR": "€"}
PREVIEW_CHARS = 280
MAX_SKILLS = 20
_CITATION = re.compile(r"\[(\d{1,3})\]")
CONTROL_CHARS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_ROLE_COLORS = ("#4f46e5", "#0891b2", "#059669", "#d97706", "#dc2626", "#7c3aed", "#db2777", "#65a30d",
                "#0d9488", "#ea580c")


# --------------------------------------------------------------------------- the assistant, built lazily


class LazyAssistant:
    """Builds the Assistant on first use, and again after a failure.

    The app therefore starts without an index or a running model server, says what is
    missing, and recovers by itself on the next question once the problem is fixed.
    """

    def __init__(self, settings: Settings, build: Callable[[Settings], Assistant] | None = None) -> None:
        self.settings = settings
        self._build = build
        self._assistant: Assistant | None = None
        self._error: CareerAssistantError | None = None
        self._building = False
        self._warming = False
        self._lock = threading.Lock()
        self.ready_at: float | None = None  # time.time() when the last warm-up finished

    def get(self) -> Assistant:
        """The assistant; builds it (once, under a lock) when there is none yet."""
        assistant = self._assistant
        if assistant is not None:
            return assistant
        with self._lock:
            if self._assistant is not None:
                return self._assistant
            self._building = True
            try:
                build = self._build or _default_build
                self._assistant = build(self.settings)
                self._error = None
                return self._assistant
            except CareerAssistantError as exc:
                self._error = exc
                raise
            except Exception as exc:  # an unexpected failure still becomes a one-line message
                logger.exception("building the assistant failed")
                self._error = BackendUnavailable(
                    f"the assistant could not start ({type(exc).__name__}: {exc})")
                raise self._error from exc
            finally:
                self._building = False

    def reset(self) -> None:
        """Forget the assistant so the next question builds a fresh one (after an index
        rebuild or an unexpected error)."""
        with self._lock:
            self._assistant = None

    def note(self, error: CareerAssistantError | None) -> None:
        """Remember how the last answer went, for the status line (None: it worked)."""
        self._error = error

    def warm_up(self) -> None:
        """Build the assistant and load its models, so the first question is fast.
        Problems are remembered for the status line, never raised."""
        self._warming = True
        try:
            assistant = self.get()
            from assistant.llm import ChatLocalLlama, check_backend

            assistant.search.search("warm up", k=1)  # loads the embedding model and BM25
            check_backend(assistant.chat_model)  # loads a local model / reaches a server
            if isinstance(assistant.chat_model, ChatLocalLlama):
                _prefill(assistant.chat_model)
        except CareerAssistantError as exc:
            logger.warning("warm-up: %s", exc)
            self._error = exc
        except Exception as exc:
            logger.exception("warm-up failed")
            self._error = BackendUnavailable(f"the assistant could not start ({type(exc).__name__})")
        finally:
            self._warming = False
            self.ready_at = time.time()

    def start_warm_up(self, after: threading.Event | None = None) -> threading.Thread:
        """Warm up in a background thread, once `after` is set (the server is up): the page
        is served first, the models load next."""
        self._warming = True

        def run() -> None:
            if after is not None:
                after.wait(timeout=120)
            self.warm_up()

        thread = threading.Thread(target=run, name="warm-up", daemon=True)
        thread.start()
        return thread

    @property
    def state(self) -> str:
        """"ready", "starting", "failed" or "idle"."""
        if self._building or self._warming:
            return "starting"
        if self._assistant is not None and self._error is None:
            return "ready"
        if self._error is not None:
            return "failed"
        return "idle"

    def status_line(self) -> str:
        """One line of markdown: the model and index in use, or what to do about them."""
        state = self.state
        if state == "starting":
            return _status("busy", "**Starting:** loading the guide's index and the language model…")
        if state == "failed" and isinstance(self._error, IndexMissing):
            if str(self._error).lower().startswith("no index"):
                return _status("warn", "**No index of the guide yet.** Build it with `career-assistant "
                               "ingest` (about 15 s); the app picks it up on your next question.")
            return _status("warn", f"**The index cannot be used:** {_md_escape(str(self._error))}. The app "
                           "picks up a rebuilt index on your next question.")
        if state == "failed":
            return _status("warn", f"**Not ready:** {_md_escape(str(self._error))}. "
                           "The app tries again on your next question.")
        if state == "idle":
            return _status("busy", "**Idle:** the index and the model load on the first question.")
        assert self._assistant is not None
        return status_text(self._assistant, self.settings)


def status_text(assistant: Assistant, s: Settings) -> str:
    """"Ready · model · embeddings · index size" for a built assistant."""
    try:
        chunks = assistant.search.chunk_count()
    except Exception as exc:
        return _status("warn", f"**The index cannot be read** ({type(exc).__name__}); rebuild it with "
                       "`career-assistant ingest`.")
    if chunks == 0:
        return _status("warn", "**The index is empty.** Build it with `career-assistant ingest`; the app "
                       "picks it up by itself.")
    files = _indexed_files(s)
    where = f"Chroma server {s.chroma_host}:{s.chroma_port}" if s.chroma_host else "local Chroma"
    embeddings = _embedding_name(s)
    docs = f"{chunks} passages" + (f" from {files} guide files" if files else "")
    model = _md_escape(assistant.model_name)
    return _status("ok", f"**Ready** · model: {model} · embeddings: {embeddings} · index: {docs} ({where})")


# --------------------------------------------------------------------------- chat


@dataclass
class ChatTurn:
    """One question and its answer in one browser session."""

    question: str
    answer: str = ""
    sources: list[dict] = field(default_factory=list)
    mode: str = ""  # AnswerResult.mode, or "error" for a message that is not an answer
    notice: str = ""
    declined: bool = False
    pending: bool = False
    latency_s: float | None = None
    ttft_s: float | None = None
    feedback_id: int | None = None
    rating: int | None = None

    @property
    def is_answer(self) -> bool:
        return self.mode not in ("", "error") and not self.pending


@dataclass
class ChatView:
    """What the chat shows after one step of an answer."""

    messages: list[dict]
    sources_html: str
    turns: list[ChatTurn]
    result: dict | None = None  # AnswerResult.to_dict() on the last step
    done: bool = False


def stream_chat(source: LazyAssistant, message: object, turns: Sequence[ChatTurn]) -> Iterator[ChatView]:
    """Answer `message` in the conversation `turns`, yielding a view per streamed piece.

    Bad input and backend problems end as a one-line message in the chat, never a
    traceback; an unexpected error also drops the assistant so the next question
    rebuilds it.
    """
    turns = list(turns)
    raw = message if isinstance(message, str) else ""
    turn = ChatTurn(question=_preview(raw) or "(empty question)", pending=True)
    turns.append(turn)
    yield _view(turns)
    result = None
    try:
        if not isinstance(message, str):
            raise BadInput("the question must be text")
        assistant = source.get()
        question = assistant.clean_question(message)
        turn.question = _preview(question)
        text = ""
        for event in assistant.stream(question, history_of(turns[:-1])):
            if event.result is not None:
                result = event.result
                continue
            text = event.token if event.replace else text + event.token
            if event.token:
                turn.answer = text
                yield _view(turns)
        if result is None:
            raise BackendUnavailable("the assistant returned no answer")
        turn.answer = result.answer
        turn.sources = list(result.sources)
        turn.mode = result.mode
        turn.notice = result.notice
        turn.declined = result.declined
        turn.latency_s = result.latency_s
        turn.ttft_s = result.ttft_s
        source.note(None)
    except BadInput as exc:
        _fail(turn, f"⚠ {exc}")
    except IndexMissing as exc:
        source.reset()
        source.note(exc)
        _fail(turn, f"⚠ {exc}")
    except (BackendUnavailable, ConfigError) as exc:
        source.note(exc)
        _fail(turn, f"⚠ {exc}")
    except CareerAssistantError as exc:
        _fail(turn, f"⚠ {exc}")
    except Exception as exc:  # the person sees one line; the log keeps the traceback
        logger.exception("answering %r failed", turn.question)
        source.reset()
        _fail(turn, f"⚠ Something went wrong while answering ({type(exc).__name__}). Please ask again.")
    turn.pending = False
    yield _view(turns, result=result.to_dict() if result is not None else None, done=True)


def history_of(turns: Sequence[ChatTurn]) -> list[dict]:
    """The conversation so far, as the chain expects it (answers only, not error messages)."""
    history: list[dict] = []
    for t in turns:
        if t.is_answer:
            history.append({"role": "user", "content": t.question})
            history.append({"role": "assistant", "content": t.answer})
    return history


def chat_messages(turns: Sequence[ChatTurn]) -> list[dict]:
    """The turns as Gradio chat messages: user, assistant, user, assistant, ..."""
    messages: list[dict] = []
    for n, t in enumerate(turns):
        messages.append({"role": "user", "content": _md_escape(t.question)})
        messages.append({"role": "assistant", "content": answer_markdown(t, n)})
    return messages


def answer_markdown(turn: ChatTurn, index: int) -> str:
    """An answer as chat markdown: its [n] become links to the passages in the sources
    panel, with a line naming the cited sections and any notice."""
    if turn.pending and not turn.answer:
        return '<span class="thinking">Searching the guide…</span>'
    if turn.mode == "error":
        return _md_escape(turn.answer)
    ids = {int(s["id"]) for s in turn.sources}
    sections = {int(s["id"]): str(s.get("section", "")) for s in turn.sources}
    body = link_citations(_md_escape(turn.answer), f"src-{index}", ids, sections)
    if turn.pending:
        return body + " ▌"
    parts = [body]
    if turn.mode == "extractive":
        parts.append("<span class=\"answer-note\">Quoted from the guide: the model's own answer could not "
                     "be checked against it.</span>")
    cited = [s for s in turn.sources if int(s["id"]) in cited_ids(turn.answer)]
    if cited and turn.mode != "recommendation":
        links = " · ".join(
            f'<a class="cite" href="#src-{index}-{int(s["id"])}">[{int(s["id"])}] '
            f'{html.escape(str(s.get("section", "")))}</a>' for s in cited)
        parts.append(f'<span class="src-line">Sources: {links}</span>')
    if turn.notice:
        parts.append(f'<span class="answer-note">Note: {html.escape(turn.notice)}</span>')
    return "\n\n".join(parts)


def link_citations(text: str, prefix: str, ids: set[int], sections: Mapping[int, str] | None = None) -> str:
    """Turn each [n] naming a known source into a link to `#<prefix>-<n>`."""
    sections = sections or {}

    def link(m: re.Match[str]) -> str:
        n = int(m.group(1))
        if n not in ids:
            return m.group(0)
        title = html.escape(sections.get(n, ""), quote=True)
        return f'<a class="cite" href="#{prefix}-{n}" title="{title}">[{n}]</a>'

    return _CITATION.sub(link, text)


def cited_ids(text: str) -> set[int]:
    return {int(n) for n in _CITATION.findall(text or "")}


def sources_panel_html(turns: Sequence[ChatTurn]) -> str:
    """Every answer's guide passages, the latest answer first and open; each passage has
    the id its citations link to (`src-<turn>-<n>`). All text is escaped."""
    groups = []
    latest = True
    for index in range(len(turns) - 1, -1, -1):
        turn = turns[index]
        if not turn.sources:
            continue
        cited = cited_ids(turn.answer)
        items = []
        for s in turn.sources:
            n = int(s["id"])
            is_cited = n in cited
            items.append(
                f'<details class="src{" cited" if is_cited else ""}" id="src-{index}-{n}"'
                f'{" open" if latest and is_cited else ""}>'
                f'<summary><span class="src-n">[{n}]</span> <span class="src-section">'
                f'{html.escape(str(s.get("section", "")))}</span> <span class="src-file">'
                f'{html.escape(Path(str(s.get("source", ""))).name)}</span></summary>'
                f'<div class="src-text">{html.escape(str(s.get("text", "")).strip())}</div></details>')
        groups.append(
            f'<details class="src-turn" id="src-turn-{index}"{" open" if latest else ""}>'
            f'<summary>Answer {index + 1}: {html.escape(_short(turn.question, 90))}</summary>'
            f'{"".join(items)}</details>')
        latest = False
    if not groups:
        return f'<div class="sources-panel"><p class="src-empty">{html.escape(SOURCES_PLACEHOLDER)}</p></div>'
    return f'<div class="sources-panel">{"".join(groups)}</div>'


# --------------------------------------------------------------------------- feedback


def rate_answer(store: FeedbackStore, turns: Sequence[ChatTurn], message_index: int,
                liked: bool | None) -> tuple[list[ChatTurn], int | None, str]:
    """Store (or change, or undo) a thumbs up/down on the answer at chat message
    `message_index`. Returns the turns, the turn that can take a comment, and a note."""
    turns = list(turns)
    index = int(message_index) // 2
    if not 0 <= index < len(turns) or not turns[index].is_answer:
        return turns, None, "Only answers can be rated."
    turn = turns[index] = replace(turns[index])
    rating = None if liked is None else (1 if liked else -1)
    try:
        if rating is None:
            if turn.feedback_id is not None:
                store.remove(turn.feedback_id)
            turn.feedback_id, turn.rating = None, None
            return turns, None, "Rating removed."
        if turn.feedback_id is None:
            turn.feedback_id = store.add(turn.question, turn.answer, turn.sources, rating,
                                         history=history_of(turns[:index]), mode=turn.mode)
        else:
            store.update(turn.feedback_id, rating=rating)
    except Exception as exc:  # a full disk must not break the chat
        logger.exception("storing feedback failed")
        return turns, None, f"Sorry, your rating could not be saved ({type(exc).__name__})."
    turn.rating = rating
    note = ("Thanks! What was wrong or missing? (optional)" if rating < 0
            else "Thanks! Anything to add? (optional)")
    return turns, index, note


def comment_on_answer(store: FeedbackStore, turns: Sequence[ChatTurn], index: int | None,
                      comment: str) -> str:
    """Attach a comment to the rated answer; returns a note for the person."""
    if index is None or not 0 <= index < len(turns) or turns[index].feedback_id is None:
        return "Rate an answer with thumbs up or down first."
    if not (comment or "").strip():
        return "Type a comment first (or just leave the rating)."
    try:
        store.update(int(turns[index].feedback_id or 0), comment=comment)
    except Exception as exc:
        logger.exception("storing a feedback comment failed")
        return f"Sorry, your comment could not be saved ({type(exc).__name__})."
    return "Comment saved. Thank you!"


# --------------------------------------------------------------------------- find your path


@dataclass
class QuizView:
    """The quiz result: one HTML card per role, the cards' sources, and the data."""

    cards: list[RoleCard]
    cards_html: list[str]
    sources_html: str
    intro_html: str
    data: dict


def quiz_view(roles: Mapping[str, RoleFacts], code: str | None, research: str | None,
              stakeholders: str | None, background: str | None, skills: str | None, region: str | None,
              top_n: int = 3, library: Library | None = None) -> QuizView:
    """Rank the roles for the quiz's answers (Yes/No/None, a background label, free-text
    skills, a region label). An unanswered question does not move the ranking."""
    from assistant.recommend import build_cards

    from assistant.recommend import add_plans, recommendation_dict

    answers = quiz_answers(code, research, stakeholders, background, skills, region)
    cards = add_plans(build_cards(answers, roles, top_n=top_n), library)
    return QuizView(
        cards=cards,
        cards_html=[card_html(c, n) for n, c in enumerate(cards, start=1)],
        sources_html=card_sources_html(cards) + lesson_sources_html(cards),
        intro_html=_quiz_intro(answers),
        data=recommendation_dict(cards),
    )


_LIBRARIES: dict[str, Library | None] = {}
_LIBRARY_LOCK = threading.Lock()


def quiz_library(s: Settings) -> Library | None:
    """The indexed course library for the cards' plans (built once per index; None without an
    index, so the cards say how to add a library instead of failing)."""
    from assistant.plan import build_library

    key = f"{s.chroma_host}:{s.chroma_port}" if s.chroma_host else str(s.chroma_path)
    with _LIBRARY_LOCK:
        if _LIBRARIES.get(key) is None:
            try:
                _LIBRARIES[key] = build_library(s)
            except CareerAssistantError as exc:
                logger.warning("no learning plans on the cards: %s", exc)
                return None
        return _LIBRARIES[key]


def quiz_answers(code: str | None, research: str | None, stakeholders: str | None,
                 background: str | None, skills: str | None, region: str | None) -> QuizAnswers:
    from assistant.quiz import QuizAnswers, background_of

    values = {"code": _yes_no(code), "research": _yes_no(research), "stakeholders": _yes_no(stakeholders)}
    if region not in (None, "") and region not in REGION_CHOICES:
        raise BadInput(f"unknown region {region!r}: choose one of {', '.join(REGION_CHOICES)}")
    return QuizAnswers(
        code=bool(values["code"]), research=bool(values["research"]),
        stakeholders=bool(values["stakeholders"]),
        background=background_of(background or "other").key,
        skills=parse_skills(skills),
        region=REGION_CHOICES.get(region or ANY_REGION),
        unanswered=tuple(k for k, v in values.items() if v is None),
    )


def parse_skills(text: str | None) -> tuple[str, ...]:
    """"Python, SQL; docker" -> ("Python", "SQL", "docker")."""
    items = [s.strip() for s in re.split(r"[,;\n]", text or "") if s.strip()]
    seen: list[str] = []
    for s in items:
        if s.lower() not in {x.lower() for x in seen}:
            seen.append(s[:60])
    return tuple(seen[:MAX_SKILLS])


def card_html(card: RoleCard, rank: int) -> str:
    """One recommended role: a fit bar, why it fits, salary, skills to learn, how to break
    in, each with citations linking to `#src-quiz-<n>`."""
    e = html.escape
    pct = max(0, min(100, round(card.score * 100)))
    cites = card.cites

    def refs(what: str) -> str:
        return "".join(f' <a class="cite" href="#src-quiz-{i}">[{i}]</a>' for i in cites.get(what, []))

    reason_ids = cites.get("reasons", [])
    reasons = "".join(
        f"<li>{e(_sentence(r))}"
        + (f' <a class="cite" href="#src-quiz-{reason_ids[i]}">[{reason_ids[i]}]</a>'
           if i < len(reason_ids) else "")
        + "</li>" for i, r in enumerate(card.reasons))
    parts = [
        f'<article class="role-card" data-role="{e(card.role, quote=True)}">',
        f'<div class="rc-head"><span class="rc-rank">{rank}</span><h3>{e(card.role)}</h3></div>',
        f'<div class="fit" title="How well your answers match this role in the guide\'s quiz">'
        f'<div class="fit-bar" role="meter" aria-valuemin="0" aria-valuemax="100" aria-valuenow="{pct}" '
        f'aria-label="fit"><span style="width:{pct}%"></span></div>'
        f'<span class="fit-label">Fit {pct}%</span></div>',
    ]
    if card.why:
        parts.append(f'<p class="rc-why">{e(_prose(card.why))}{refs("why")}</p>')
    if reasons:
        parts.append(f'<h4>Why it fits you</h4><ul class="rc-reasons">{reasons}</ul>')
    if card.detailed:
        if card.salary:
            rows = "".join(
                f'<li><span class="rc-region">{e(_region_label(s["region"]))}</span> '
                f'<span class="rc-money">{e(s["range"])}</span>'
                + (f' <span class="rc-qual">({e(s["qualifier"])})</span>' if s.get("qualifier") else "")
                + "</li>" for s in card.salary)
            note = f'<p class="rc-note">{e(card.salary_note)}</p>' if card.salary_note else ""
            parts.append(f'<h4>Salary <span class="muted">(the guide\'s 2026 estimates)</span>'
                         f'{refs("salary")}</h4><ul class="rc-salary">{rows}</ul>{note}')
        if card.skills_to_learn:
            chips = "".join(f'<li class="chip">{e(s)}</li>' for s in card.skills_to_learn)
            parts.append(f'<h4>Skills to learn{refs("skills")}</h4><ul class="chips">{chips}</ul>')
        elif card.skills:
            parts.append(f'<h4>Skills{refs("skills")}</h4>'
                         "<p>You already have the skills the guide lists.</p>")
        if card.break_in:
            parts.append(f'<h4>How to break in{refs("break_in")}</h4><p>{e(_prose(card.break_in))}</p>')
        parts.append(learn_next_html(card))
    parts.append("</article>")
    return "".join(parts)


def learn_next_html(card: RoleCard) -> str:
    """"Learn next": the card's lessons from the course library, easiest level first, each
    linking to its passage (`#lesson-<key>` in the sources panel); without a library, one
    line saying how to add one."""
    from assistant.plan import flatten

    e = html.escape
    if card.plan_note:
        return f'<h4>Learn next</h4><p class="rc-note plan-note">{e(card.plan_note)}</p>'
    if not card.plan:
        return ""
    items = "".join(
        f'<li class="plan-step"><a class="lesson" href="#lesson-{lesson_key(s.source, s.section)}">{e(s.title)}</a>'
        + (f' <span class="muted">(level {s.level})</span>' if s.level is not None else "")
        + f' <span class="plan-skill">for {e(_short(s.skill, 60))}</span>'
        f'<br><q class="plan-why">{e(s.why)}</q></li>'
        for s in flatten(card.plan))
    missing = [p.skill for p in card.plan if not p.steps]
    note = (f'<p class="rc-note">The library has no lesson on: {e("; ".join(missing))}.</p>' if missing else "")
    return f'<h4>Learn next <span class="muted">(course library)</span></h4><ol class="plan">{items}</ol>{note}'


def lesson_key(source: str, section: str) -> str:
    """A stable HTML id for one lesson passage."""
    import hashlib

    return hashlib.sha1(f"{source}\n{section}".encode()).hexdigest()[:10]


def lesson_sources_html(cards: Sequence[RoleCard]) -> str:
    """The lesson passages the cards' plans cite (ids `lesson-<key>`), escaped and marked as library."""
    from assistant.plan import flatten

    seen: dict[str, Any] = {}
    for card in cards:
        for step in flatten(card.plan):
            seen.setdefault(lesson_key(step.source, step.section), step)
    if not seen:
        return ""
    items = "".join(
        f'<details class="src lesson-src" id="lesson-{key}"><summary>'
        f'<span class="src-section">{html.escape(s.title)} / {html.escape(s.section)}</span> '
        f'<span class="src-file">{html.escape(Path(s.source).name)}</span></summary>'
        f'<div class="src-text">{html.escape(s.passage)}</div></details>'
        for key, s in seen.items())
    return f'<div class="sources-panel lesson-sources"><h4>Lessons from the course library</h4>{items}</div>'


def card_sources_html(cards: Sequence[RoleCard]) -> str:
    """The guide passages the cards cite (ids `src-quiz-<n>`), escaped."""
    seen: dict[int, dict] = {}
    for card in cards:
        for s in card.sources:
            seen.setdefault(int(s["id"]), s)
    if not seen:
        return ""
    items = "".join(
        f'<details class="src" id="src-quiz-{n}"><summary><span class="src-n">[{n}]</span> '
        f'<span class="src-section">{html.escape(str(s.get("section", "")))}</span> '
        f'<span class="src-file">{html.escape(Path(str(s.get("source", ""))).name)}</span></summary>'
        f'<div class="src-text">{html.escape(str(s.get("text", "")).strip())}</div></details>'
        for n, s in sorted(seen.items()))
    return f'<div class="sources-panel quiz-sources"><h4>Sources from the guide</h4>{items}</div>'


# --------------------------------------------------------------------------- compare roles


def error_html(message: str) -> str:
    """A one-line problem, shown where a result would be."""
    return f'<p class="rc-note">⚠ {html.escape(" ".join(str(message).split()))}</p>'


def profiled_roles(roles: Mapping[str, RoleFacts]) -> list[str]:
    """Titles of the roles the guide describes in full (the ones worth comparing)."""
    return [t for t, f in roles.items() if f.detailed]


@dataclass(frozen=True)
class SalaryBar:
    """One bar of the salary chart."""

    role: str
    label: str  # what the row says (the role, plus a track when the guide gives one)
    region: str  # uk | us | global
    currency: str
    low: int
    high: int
    open_ended: bool
    qualifier: str = ""
    track: bool = False  # a range the guide labels by track, placed by its currency


def salary_bars(roles: Mapping[str, RoleFacts], regions: Sequence[str] | None = None,
                titles: Sequence[str] | None = None) -> list[SalaryBar]:
    """The salary ranges to plot, per region. Ranges the guide labels by track rather than
    region (AI Safety) go to the region of their currency, marked as a track."""
    wanted = list(CHART_REGIONS) if regions is None else list(regions)
    bars: list[SalaryBar] = []
    for title, facts in roles.items():
        if titles is not None and title not in titles:
            continue
        for s in facts.salaries:
            key = s.region_key
            track = key is None
            region = key or lexicon.CURRENCY_REGION.get(s.currency)
            if region not in wanted:
                continue
            label = f"{title} ({s.region})" if track else title
            bars.append(SalaryBar(title, label, region, s.currency, s.low, s.high, s.open_ended,
                                  s.qualifier, track))
    return bars


def salary_chart(roles: Mapping[str, RoleFacts], regions: Sequence[str] | None = None,
                 titles: Sequence[str] | None = None) -> Figure:
    """A range chart of the guide's salaries: one panel per region (each in its own
    currency), a bar from low to high per role; open-ended ranges ("+") fade out."""
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib.figure import Figure
    from matplotlib.ticker import FuncFormatter

    bars = salary_bars(roles, regions, titles)
    order = [r for r in CHART_REGIONS if any(b.region == r for b in bars)]
    colors = {t: _ROLE_COLORS[i % len(_ROLE_COLORS)] for i, t in enumerate(roles)}
    if not bars:
        fig = Figure(figsize=(9, 2.2), dpi=110)
        ax = fig.add_subplot()
        ax.axis("off")
        ax.text(0.5, 0.5, "No salary ranges to show: pick at least one role and one region.",
                ha="center", va="center", fontsize=11, color="#475569")
        return fig
    heights = [len([b for b in bars if b.region == r]) for r in order]
    fig = Figure(figsize=(9.5, 1.0 + sum(0.48 * h + 0.9 for h in heights)), dpi=110, layout="constrained")
    axes = fig.subplots(len(order), 1, squeeze=False,
                        gridspec_kw={"height_ratios": [h + 1.2 for h in heights]})
    for ax, region in zip(axes[:, 0], order, strict=True):
        rows = sorted((b for b in bars if b.region == region), key=lambda b: (b.low + b.high, b.label))
        top = max(b.high for b in rows)
        reach = top * 1.22
        symbols = {_SYMBOL.get(b.currency, b.currency) for b in rows}
        for y, b in enumerate(rows):
            color = colors.get(b.role, "#4f46e5")
            ax.barh(y, b.high - b.low, left=b.low, height=0.56, color=color, alpha=0.9,
                    hatch="//" if b.track else None, edgecolor="white" if b.track else color, linewidth=0)
            if b.open_ended:
                tail = (b.high - b.low) * 0.18 + top * 0.02
                for k in range(6):
                    ax.barh(y, tail / 6, left=b.high + k * tail / 6, height=0.56, color=color,
                            alpha=0.55 * (1 - k / 6), linewidth=0)
            # "$" starts maths in matplotlib text: escape it.
            sym = _SYMBOL.get(b.currency, b.currency + " ").replace("$", r"\$")
            text = f"{sym}{_k(b.low)}–{sym}{_k(b.high)}{'+' if b.open_ended else ''}"
            end = b.high + ((b.high - b.low) * 0.18 + top * 0.02 if b.open_ended else 0)
            ax.text(end + top * 0.015, y, text, va="center", fontsize=8.5, color="#1e293b")
        ax.set_yticks(range(len(rows)), [_wrap(b.label, 34) for b in rows], fontsize=8.5)
        ax.set_xlim(0, reach)
        ax.set_ylim(-0.7, len(rows) - 0.3)
        sym = (symbols.pop() if len(symbols) == 1 else "").replace("$", r"\$")
        ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _p, sym=sym: f"{sym}{_k(int(v))}"))
        ax.set_title(CHART_REGIONS[region], loc="left", fontsize=10.5, fontweight="bold", color="#0f172a")
        ax.grid(axis="x", color="#e2e8f0", linewidth=0.8)
        ax.set_axisbelow(True)
        for side in ("top", "right", "left"):
            ax.spines[side].set_visible(False)
        ax.tick_params(axis="y", length=0)
    fig.suptitle("Salary ranges by role and region (the guide's 2026 estimates)", fontsize=11.5,
                 fontweight="bold", color="#0f172a")
    notes = ["A fading bar end means the guide gives an open-ended range (“+”)."]
    if any(b.track for b in bars):
        notes.append("Hatched: a range the guide gives per track, not per region (shown by its currency).")
    fig.supxlabel("\n".join(notes), fontsize=7.5, color="#64748b", x=0.01, ha="left")
    return fig


def comparison_rows(a: RoleFacts, b: RoleFacts) -> list[dict]:
    """Section by section, what the guide says about two roles:
    [{"label", "a": str | list[str], "b": ...}]; a missing section is ""."""
    from assistant.roles import BREAK_IN, SALARY, SKILLS, SUITS, SUMMARY, TASKS

    def salary(f: RoleFacts) -> list[str]:
        return [f"{_region_label(s.region)}: {s.display(with_qualifier=True)}" for s in f.salaries]

    def section(f: RoleFacts, name: str) -> str:
        return _prose(f.sections.get(name, "")) if f.sections.get(name) else ""

    rows = [
        {"label": "In short", "a": a.summary or section(a, SUMMARY), "b": b.summary or section(b, SUMMARY)},
        {"label": "Day to day", "a": list(a.tasks), "b": list(b.tasks), "section": TASKS},
        {"label": "Skills", "a": list(a.skills), "b": list(b.skills), "section": SKILLS},
        {"label": "Salary (the guide's 2026 estimates)", "a": salary(a), "b": salary(b), "section": SALARY},
        {"label": "Who it suits", "a": a.suits, "b": b.suits, "section": SUITS},
        {"label": "How to break in", "a": a.break_in, "b": b.break_in, "section": BREAK_IN},
    ]
    for row in rows:
        row.setdefault("section", SUMMARY)
    return rows


def comparison_html(roles: Mapping[str, RoleFacts], title_a: str | None, title_b: str | None) -> str:
    """Two roles side by side (stacked per section on a narrow screen), escaped."""
    if not title_a or not title_b or title_a not in roles or title_b not in roles:
        return '<p class="muted">Pick two roles to compare.</p>'
    a, b = roles[title_a], roles[title_b]
    e = html.escape

    def cell(value: str | list[str], facts: RoleFacts) -> str:
        if not facts.detailed:
            return '<p class="muted">The guide lists this track without a profile.</p>'
        if isinstance(value, list):
            return "<ul>" + "".join(f"<li>{e(v)}</li>" for v in value) + "</ul>" if value else \
                '<p class="muted">The guide does not say.</p>'
        return f"<p>{e(value)}</p>" if value else '<p class="muted">The guide does not say.</p>'

    head = (f'<div class="cmp-head"><div class="cmp-role cmp-a">{e(a.title)}</div>'
            f'<div class="cmp-role cmp-b">{e(b.title)}</div></div>')
    rows = []
    for row in comparison_rows(a, b):
        rows.append(
            f'<div class="cmp-row"><div class="cmp-label">{e(row["label"])}</div>'
            f'<div class="cmp-cell cmp-a"><span class="cmp-tag">{e(a.title)}</span>{cell(row["a"], a)}</div>'
            f'<div class="cmp-cell cmp-b"><span class="cmp-tag">{e(b.title)}</span>{cell(row["b"], b)}</div>'
            "</div>")
    files = sorted({Path(f.source).name for f in (a, b) if f.source})
    foot = f'<p class="cmp-foot">From the guide: {e(", ".join(files))}</p>' if files else ""
    return f'<div class="compare">{head}{"".join(rows)}{foot}</div>'


# --------------------------------------------------------------------------- assets


def assets_dir() -> Path:
    return Path(__file__).resolve().parent.parent / "assets"


def page_head() -> str:
    """The page's own script (citation links open their passage), inline: no external URL."""
    script = (assets_dir() / "app.js").read_text(encoding="utf-8")
    return f"<script>\n{script}\n</script>"


def page_css() -> str:
    return (assets_dir() / "app.css").read_text(encoding="utf-8")


# --------------------------------------------------------------------------- helpers


def _prefill(chat_model: Any) -> None:
    """Read the fixed system prompt once and generate one token: llama.cpp keeps that prefix
    cached for every question, and the weights are paged in before the first person asks."""
    from langchain_core.messages import HumanMessage, SystemMessage

    from assistant import prompts

    started = time.perf_counter()
    chat_model.invoke([SystemMessage(prompts.SYSTEM),
                       HumanMessage(prompts.USER.format(sources="", question="Hello"))], max_tokens=1)
    logger.info("prefilled the system prompt in %.1f s", time.perf_counter() - started)


def _default_build(s: Settings) -> Assistant:
    from assistant.chain import build_assistant

    return build_assistant(s)


def _view(turns: list[ChatTurn], result: dict | None = None, done: bool = False) -> ChatView:
    return ChatView(messages=chat_messages(turns), sources_html=sources_panel_html(turns), turns=turns,
                    result=result, done=done)


def _status(kind: str, text: str) -> str:
    return f'<span class="dot dot-{kind}" aria-hidden="true"></span> {text}'


def _fail(turn: ChatTurn, message: str) -> None:
    turn.answer = " ".join(message.split())
    turn.mode = "error"
    turn.sources = []


def _preview(text: str) -> str:
    text = CONTROL_CHARS.sub(" ", text or "").strip()
    if len(text) <= PREVIEW_CHARS:
        return text
    return f"{text[:PREVIEW_CHARS].rstrip()}… ({len(text):,} characters)"


def _short(text: str, limit: int) -> str:
    text = " ".join((text or "").split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _md_escape(text: str) -> str:
    """Neutralise HTML in text that goes into chat markdown; markdown itself still renders."""
    return (text or "").replace("&", "&amp;").replace("<", "&lt;")


def _yes_no(value: str | None) -> bool | None:
    if value in (None, ""):
        return None
    low = str(value).strip().lower()
    if low in ("yes", "y", "true"):
        return True
    if low in ("no", "n", "false"):
        return False
    raise BadInput(f"answer {value!r}: choose Yes or No")


def _quiz_intro(answers: QuizAnswers) -> str:
    from assistant.quiz import background_of

    said = []
    for key, label in (("code", "love writing code"), ("research", "drawn to research"),
                       ("stakeholders", "enjoy business stakeholders")):
        value = answers.answer(key)
        if value is not None:
            said.append(f"{label}: {'yes' if value else 'no'}")
    bg = background_of(answers.background)
    if bg.key != "other":
        said.append(f"background: {bg.label.lower()}")
    if answers.region:
        said.append(f"region: {_region_label(answers.region)}")
    basis = "; ".join(said) if said else "no answers yet, so every role starts equal"
    return (f'<p class="quiz-intro">Your top roles by the guide\'s quiz ({html.escape(basis)}). '
            "Citations open the guide's own words below the cards.</p>")


def _region_label(region: str) -> str:
    if not region:
        return ""
    return {"uk": "UK", "us": "US", "global": "Global tech hubs"}.get(region.lower(), region)


def _prose(text: str) -> str:
    return " ".join(ln.strip().lstrip("-* ").strip() for ln in (text or "").splitlines() if ln.strip())


def _sentence(text: str) -> str:
    text = text.strip()
    return text[:1].upper() + text[1:] if text else text


def _k(value: int) -> str:
    return f"{value / 1000:,.0f}k" if value >= 1000 else str(value)


def _wrap(text: str, width: int) -> str:
    import textwrap

    return "\n".join(textwrap.wrap(text, width)) or text


def _indexed_files(s: Settings) -> int | None:
    try:
        from assistant.store import make_chroma_client

        col = make_chroma_client(s).get_collection(s.collection, embedding_function=None)
        metas = col.get(include=["metadatas"])["metadatas"] or []
        return len({str((m or {}).get("source", "")) for m in metas} - {""})
    except Exception:  # the status line is informative only
        return None


def _embedding_name(s: Settings) -> str:
    try:
        from assistant.embeddings import embedding_model_id, make_embeddings

        name = embedding_model_id(make_embeddings(s)).split(" (")[0]
        return _md_escape(name.rsplit("/", 1)[-1])
    except Exception:
        return s.embedding_backend
