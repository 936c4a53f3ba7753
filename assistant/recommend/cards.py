"""Ranked role cards: the quiz's scores with the guide's reasons, salary, skills to learn and
how to break in, each fact with its numbered source (shared across the cards)."""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from assistant import lexicon
from assistant.plan import NO_LIBRARY, Library, SkillPlan, flatten
from assistant.quiz import (
    BACKGROUND_SECTION,
    QUESTIONS,
    QUIZ_SECTION,
    QuizAnswers,
    background_of,
    quiz_source_of,
    score_roles,
)
from assistant.recommend.profile import has_skill
from assistant.regions import normalize_region
from assistant.roles import BREAK_IN, SALARY, SKILLS, SUITS, RoleFacts
from assistant.salaries import SalaryRange
from core.errors import BadInput

logger = logging.getLogger(__name__)

NO_PROFILE = "The guide lists this track but gives no profile for it (no tasks, skills, salary or advice)."
NO_BREAK_IN = "The guide gives no specific steps for breaking into this role."
NEAREST_REASON = ("your words answer none of the quiz's questions, and they are nearest in meaning to who "
                  "the guide says this role suits")


@dataclass
class RoleCard:
    """One recommended role, with everything the person needs and the guide's sources."""

    role: str
    score: float
    reasons: list[str]
    why: str
    salary: list[dict]  # [{"region", "range", "qualifier", "currency", "low", "high", "open_ended"}]
    skills: list[str]
    skills_to_learn: list[str]
    break_in: str
    sources: list[dict]  # [{"id", "source", "section", "text"}]
    detailed: bool = True
    salary_note: str = ""  # said when the guide has no figure for the person's region
    cites: dict[str, list[int]] = field(default_factory=dict)  # what -> source ids (for rendering)
    plan: list[SkillPlan] = field(default_factory=list)  # lessons per skill to learn (library)
    plan_note: str = ""  # said instead of a plan (no library indexed)

    def to_dict(self) -> dict[str, Any]:
        salary = {}
        for s in self.salary:
            salary[s["region"]] = s["range"] + (f" ({s['qualifier']})" if s["qualifier"] else "")
        return {
            "role": self.role,
            "score": round(self.score, 4),
            "reasons": list(self.reasons),
            "salary": salary,
            "skills": list(self.skills),
            "sources": [dict(s) for s in self.sources],
            "why": self.why,
            "skills_to_learn": list(self.skills_to_learn),
            "break_in": self.break_in,
            "detailed": self.detailed,
            "plan": [s.to_dict() for s in flatten(self.plan)],
            "plan_missing": [p.skill for p in self.plan if not p.steps],
        }


def recommendation_dict(cards: list[RoleCard]) -> dict[str, Any]:
    """The `recommend --json` shape: the roles, and one learning plan for the skills to learn
    across them (each skill once, easiest level first; empty without a library)."""
    seen: dict[str, SkillPlan] = {}
    for card in cards:
        for p in card.plan:
            seen.setdefault(p.skill.lower(), p)
    out: dict[str, Any] = {"roles": [c.to_dict() for c in cards],
                           "plan": [s.to_dict() for s in flatten(list(seen.values()))]}
    note = next((c.plan_note for c in cards if c.plan_note), "")
    if note:
        out["plan_note"] = note
    return out


def add_plans(cards: list[RoleCard], library: Library | None) -> list[RoleCard]:
    """Give every card its learning plan from the library (or, without one, a note saying how
    to add one). A skill is searched once even when several cards list it."""
    if library is None or not library.available:
        for card in cards:
            card.plan, card.plan_note = [], NO_LIBRARY if card.skills_to_learn else ""
        return cards
    cache: dict[str, SkillPlan] = {}
    for card in cards:
        for skill in card.skills_to_learn:
            if skill not in cache:
                cache[skill] = SkillPlan(skill=skill, steps=library.lessons_for(skill))
        card.plan = [cache[s] for s in card.skills_to_learn]
        card.plan_note = ""
    return cards


def skills_to_learn(facts: RoleFacts, have: Sequence[str] = ()) -> list[str]:
    """The role's skill lines that none of the person's skills covers."""
    return [s for s in facts.skills if not has_skill(s, tuple(have))]


