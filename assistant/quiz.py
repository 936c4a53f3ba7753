"""The guide's "How to choose your path" quiz as data, and pure-Python scoring of every role."""

from __future__ import annotations

import logging
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from assistant.background import (  # noqa: F401 (callers import them here)
    BACKGROUND_KEYS,
    BACKGROUND_QUESTION,
    BACKGROUNDS,
    Background,
    background_of,
    parse_background,
)
from assistant.mdtext import split_headings
from assistant.roles import ROLE_ORDER, RoleFacts, find_roles, known_roles
from core.errors import BadInput

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Question:
    """One of the guide's questions and the roles it names for each answer (as the guide names them)."""

    key: str  # "code" | "research" | "stakeholders"
    text: str
    yes: tuple[str, ...]
    no: tuple[str, ...]

    def names(self, answer: bool) -> tuple[str, ...]:
        return self.yes if answer else self.no


# Mirrors the guide word for word (tests/test_quiz.py compares it with the parsed guide).
QUESTIONS: tuple[Question, ...] = (
    Question(
        key="code",
        text="Do you love writing code for its own sake?",
        yes=("ML Engineer", "MLOps", "NLP/LLM Engineer"),
        no=("AI PM", "Prompt Engineer", "Ethics/Safety (policy track)"),
    ),
    Question(
        key="research",
        text="Are you drawn to research and open-ended problems?",
        yes=("Research Scientist", "AI Safety Researcher"),
        no=("ML Engineer", "Data Scientist", "MLOps"),
    ),
    Question(
        key="stakeholders",
        text="Do you enjoy working with business stakeholders?",
        yes=("Data Scientist", "AI PM", "AI Solutions Specialist"),
        no=("Research Scientist", "MLOps", "Core ML Engineering"),
    ),
)


# The guide's short names -> canonical titles (roles.ROLE_ORDER).
GUIDE_NAMES: dict[str, str] = {
    "ML Engineer": "Machine Learning Engineer",
    "Core ML Engineering": "Machine Learning Engineer",
    "MLOps": "MLOps / AI Infrastructure Engineer",
    "NLP/LLM Engineer": "NLP / LLM Engineer",
    "AI PM": "AI Product Manager",
    "AI Product Manager": "AI Product Manager",
    "Prompt Engineer": "Prompt Engineer / AI Solutions Specialist",
    "AI Solutions Specialist": "Prompt Engineer / AI Solutions Specialist",
    "Prompt Engineer/AI Solutions Specialist": "Prompt Engineer / AI Solutions Specialist",
    "Ethics/Safety (policy track)": "AI Safety & Ethics Researcher",
    "AI Safety Researcher": "AI Safety & Ethics Researcher",
    "AI Safety": "AI Safety & Ethics Researcher",
    "Research Scientist": "AI/ML Research Scientist",
    "Data Scientist": "Data Scientist",
}

# A named background must outrank any number of matching answers (at most 3).
BACKGROUND_WEIGHT = 4.0
QUIZ_SECTION = "How to choose your path"
BACKGROUND_SECTION = "Your current background"

def quiz_source_of(roles: Mapping[str, RoleFacts]) -> str:
    """Where the quiz lives: the published .mdx itself, or choosing-your-path.md beside the role files."""
    for facts in roles.values():
        if facts.source:
            path = Path(facts.source)
            return str(path if path.suffix == ".mdx" else path.parent / "choosing-your-path.md")
    return "choosing-your-path.md"


# parse_background: (pattern, weight). Job titles weigh 3, telling activities 1.


@dataclass
class QuizAnswers:
    """A person's answers. `unanswered` lists question keys they never answered (from a
    free-text description): those questions neither raise nor lower any role."""

    code: bool
    research: bool
    stakeholders: bool
    background: str = "other"
    skills: tuple[str, ...] = ()
    region: str | None = None
    unanswered: tuple[str, ...] = ()
    inferred: tuple[str, ...] = ()  # keys read from a description by the model, not said outright

    def answer(self, key: str) -> bool | None:
        if key in self.unanswered:
            return None
        return bool(getattr(self, key))


@dataclass(frozen=True)
class ScoredRole:
    """A role's place in the ranking: its score in [0, 1] and why."""

    role: str
    score: float
    reasons: tuple[str, ...]
    matched: tuple[str, ...] = ()  # per reason: the question key, or "background"


def score_roles(answers: QuizAnswers, roles: Mapping[str, RoleFacts], nearest: Sequence[str] = ()) -> list[ScoredRole]:
    """Rank every role in `roles` by the guide's rules.

    A role gets a point for each answer whose list in the guide names it, and
    BACKGROUND_WEIGHT for being named for the person's background, so the background's
    roles come first. Ties: the background's own order ("ML Engineer or MLOps"), then the
    guide's order of the ten tracks. `nearest` (roles by meaning, for a person the quiz cannot
    place) comes before the guide's order.
    """
    background = background_of(answers.background)
    bg_titles = [_title(n) for n in background.roles]
    answered = [q for q in QUESTIONS if answers.answer(q.key) is not None]
    maximum = len(answered) + (BACKGROUND_WEIGHT if background.roles else 0.0)
    order = {t: i for i, t in enumerate(ROLE_ORDER)}
    scored: list[tuple[tuple, ScoredRole]] = []
    for title in roles:
        points = 0.0
        reasons: list[str] = []
        matched: list[str] = []
        if title in bg_titles:
            points += BACKGROUND_WEIGHT
            read = ", as read from what you said" if "background" in answers.inferred else ""
            reasons.append(f"the guide suggests this role for your background ({background.key}{read})")
            matched.append("background")
        for q in answered:
            answer = bool(answers.answer(q.key))
            names = [n for n in q.names(answer) if _title(n) == title]
            if names:
                points += 1
                track = _track_note(names[0])
                said = "what you said reads as" if q.key in answers.inferred else "you answered"
                reasons.append(f'{said} {"yes" if answer else "no"} to "{q.text}"{track}')
                matched.append(q.key)
        score = round(points / maximum, 4) if maximum else 0.0
        key = (
            -points,
            bg_titles.index(title) if title in bg_titles else len(bg_titles),
            list(nearest).index(title) if title in nearest else len(nearest),
            order.get(title, len(order)),
            title,
        )
        scored.append((key, ScoredRole(title, score, tuple(reasons), tuple(matched))))
    scored.sort(key=lambda pair: pair[0])
    return [s for _, s in scored]


