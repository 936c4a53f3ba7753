"""The "Find your path" form: the quiz's answers from the form's values, the ranked role
cards with their sources, and the course library the cards' plans come from."""

from __future__ import annotations

import logging
import re
import threading
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

from assistant.webapp.page import ANY_REGION, REGION_CHOICES
from assistant.webapp.render import card_html, card_sources_html, lesson_sources_html, render
from assistant.webapp.text import region_label
from core.errors import BadInput, CareerAssistantError
from core.settings import Settings

if TYPE_CHECKING:
    from assistant.plan import Library
    from assistant.quiz import QuizAnswers
    from assistant.recommend import RoleCard
    from assistant.roles import RoleFacts

logger = logging.getLogger(__name__)

MAX_SKILLS = 20


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
    from assistant.recommend import add_plans, build_cards, recommendation_dict

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
        said.append(f"region: {region_label(answers.region)}")
    basis = "; ".join(said) if said else "no answers yet, so every role starts equal"
    return render("quiz_intro.html", basis=basis)
