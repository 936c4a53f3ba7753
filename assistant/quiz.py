"""The guide's "How to choose your path" quiz as data, and pure-Python scoring of every role."""

from __future__ import annotations

import logging
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

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


@dataclass(frozen=True)
class Background:
    """A current background and the roles the guide points it to."""

    key: str
    label: str  # as the guide writes it
    roles: tuple[str, ...]  # as the guide names them


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
BACKGROUND_QUESTION = "What's your current background?"
BACKGROUNDS: tuple[Background, ...] = (
    Background("software engineer", "Software engineer", ("ML Engineer", "MLOps")),
    Background("data analyst", "Data analyst", ("Data Scientist",)),
    Background("product manager", "Product manager", ("AI Product Manager",)),
    Background(
        "writer/communications", "Writer/communications", ("Prompt Engineer/AI Solutions Specialist",)
    ),
    Background("academic/researcher", "Academic/researcher", ("Research Scientist", "AI Safety")),
    Background("other", "Other", ()),
)
BACKGROUND_KEYS: tuple[str, ...] = tuple(b.key for b in BACKGROUNDS)

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

# parse_background: (pattern, weight). Job titles weigh 3, telling activities 1.
_NOT_CODE = r"(?!\s+(?:code|coding|software|programs?|scripts?|tests?|sql|python|queries|apps?|functions)\b)"
_BACKGROUND_PATTERNS: dict[str, tuple[tuple[str, float], ...]] = {
    "software engineer": (
        (r"software\s+(?:engineer|developer|dev)\w*", 3),
        (r"developers?", 3),
        (r"programmers?", 3),
        (r"coders?", 3),
        (r"(?:back|front)[\s-]?end", 2),
        (r"full[\s-]?stack", 2),
        (r"web\s+dev\w*", 3),
        (r"devops", 3),
        (r"SRE", 3),
        (r"site reliability", 3),
        (r"SWE", 3),
        (
            r"(?:write|writing|wrote|ship|shipping)\s+(?:production\s+)?(?:code|software)\s+for\s+a\s+living",
            3,
        ),
        (r"(?:java|javascript|typescript|c\+\+|golang|rust|react|django)\b", 1),
        (r"(?:building|build|built)\s+(?:web\s+)?(?:apps|services|apis|microservices|backends?)", 1),
    ),
    "data analyst": (
        (r"(?:data|business|financial|marketing|bi)\s+analysts?", 3),
        (r"analysts?", 2),
        (r"business intelligence", 2),
        (r"BI", 2),
        (r"dashboards?", 1),
        (r"excel", 1),
        (r"tableau", 1),
        (r"power\s*bi", 1),
        (r"spreadsheets?", 1),
        (r"reporting", 1),
        (r"(?:data\s+)?analytics", 1),
        (r"sql\s+(?:queries|reports)", 1),
    ),
    "product manager": (
        (r"product\s+managers?", 3),
        (r"PMs?", 3),
        (r"product\s+owners?", 3),
        (r"product\s+management", 3),
        (r"product\s+leads?", 3),
        (r"roadmaps?", 1),
        (r"product\s+(?:team|launches|features)", 1),
    ),
    "writer/communications": (
        (r"writers?", 3),
        (r"journalis\w+", 3),
        (r"copywrit\w+", 3),
        (r"editors?", 3),
        (r"communications?" + _NOT_CODE, 2),
        (r"comms", 3),
        (r"PR", 2),
        (r"public relations", 3),
        (r"content\s+(?:creator|writer|strategist|designer|marketer|marketing)s?", 3),
        (r"bloggers?", 3),
        (r"authors?", 2),
        (r"storytell\w+", 1),
        (r"marketing", 1),
        (r"blog\w*", 1),
        (r"writ(?:e|es|ing)" + _NOT_CODE, 1),
        (r"words", 1),
    ),
    "academic/researcher": (
        (r"academics?", 3),
        (r"academia", 3),
        (r"researchers?", 3),
        (r"ph\.?\s?d\w*", 3),
        (r"doctoral", 3),
        (r"post-?docs?", 3),
        (r"professors?", 3),
        (r"lecturers?", 3),
        (r"research\s+(?:fellow|assistant|group|lab)", 3),
        (r"(?:publish|published|publishing)\s+(?:papers|research)", 2),
        (r"thesis", 1),
        (r"dissertation", 1),
        (r"universit(?:y|ies)", 1),
    ),
}
# Mentions of a target role are not a background ("I want to be an AI researcher").
_TARGET_ROLES = re.compile(
    r"\b(?:AI|ML|AI/ML)\s+(?:product\s+managers?|PMs?|researchers?|engineers?|research\s+scientists?)\b"
    r"|\b(?:research\s+scientists?|prompt\s+engineer\w*|ML\s*Ops\w*|safety\s+researchers?|"
    r"ethics\s+researchers?|data\s+scientists?)\b",
    re.IGNORECASE,
)
_CASE_SENSITIVE = {"SRE", "SWE", "BI", "PMs?", "PR"}
_NEGATION = re.compile(r"(?:\bnot|\bnever|\bno|n't|\bnon)[\s-]+(?:\w+[\s-]+){0,2}$", re.IGNORECASE)
_FORMER = re.compile(
    r"(?:former(?:ly)?|ex-|used to be|previously|once|retired)\s*(?:an?\s+)?(?:\w+\s+){0,1}$", re.IGNORECASE
)


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