def load_quiz(path: Path) -> tuple[tuple[Question, ...], tuple[Background, ...]]:
    """Parse the quiz out of the guide: the published .mdx (`**Question?**` then `→ Yes: ...`)
    or this project's `choosing-your-path.md` (a folder holding it works too).

    Questions keep the role names as written; backgrounds carry canonical titles (the
    guide writes them in sentences).
    """
    path = Path(path)
    if path.is_dir():
        path = path / "choosing-your-path.md"
    if not path.is_file():
        raise BadInput(f"no quiz file at {path}")
    text = path.read_text(encoding="utf-8")
    return _parse_mdx_quiz(text) if path.suffix == ".mdx" else _parse_md_quiz(text)


def guide_titles(names: tuple[str, ...]) -> tuple[str, ...]:
    """Canonical titles for the guide's role names, in order."""
    return tuple(_title(n) for n in names)


# --------------------------------------------------------------------------- helpers


def _title(name: str) -> str:
    return GUIDE_NAMES.get(name, name)


def _track_note(name: str) -> str:
    m = re.search(r"\(([^)]*track)\)", name)
    return f" (the guide names its {m.group(1)})" if m else ""


def _question_key(heading: str) -> str | None:
    low = heading.lower()
    if "background" in low:
        return "background"
    for q in QUESTIONS:
        if q.key.rstrip("s") in low:
            return q.key
    return None


def _split_names(text: str) -> tuple[str, ...]:
    return tuple(n.strip().rstrip(".") for n in re.split(r",\s*|\s+and\s+", text) if n.strip())


def _background_from_line(label: str, rest: str) -> Background:
    key = next(
        (b.key for b in BACKGROUNDS if b.label.lower() == label.strip().lower()), label.strip().lower()
    )
    return Background(key, label.strip(), tuple(r.title for r in find_roles(rest, known_roles())))


def _parse_mdx_quiz(text: str) -> tuple[tuple[Question, ...], tuple[Background, ...]]:
    body = next((t for h, t in split_headings(text, "## ") if h.strip().lower() == QUIZ_SECTION.lower()), None)
    if body is None:
        raise BadInput("no 'How to Choose Your Path' section in the guide")
    questions: list[Question] = []
    backgrounds: list[Background] = []
    current: dict | None = None
    for line in body.splitlines():
        line = line.strip()
        head = re.match(r"^\*\*(.+?)\*\*$", line)
        if head:
            current = {"text": head.group(1).strip(), "key": _question_key(head.group(1))}
            if current["key"] not in (None, "background"):
                questions.append(Question(current["key"], current["text"], (), ()))
            continue
        if current is None:
            continue
        arrow = re.match(r"^→\s*(Yes|No)\s*:\s*(.+)$", line, re.I)
        if arrow and questions and current["key"] == questions[-1].key:
            q = questions[-1]
            names = _split_names(arrow.group(2))
            questions[-1] = Question(
                q.key,
                q.text,
                names if arrow.group(1).lower() == "yes" else q.yes,
                names if arrow.group(1).lower() == "no" else q.no,
            )
            continue
        bullet = re.match(r"^[-*]\s+(.+?)\s*→\s*(.+)$", line)
        if bullet and current["key"] == "background":
            backgrounds.append(_background_from_line(bullet.group(1), bullet.group(2)))
    return tuple(questions), tuple(backgrounds)


def _parse_md_quiz(text: str) -> tuple[tuple[Question, ...], tuple[Background, ...]]:
    questions: list[Question] = []
    backgrounds: list[Background] = []
    for heading, body in split_headings(text, "## "):
        key = _question_key(heading)
        if key is None:
            continue
        if key == "background":
            for line in body.splitlines():
                b = re.match(r"^\s*[-*]\s+(?:\*\*)?([^:*]+?)(?:\*\*)?\s*:\s*(.+)$", line)
                if b:
                    backgrounds.append(_background_from_line(b.group(1), b.group(2)))
            continue
        answers: dict[str, tuple[str, ...]] = {}
        for line in body.splitlines():
            a = re.match(r"^\s*[-*]\s+(?:\*\*)?(Yes|No)(?:\*\*)?\s*:\s*(?:\*\*)?\s*(.+)$", line, re.I)
            if a:
                answers[a.group(1).lower()] = _split_names(a.group(2))
        questions.append(Question(key, heading.strip(), answers.get("yes", ()), answers.get("no", ())))
    return tuple(questions), tuple(backgrounds)
