"""The reader's current background, as the guide's quiz asks it ("What's your current
background?"): the backgrounds the guide names, the roles it points each to, and a free-text
description mapped onto one of them."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

from assistant import off_scope


@dataclass(frozen=True)
class Background:
    """A current background and the roles the guide points it to."""

    key: str
    label: str  # as the guide writes it
    roles: tuple[str, ...]  # as the guide names them


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
# How people say each background, for checking the model's guess of one by meaning.
BACKGROUND_MEANING: dict[str, tuple[str, ...]] = {
    "software engineer": ("I am a software developer", "I write code for a living",
                          "I build backend services and web apps", "I work in devops keeping servers running"),
    "data analyst": ("I am a data analyst", "I build dashboards and reports in Excel and SQL", "I analyse business data"),
    "product manager": ("I am a product manager", "I own the product roadmap", "I lead a product team"),
    "writer/communications": ("I am a writer", "I work as a journalist", "I write marketing copy",
                              "I work in communications and PR"),
    "academic/researcher": ("I am an academic researcher", "I have a PhD and publish papers",
                            "I lecture at a university", "I am a postdoc in a lab"),
}


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
            for m in re.finditer(rf"(?:(?<![\w-])|(?<=\bex-)){pattern}(?![\w])", clean, flags):  # "ex-journalist"
                before = clean[max(0, m.start() - 40) : m.start()]
                if _NEGATION.search(before):
                    continue
                weight += w * (0.5 if _FORMER.search(before) else 1.0)
                first = min(first, m.start())
        if weight > 0 and (best is None or (weight, -first) > (best[0], -best[1])):
            best = (weight, first, key)
    return best[2] if best else "other"


def names_an_unlisted_job(text: str) -> bool:
    """True when the text names a job that is none of the guide's backgrounds ("I'm a vet"):
    the person has said what they are, so no guess of a background may stand in for it."""
    low = text.lower()
    return any(re.search(rf"(?<![\w-]){re.escape(job)}(?:s|es)?(?![\w-])", low) for job in _unlisted_jobs())


@cache
def _unlisted_jobs() -> tuple[str, ...]:
    return tuple(job for job in off_scope.OTHER_JOBS if parse_background(job) == "other")