def score_roles(answers: QuizAnswers, roles: Mapping[str, RoleFacts]) -> list[ScoredRole]:
    """Rank every role in `roles` by the guide's rules.

    A role gets a point for each answer whose list in the guide names it, and
    BACKGROUND_WEIGHT for being named for the person's background, so the background's
    roles come first. Ties: the background's own order ("ML Engineer or MLOps"), then the
    guide's order of the ten tracks.
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
            reasons.append(f"the guide suggests this role for your background ({background.key})")
            matched.append("background")
        for q in answered:
            answer = bool(answers.answer(q.key))
            names = [n for n in q.names(answer) if _title(n) == title]
            if names:
                points += 1
                track = _track_note(names[0])
                reasons.append(f'you answered {"yes" if answer else "no"} to "{q.text}"{track}')
                matched.append(q.key)
        score = round(points / maximum, 4) if maximum else 0.0
        key = (
            -points,
            bg_titles.index(title) if title in bg_titles else len(bg_titles),
            order.get(title, len(order)),
            title,
        )
        scored.append((key, ScoredRole(title, score, tuple(reasons), tuple(matched))))
    scored.sort(key=lambda pair: pair[0])
    return [s for _, s in scored]


def background_of(text: str) -> Background:
    """The Background for a key, a label or a free-text description."""
    key = text.strip().lower() if text else "other"
    for b in BACKGROUNDS:
        if key in (b.key, b.label.lower()):
            return b
    key = parse_background(text or "")
    return next(b for b in BACKGROUNDS if b.key == key)


def parse_background(text: str) -> str:
    """Map a free-text self-description to one of the guide's backgrounds (BACKGROUND_KEYS).

    "I'm a teacher who loves writing" -> "writer/communications"; "software developer" ->
    "software engineer"; anything the guide does not name -> "other". Job titles outweigh
    activities; negated ("not a developer") and target-role mentions ("want to be an AI
    PM") do not count; former jobs count half.
    """
    if not text or not text.strip():
        return "other"
    stripped = text.strip().lower()
    for b in BACKGROUNDS:
        if stripped in (b.key, b.label.lower()):
            return b.key
    clean = _TARGET_ROLES.sub(" ", text)
    best: tuple[float, int, str] | None = None
    for key, patterns in _BACKGROUND_PATTERNS.items():
        weight = 0.0
        first = len(clean)
        for pattern, w in patterns:
            flags = 0 if pattern in _CASE_SENSITIVE else re.IGNORECASE
            for m in re.finditer(rf"(?<![\w-]){pattern}(?![\w])", clean, flags):
                before = clean[max(0, m.start() - 40) : m.start()]
                if _NEGATION.search(before):
                    continue
                weight += w * (0.5 if _FORMER.search(before) else 1.0)
                first = min(first, m.start())
        if weight > 0 and (best is None or (weight, -first) > (best[0], -best[1])):
            best = (weight, first, key)
    return best[2] if best else "other"


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
    m = re.search(
        r"^##\s+How to Choose Your Path\s*$(.*?)(?=^##\s|\Z)", text, re.MULTILINE | re.DOTALL | re.I
    )
    if not m:
        raise BadInput("no 'How to Choose Your Path' section in the guide")
    questions: list[Question] = []
    backgrounds: list[Background] = []
    current: dict | None = None
    for line in m.group(1).splitlines():
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
    sections = re.split(r"^##\s+", text, flags=re.MULTILINE)[1:]
    for section in sections:
        heading, _, body = section.partition("\n")
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