def build_cards(answers: QuizAnswers, roles: Mapping[str, RoleFacts], top_n: int = 3,
                nearest: Sequence[str] = ()) -> list[RoleCard]:
    """The top `top_n` roles for `answers`, each with why it fits, salary, skills to learn,
    how to break in and the guide's sections as numbered sources (shared across cards).
    `nearest` orders the roles the answers leave tied (`recommend.nearest.nearest_roles`)."""
    if top_n <= 0:
        raise BadInput("top_n must be a positive number")
    if not roles:
        raise BadInput("no roles to recommend from: is the corpus empty?")
    region = _region_key(answers.region)
    book = _SourceBook()
    quiz_source = quiz_source_of(roles)
    background = background_of(answers.background)
    cards = []
    for scored in score_roles(answers, roles, nearest)[:top_n]:
        facts = roles[scored.role]
        cites: dict[str, list[int]] = {}
        reason_ids = []
        if not scored.matched and scored.role in nearest and facts.sections.get(SUITS):
            scored = replace(scored, reasons=(*scored.reasons, NEAREST_REASON), matched=(*scored.matched, "meaning"))
        for what in scored.matched:
            if what == "meaning":
                sid = book.add(facts.source, facts.citation(SUITS), facts.sections[SUITS])
            elif what == "background":
                text = f"{background.label}: {' or '.join(background.roles)}"
                sid = book.add(quiz_source, f"{QUIZ_SECTION} / {BACKGROUND_SECTION}", text)
            else:
                q = next(q for q in QUESTIONS if q.key == what)
                text = f"{q.text} Yes: {', '.join(q.yes)}. No: {', '.join(q.no)}."
                sid = book.add(quiz_source, f"{QUIZ_SECTION} / {q.text}", text)
            reason_ids.append(sid)
        cites["reasons"] = reason_ids
        card = _card(scored.role, scored.score, list(scored.reasons), facts, answers, region, book, cites)
        cards.append(card)
    return cards


# --------------------------------------------------------------------------- helpers


class _SourceBook:
    """Numbers sources once across all cards, so [n] means the same thing everywhere."""

    def __init__(self) -> None:
        self.ids: dict[tuple[str, str], int] = {}
        self.entries: dict[int, dict] = {}

    def add(self, source: str, section: str, text: str) -> int:
        key = (source, section)
        if key not in self.ids:
            sid = len(self.ids) + 1
            self.ids[key] = sid
            self.entries[sid] = {"id": sid, "source": source, "section": section, "text": text.strip()}
        return self.ids[key]


def _card(
    title: str,
    score: float,
    reasons: list[str],
    facts: RoleFacts,
    answers: QuizAnswers,
    region: str | None,
    book: _SourceBook,
    cites: dict[str, list[int]],
) -> RoleCard:
    def cite(what: str, section: str) -> None:
        text = facts.sections.get(section, "")
        if text:
            cites[what] = [book.add(facts.source, facts.citation(section), text)]

    if not facts.detailed:
        return _listed_card(title, score, reasons, facts, book, cites, cite)
    cite("why", SUITS)
    cite("skills", SKILLS)
    cite("salary", SALARY)
    skills = _skills_for(facts, answers)
    salaries = facts.salary_for(region)
    note = ""
    if region and not salaries and facts.salaries:
        note = f"(the guide gives no figure for {lexicon.REGION_LABEL[region]} for this role)"
        salaries = list(facts.salaries)
    break_in = _break_in(facts, cite)
    ids = sorted({i for ids in cites.values() for i in ids})
    return RoleCard(
        role=title,
        score=score,
        reasons=reasons,
        why=facts.suits or facts.summary or NO_PROFILE,
        salary=[_salary_row(s) for s in salaries],
        skills=list(skills),
        skills_to_learn=[s for s in skills if not has_skill(s, answers.skills)],
        break_in=break_in,
        sources=[book.entries[i] for i in ids],
        detailed=True,
        salary_note=note,
        cites=cites,
    )


def _listed_card(title: str, score: float, reasons: list[str], facts: RoleFacts, book: _SourceBook,
                 cites: dict[str, list[int]], cite: Callable[[str, str], None]) -> RoleCard:
    """A track the guide only lists: what the listing says, and that there is no profile."""
    for section in facts.sections:
        cite("why", section)
        break
    ids = [i for ids in cites.values() for i in ids]
    return RoleCard(role=title, score=score, reasons=reasons, why=NO_PROFILE, salary=[], skills=[],
                    skills_to_learn=[], break_in="", sources=[book.entries[i] for i in ids], detailed=False,
                    cites=cites)


def _break_in(facts: RoleFacts, cite: Callable[[str, str], None]) -> str:
    """How to break in, cited; the published guide has advice for some roles only, and its
    notes may say how hard it is."""
    if facts.break_in:
        cite("break_in", BREAK_IN)
        return facts.break_in
    noted = next((n for n in facts.sections if n not in (SUITS, SKILLS, SALARY)
                  and re.search(r"break in|breaking in|entry point", facts.sections[n], re.I)), None)
    if noted is None:
        return NO_BREAK_IN
    cite("break_in", noted)
    return f"{NO_BREAK_IN} Its note: {_prose(facts.sections[noted])}"


def _salary_row(s: SalaryRange) -> dict[str, Any]:
    return {"region": s.region, "range": s.display(), "qualifier": s.qualifier, "currency": s.currency,
            "low": s.low, "high": s.high, "open_ended": s.open_ended}


def _region_key(region: str | None) -> str | None:
    if region is None or not str(region).strip():
        return None
    key = normalize_region(region)
    if key is None:
        raise BadInput(f"unknown region {region!r}: choose uk, us or global")
    return key


def _skills_for(facts: RoleFacts, answers: QuizAnswers) -> tuple[str, ...]:
    # The guide sends people who don't love coding to the policy track of AI safety.
    if facts.skill_tracks.get("policy") and answers.answer("code") is False:
        return facts.skill_tracks["policy"]
    return facts.skills


def _prose(text: str) -> str:
    return " ".join(ln.strip().lstrip("-* ").strip() for ln in text.splitlines() if ln.strip())
