"""Personalised path recommendations: quiz answers -> ranked role cards grounded in the guide."""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from langchain_core.language_models import BaseChatModel
from langchain_core.messages import HumanMessage, SystemMessage
from pydantic import BaseModel, ValidationError, field_validator

from assistant import lexicon
from assistant.plan import NO_LIBRARY, Library, SkillPlan, flatten
from assistant.quiz import (
    BACKGROUND_KEYS,
    BACKGROUND_SECTION,
    QUESTIONS,
    QUIZ_SECTION,
    QuizAnswers,
    background_of,
    guide_titles,
    parse_background,
    score_roles,
)
from assistant.roles import (
    BREAK_IN,
    SALARY,
    SKILLS,
    SUITS,
    RoleFacts,
    find_roles,
    known_roles,
    normalize_region,
    region_in_text,
)
from core.errors import BadInput

logger = logging.getLogger(__name__)

ANSWERS_SYSTEM = (
    "You read a person's self-description and fill in a career quiz. Reply with one JSON object only."
)
ANSWERS_PROMPT = """Description: "{text}"
Keys (true, false, or null when the description does not say):
"code": loves writing code for its own sake?
"research": drawn to research and open-ended problems?
"stakeholders": enjoys working with business stakeholders?
"background": one of {backgrounds}
JSON:"""
SUMMARY_SYSTEM = (
    "You are a careers adviser. Use only the facts in the sources. Cite each fact with its "
    "source number, e.g. [2]. Do not add salaries, skills or advice that the sources do not state."
)
SUMMARY_PROMPT = """Sources:
{sources}

About the reader: {person}
Recommended roles, best first: {roles}
In two or three sentences, speaking to the reader as "you", explain why the first role suits them, citing [n]. Say nothing about the reader beyond what is stated above."""
NO_PROFILE = "The guide lists this track but gives no profile for it (no tasks, skills, salary or advice)."
NO_BREAK_IN = "The guide gives no specific steps for breaking into this role."
_MAX_DESCRIPTION_CHARS = 600

_PATH_PATTERNS = [
    r"\b(?:suits?|fits?|right for|best for|good for|matches|match)\s+(?:me|my|someone like me)\b",
    r"\b(?:what|which)\s+(?:ai\s+|ml\s+)?(?:role|path|career|track|job|position)s?\s+"
    r"(?:should|would|could|can|might|do|is|are|fits?|suits?)\b.*\b(?:i|me|my)\b",
    r"\b(?:which|what)\s+(?:ai\s+)?(?:role|path|career|track)s?\s+(?:should|would|to)\b",
    r"\b(?:which|what)\s+(?:ai\s+|ml\s+)?(?:role|path|career|track|job)s?\s+(?:\w+\s+){1,3}for\s+me\b",
    r"\bwhat\s+should\s+i\s+(?:do|choose|pick|go for|pursue|aim for|become|study)\b",
    r"\bwhich\s+(?:one|path|track|role)\s+(?:should\s+i|is\s+for\s+me|to\s+choose)\b",
    r"\b(?:recommend|suggest)\w*\b.*\b(?:role|path|career|track|job)s?\b",
    r"\b(?:choose|pick|find)\s+(?:my|a|the right|the best)\s+(?:ai\s+)?(?:path|role|career|track)\b",
    r"\b(?:take|do|start)\s+the\s+quiz\b",
    r"\bwhere\s+(?:do|should|would|could)\s+i\s+(?:fit|start|begin)\b",
    r"\b(?:career\s+change|switch(?:ing)?\s+careers?|change\s+careers?)\b",
    r"\b(?:an?\s+)?(?:ai\s+|ml\s+)?(?:role|path|career|track|job|place)s?\s+(?:for|in ai for)\s+(?:me|someone like me)\b",
]
# "How do I get into AI?" asks for a path; "How do I get into ML engineering?" asks how to
# break into one role, which the chat answers from that role's section.
_GET_INTO_AI = re.compile(
    r"\bhow\s+(?:do|can|should|could)\s+i\s+(?:get|move|switch|transition|break)\s+into\s+"
    r"(?:ai|ml|machine learning)\b",
    re.I,
)
_SELF_DESCRIPTION = re.compile(r"\b(?:i'?m|i am|i work|i've been|i have been|my background|as an?)\b", re.I)
_ASKS_ABOUT_AI_CAREER = re.compile(
    r"\b(?:what|which|where|how|should)\b.*\b(?:ai|ml|machine learning|role|path|career)\b", re.I
)

_CODE_YES = [
    r"\b(?:love|enjoy|like|adore|passion(?:ate)? (?:for|about))\w*\s+(?:\w+\s+){0,2}"
    r"(?:cod(?:e|ing)|programming|writing software|hacking on)",
    r"\bcoding is (?:my|fun|what)",
    r"\b(?:i code|code for fun|side projects)\b",
]
_CODE_NO = [
    r"(?:don't|do not|never|hate|dislike|not (?:into|big on|keen on|a fan of)|rather not|can't|cannot)"
    r"\s+(?:\w+\s+){0,2}(?:cod(?:e|ing)|programming|program)",
    r"\bnon-?\s?technical\b",
    r"\bnot (?:very |particularly |that )?technical\b",
    r"\bnot an? (?:\w+\s)?(?:programmer|coder|developer)\b",
    r"\bno coding\b",
]
_RESEARCH_YES = [
    r"\b(?:love|enjoy|like|drawn to|passion(?:ate)? (?:for|about)|fascinated by|curious about)\w*\s+"
    r"(?:\w+\s+){0,3}(?:research|open-ended|unsolved|experiments?|papers|theory|hard problems)",
    r"\bopen-ended problems\b",
    r"\bpublish(?:ed|ing)?\s+papers\b",
]
_RESEARCH_NO = [
    r"(?:don't|do not|never|hate|dislike|not (?:into|drawn to|interested in|keen on))\s+"
    r"(?:\w+\s+){0,2}(?:research|theory|open-ended|academia)",
    r"\bprefer\w*\s+(?:\w+\s+){0,2}(?:practical|hands-on|concrete|shipping)\b",
]
_STAKE_YES = [
    r"\b(?:love|enjoy|like|good at|thrive)\w*\s+(?:\w+\s+){0,3}(?:stakeholders?|clients?|customers?|"
    r"the business|business side|people|presenting|meetings|explaining)",
    r"\bpeople person\b",
    r"\bclient-facing\b",
    r"\bcustomer-facing\b",
]
_STAKE_NO = [
    r"(?:don't|do not|never|hate|dislike|avoid|not (?:into|keen on|a fan of)|rather not)\s+"
    r"(?:\w+\s+){0,3}(?:stakeholders?|clients?|meetings|the business|people|presenting|politics)",
    r"\bprefer\w*\s+(?:to\s+)?(?:work(?:ing)?\s+)?alone\b",
    r"\bintrovert",
    r"\bheads-down\b",
]
# The model may answer a quiz question only when the description touches on its subject:
# asked about "I don't enjoy coding", the small model also "answers" research and
# stakeholders (and guesses a background) from nothing, and that guess can outrank the
# one thing the person did say.
_TOPIC_CUES = {
    "code": re.compile(r"\b(?:cod(?:e|es|ing)|program\w*|software|developer|develop(?:ing)? \w+|"
                       r"engineer\w*|scripts?|technical|python|hack\w*)\b", re.I),
    "research": re.compile(r"\b(?:research\w*|papers?|theor\w*|experiment\w*|academi\w*|phd|"
                           r"science|scientist|open-ended|unsolved|curio\w*|discover\w*|math\w*|"
                           r"stud(?:y|ies|ying)|puzzles?)\b", re.I),
    "stakeholders": re.compile(r"\b(?:stakeholders?|business\w*|clients?|customers?|people|meetings?|"
                               r"teams?|communicat\w*|present\w*|managers?|users?|products?|sales|"
                               r"talk\w*|negotiat\w*)\b", re.I),
}

_FALLBACK = {
    "code": (_CODE_YES, _CODE_NO),
    "research": (_RESEARCH_YES, _RESEARCH_NO),
    "stakeholders": (_STAKE_YES, _STAKE_NO),
}

# Skill words worth recognising in a description (the guide's own skill vocabulary).
_SKILL_WORDS = (
    "python",
    "sql",
    "statistics",
    "probability",
    "machine learning",
    "pytorch",
    "tensorflow",
    "scikit-learn",
    "pandas",
    "numpy",
    "docker",
    "kubernetes",
    "aws",
    "gcp",
    "azure",
    "cloud",
    "ci/cd",
    "mlflow",
    "airflow",
    "tableau",
    "power bi",
    "communication",
    "storytelling",
    "product management",
    "stakeholder management",
    "linear algebra",
    "calculus",
    "academic writing",
    "policy analysis",
    "research",
    "shell scripting",
    "data visualisation",
    "data analysis",
    "version control",
    "testing",
    "rag",
    "vector databases",
)
_SYNONYMS = {
    "ml": "machine learning",
    "k8s": "kubernetes",
    "stats": "statistics",
    "viz": "visualisation",
    "data visualization": "data visualisation",
    "git": "version control",
    "communications": "communication",
}


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
    return [s for s in facts.skills if not _has_skill(s, tuple(have))]


class DescriptionAnswers(BaseModel):
    """What the model may reply when turning a description into quiz answers."""

    code: bool | None = None
    research: bool | None = None
    stakeholders: bool | None = None
    background: str | None = None

    @field_validator("code", "research", "stakeholders", mode="before")
    @classmethod
    def _lenient_bool(cls, v: Any) -> Any:
        if isinstance(v, str) and v.strip().lower() in ("", "null", "none", "unknown", "n/a", "not said"):
            return None
        return v


def build_cards(answers: QuizAnswers, roles: Mapping[str, RoleFacts], top_n: int = 3) -> list[RoleCard]:
    """The top `top_n` roles for `answers`, each with why it fits, salary, skills to learn,
    how to break in and the guide's sections as numbered sources (shared across cards)."""
    if top_n <= 0:
        raise BadInput("top_n must be a positive number")
    if not roles:
        raise BadInput("no roles to recommend from: is the corpus empty?")
    region = _region_key(answers.region)
    book = _SourceBook()
    quiz_source = _quiz_source(roles)
    background = background_of(answers.background)
    cards = []
    for scored in score_roles(answers, roles)[:top_n]:
        facts = roles[scored.role]
        cites: dict[str, list[int]] = {}
        reason_ids = []
        for what in scored.matched:
            if what == "background":
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


def render_markdown(cards: list[RoleCard], answers: QuizAnswers, summary: str | None = None) -> str:
    """The cards as markdown for the chat and the CLI: numbered roles with fit, reasons,
    salary, skills to learn, how to break in, the personal summary if any, and the sources as [n]."""
    if not cards:
        return "I could not rank any roles: the guide's role files are missing."
    lines = [f"**Your AI career paths, from the guide's quiz** ({_describe(answers)})", ""]
    for i, card in enumerate(cards, 1):
        lines.append(f"### {i}. {card.role} — {round(card.score * 100)}% fit")
        lines.append(f"**Why it fits:** {card.why}{_refs(card.cites.get('why'))}")
        if card.reasons:
            reasons = "; ".join(
                f"{r}{_refs([sid])}"
                for r, sid in zip(card.reasons, card.cites.get("reasons", []), strict=False)
            )
            lines.append(f"- **Because** {reasons}")
        if card.detailed:
            if card.salary:
                label = "Salary (the guide's 2026 estimates)"
                ranges = "; ".join(
                    f"{s['region']}: {s['range']}" + (f" ({s['qualifier']})" if s["qualifier"] else "")
                    for s in card.salary
                )
                note = f" {card.salary_note}" if card.salary_note else ""
                lines.append(f"- **{label}:** {ranges}{_refs(card.cites.get('salary'))}{note}")
            if card.skills_to_learn:
                lines.append(
                    f"- **Skills to learn:** {'; '.join(card.skills_to_learn)}"
                    f"{_refs(card.cites.get('skills'))}"
                )
            elif card.skills:
                lines.append(
                    f"- **Skills:** you already have the skills the guide lists"
                    f"{_refs(card.cites.get('skills'))}"
                )
            lines.append(f"- **How to break in:** {card.break_in}{_refs(card.cites.get('break_in'))}")
            lines.extend(_plan_lines(card))
        lines.append("")
    if summary:
        lines += [f"**For you:** {summary.strip()}", ""]
    seen: set[int] = set()
    lines.append("**Sources**")
    for card in cards:
        for s in card.sources:
            if s["id"] not in seen:
                seen.add(s["id"])
                lines.append(f"[{s['id']}] {s['section']} ({Path(s['source']).name})")
    return "\n".join(lines).rstrip() + "\n"


def is_path_request(question: str) -> bool:
    """True when the question asks which AI role or path suits the asker (not a fact about a role)."""
    q = (question or "").strip()
    if not q:
        return False
    low = q.lower()
    if any(re.search(p, low) for p in _PATH_PATTERNS):
        return True
    if _GET_INTO_AI.search(q) and not find_roles(q, known_roles()):
        return True
    # "I'm a nurse. Where does AI come in for me?": a self-description plus an open career
    # question that names no particular role.
    return bool(
        _SELF_DESCRIPTION.search(q)
        and _ASKS_ABOUT_AI_CAREER.search(q)
        and "?" in q
        and not find_roles(q, known_roles())
    )


def answers_from_description(text: str, chat_model: BaseChatModel | None) -> QuizAnswers:
    """Turn a free-text self-description into QuizAnswers.

    Explicit phrases ("I don't like coding") found by keyword win; the model's JSON fills in
    what they miss, but only for questions whose subject the text mentions; when the model is
    None or returns nothing usable, keywords alone. The background comes from parse_background
    first; the model's guess only when that finds none, the text says what the person is or
    does, and the guess does not contradict what they said outright.
    Questions nobody could answer go to `unanswered` and do not move the ranking.
    """
    text = (text or "").strip()
    if not text:
        raise BadInput("describe yourself in a sentence or two (your background and what you enjoy)")
    keyword = {key: _keyword_answer(text, key) for key in _FALLBACK}
    model = _model_answers(text, chat_model) if chat_model is not None else None
    if chat_model is not None:
        logger.info(
            "quiz answers: model reply %s; keywords found %s",
            "usable" if model else "not usable",
            {k: v for k, v in keyword.items() if v is not None},
        )
    values: dict[str, bool | None] = {}
    for key, found in keyword.items():
        guess = getattr(model, key) if model and _TOPIC_CUES[key].search(text) else None
        values[key] = found if found is not None else guess
    background = parse_background(text)
    if background == "other" and model and model.background and _describes_self(text):
        guess = model.background.strip().lower()
        guess = guess if guess in BACKGROUND_KEYS else parse_background(guess)
        background = "other" if _contradicts(guess, keyword) else guess
    return QuizAnswers(
        code=bool(values["code"]),
        research=bool(values["research"]),
        stakeholders=bool(values["stakeholders"]),
        background=background,
        skills=_skills_in(text),
        region=region_in_text(text),
        unanswered=tuple(k for k, v in values.items() if v is None),
    )


_SELF_STATEMENT = re.compile(
    r"\b(?:i'?m|i am|i've|i have been|my (?:background|job|work|degree|career)|i (?!(?:don't|do|did|does|"
    r"enjoy|like|love|hate|prefer|want|would|wish|hope|think|feel|really|just|also|never|can't|cannot|"
    r"need|should|could|may|might|will)\b)[a-z]+)\b",
    re.I,
)


def _describes_self(text: str) -> bool:
    """True when a statement (not a question) says what the person is or does: "I turn
    complicated topics into clear articles", not "How do I break into ML engineering?"."""
    return any(
        _SELF_STATEMENT.search(sentence)
        for sentence in re.split(r"(?<=[.!?;])\s+", text)
        if not sentence.rstrip().endswith("?")
    )


def _contradicts(background: str, stated: Mapping[str, bool | None]) -> bool:
    """True when every role the guide gives `background` sits on the other side of an answer
    the person stated outright: the model's "software engineer" for "I don't enjoy coding"."""
    titles = set(guide_titles(background_of(background).roles))
    if not titles:
        return False
    return any(
        titles <= set(guide_titles(q.names(not stated[q.key])))
        for q in QUESTIONS
        if stated.get(q.key) is not None
    )


def personal_summary(
    cards: list[RoleCard],
    answers: QuizAnswers,
    chat_model: BaseChatModel | None,
    check: Callable[[str, list[str]], list[str]],
) -> str | None:
    """A short personalised summary by the model, or None when there is no model, it fails,
    or `check(summary, source_texts)` (the chat's grounding check) reports problems."""
    if chat_model is None or not cards:
        return None
    if not _person(answers):  # nothing to personalise: the model would make the person up
        return None
    # Every source of the cards, by id: `check` reads [n] as the n-th text.
    by_id = {s["id"]: s for card in cards for s in card.sources}
    if sorted(by_id) != list(range(1, len(by_id) + 1)):
        logger.warning("no personalised summary: the cards' source ids are not 1..n")
        return None
    # Only the "who it suits" sections go in the prompt: the small model reads ~80 tokens/s.
    shown = list({i: by_id[i] for card in cards for i in card.cites.get("why", [])}.values())
    if not shown:
        return None
    prompt = SUMMARY_PROMPT.format(
        sources="\n".join(f"[{s['id']}] {s['section']}: {s['text']}" for s in shown),
        person=_person(answers),
        roles=", ".join(c.role for c in cards),
    )
    try:
        reply = chat_model.invoke([SystemMessage(SUMMARY_SYSTEM), HumanMessage(prompt)])
    except Exception as exc:  # the summary is optional: the cards stand on their own
        logger.warning("no personalised summary: the model failed (%s)", exc)
        return None
    summary = _text_of(reply).strip()
    if not summary:
        return None
    problems = check(summary, [by_id[i]["text"] for i in sorted(by_id)])
    problems += _off_target(summary, cards, answers)
    if problems:
        logger.info("dropping the personalised summary: %s", "; ".join(problems))
        return None
    return summary


def answer_path_request(
    question: str,
    roles: Mapping[str, RoleFacts],
    chat_model: BaseChatModel | None,
    check: Callable[[str, list[str]], list[str]] | None = None,
    top_n: int = 3,
) -> tuple[str, list[RoleCard]]:
    """The chat's reply to a path request: the cards as markdown, with a grounded summary
    after them when a model and a check are given (the last step of `stream_path_request`)."""
    text, cards = "", []
    for text, cards in stream_path_request(question, roles, chat_model, check, top_n):
        pass
    return text, cards


def stream_path_request(
    question: str,
    roles: Mapping[str, RoleFacts],
    chat_model: BaseChatModel | None,
    check: Callable[[str, list[str]], list[str]] | None = None,
    top_n: int = 3,
) -> Iterator[tuple[str, list[RoleCard]]]:
    """The reply to a path request as it improves: first the cards from what the text says
    outright (no model call, so they show at once); then, only if the model's reading of the
    text changes the answers, the cards again; then the cards with the personal summary.
    Each yield is the whole reply so far; a reply equal to the previous one is not yielded."""
    stated = answers_from_description(question, None)
    cards = build_cards(stated, roles, top_n=top_n)
    text = render_markdown(cards, stated)
    yield text, cards
    answers = stated
    if chat_model is not None and model_can_add(question):
        answers = answers_from_description(question, chat_model)
        if answers != stated:
            cards = build_cards(answers, roles, top_n=top_n)
            if render_markdown(cards, answers) != text:
                text = render_markdown(cards, answers)
                yield text, cards
    if check is not None:
        summary = personal_summary(cards, answers, chat_model, check)
        if summary:
            yield render_markdown(cards, answers, summary), cards


def model_can_add(text: str) -> bool:
    """Could the model's reading of `text` change its quiz answers? Only where the text
    touches a question's subject without answering it outright, or says what the person
    does without naming a background the guide knows."""
    open_question = any(_keyword_answer(text, key) is None and _TOPIC_CUES[key].search(text) for key in _FALLBACK)
    return open_question or (parse_background(text) == "other" and _describes_self(text))


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
        for section in facts.sections:
            cite("why", section)
            break
        ids = [i for ids in cites.values() for i in ids]
        return RoleCard(
            role=title,
            score=score,
            reasons=reasons,
            why=NO_PROFILE,
            salary=[],
            skills=[],
            skills_to_learn=[],
            break_in="",
            sources=[book.entries[i] for i in ids],
            detailed=False,
            cites=cites,
        )
    cite("why", SUITS)
    cite("skills", SKILLS)
    cite("salary", SALARY)
    skills = _skills_for(facts, answers)
    salaries = facts.salary_for(region)
    note = ""
    if region and not salaries and facts.salaries:
        note = f"(the guide gives no figure for {lexicon.REGION_LABEL[region]} for this role)"
        salaries = list(facts.salaries)
    break_in = facts.break_in
    if break_in:
        cite("break_in", BREAK_IN)
    else:
        # The published guide has advice for some roles only; its notes may say how hard it is.
        noted = next(
            (
                n
                for n in facts.sections
                if n not in (SUITS, SKILLS, SALARY)
                and re.search(r"break in|breaking in|entry point", facts.sections[n], re.I)
            ),
            None,
        )
        if noted:
            break_in = f"{NO_BREAK_IN} Its note: {_prose(facts.sections[noted])}"
            cite("break_in", noted)
        else:
            break_in = NO_BREAK_IN
    ids = sorted({i for ids in cites.values() for i in ids})
    return RoleCard(
        role=title,
        score=score,
        reasons=reasons,
        why=facts.suits or facts.summary or NO_PROFILE,
        salary=[
            {
                "region": s.region,
                "range": s.display(),
                "qualifier": s.qualifier,
                "currency": s.currency,
                "low": s.low,
                "high": s.high,
                "open_ended": s.open_ended,
            }
            for s in salaries
        ],
        skills=list(skills),
        skills_to_learn=[s for s in skills if not _has_skill(s, answers.skills)],
        break_in=break_in,
        sources=[book.entries[i] for i in ids],
        detailed=True,
        salary_note=note,
        cites=cites,
    )




def _plan_lines(card: RoleCard) -> list[str]:
    """"Learn next": the card's lessons, easiest first, each with its quoted reason and file."""
    if card.plan_note:
        return [f"- **Learn next:** {card.plan_note}"]
    steps = flatten(card.plan)
    if not card.plan:
        return []
    lines = ["- **Learn next** (lessons from the course library):"]
    for step in steps:
        level = f", level {step.level}" if step.level is not None else ""
        lines.append(f"  - {step.title} ({step.section}{level}; {Path(step.source).name}), "
                     f"for *{step.skill}*: “{step.why}”")
    missing = [p.skill for p in card.plan if not p.steps]
    if missing:
        lines.append(f"  - The library has no lesson on: {'; '.join(missing)}")
    return lines


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


def _norm_skill(text: str) -> str:
    t = re.sub(r"\s+", " ", text.lower()).strip()
    return _SYNONYMS.get(t, t)


def _has_skill(role_skill: str, person_skills: tuple[str, ...]) -> bool:
    """Whether one of the person's skills covers a skill line of the guide."""
    line = role_skill.lower()
    head = re.split(r"\s[(—–-]|,|\s(?:and|with|for)\s", line, maxsplit=1)[0].strip()
    head = re.sub(r"^(?:strong|basic|deep|usually|often|frequently,?|a|an|the)\s+", "", head)
    for skill in person_skills:
        s = _norm_skill(skill)
        if not s:
            continue
        if re.search(rf"(?<!\w){re.escape(s)}(?!\w)", line):
            return True
        if head and len(head) > 2 and re.search(rf"(?<!\w){re.escape(head)}(?!\w)", s):
            return True
    return False


def _skills_in(text: str) -> tuple[str, ...]:
    low = text.lower()
    found = [w for w in _SKILL_WORDS if re.search(rf"(?<![\w/]){re.escape(w)}(?![\w/])", low)]
    for short, long in _SYNONYMS.items():
        if long not in found and re.search(rf"(?<!\w){re.escape(short)}(?!\w)", low) and long in _SKILL_WORDS:
            found.append(long)
    return tuple(found)


def _keyword_answer(text: str, key: str) -> bool | None:
    yes, no = _FALLBACK[key]
    low = text.lower()
    if any(re.search(p, low) for p in no):
        return False
    if any(re.search(p, low) for p in yes):
        return True
    return None


def _model_answers(text: str, chat_model: BaseChatModel) -> DescriptionAnswers | None:
    prompt = ANSWERS_PROMPT.format(
        text=text[:_MAX_DESCRIPTION_CHARS].replace('"', "'"),
        backgrounds=", ".join(f'"{k}"' for k in BACKGROUND_KEYS),
    )
    try:
        # Stopping at the closing brace saves the small local model from explaining itself.
        reply = chat_model.invoke([SystemMessage(ANSWERS_SYSTEM), HumanMessage(prompt)], stop=["}"])
    except Exception as exc:  # keywords still answer; the chat must not fail on this
        logger.warning("quiz answers from keywords only: the model failed (%s)", exc)
        return None
    return parse_model_answers(_text_of(reply))


def parse_model_answers(reply: str) -> DescriptionAnswers | None:
    """The model's quiz answers from its reply (JSON, maybe wrapped in prose or a code fence,
    maybe cut at the closing brace), or None when nothing usable is in it."""
    start = reply.find("{")
    if start < 0:
        return None
    body = reply[start:]
    end = body.find("}")
    body = body[: end + 1] if end >= 0 else body.rstrip().rstrip(",") + "}"
    candidates = [
        body,
        re.sub(r"\bTrue\b", "true", re.sub(r"\bFalse\b", "false", re.sub(r"\bNone\b", "null", body))).replace(
            "'", '"'
        ),
    ]
    for candidate in candidates:
        try:
            data = json.loads(candidate)
        except json.JSONDecodeError:
            continue
        if not isinstance(data, dict):
            continue
        data = {str(k).strip().lower(): v for k, v in data.items()}
        try:
            parsed = DescriptionAnswers.model_validate(
                {k: data.get(k) for k in ("code", "research", "stakeholders", "background")}
            )
        except ValidationError:
            continue
        if parsed.background is not None and not isinstance(parsed.background, str):
            parsed.background = None
        if any(getattr(parsed, k) is not None for k in ("code", "research", "stakeholders", "background")):
            return parsed
    return None


def _text_of(message: Any) -> str:
    text = getattr(message, "text", None)
    if isinstance(text, str):  # langchain-core 1.x: a str property
        return str(text)
    if callable(text):  # older langchain-core: a method
        text = text()
        if isinstance(text, str):
            return text
    content = getattr(message, "content", message)
    return content if isinstance(content, str) else str(content)


def _prose(text: str) -> str:
    return " ".join(ln.strip().lstrip("-* ").strip() for ln in text.splitlines() if ln.strip())


def _refs(ids: list[int] | None) -> str:
    return "".join(f" [{i}]" for i in ids) if ids else ""


def _person(answers: QuizAnswers) -> str:
    """The person in positive statements only: small models misread "code: no" as a yes."""
    said = [f"you have a {answers.background} background" if background_of(answers.background).roles else ""]
    said += [_LIKES[q.key] for q in QUESTIONS if answers.answer(q.key)]
    return "; ".join(s for s in said if s)


_LIKES = {
    "code": "you love writing code for its own sake",
    "research": "you are drawn to research and open-ended problems",
    "stakeholders": "you enjoy working with business stakeholders",
}
# What a sentence about the reader must not claim unless they said yes to that quiz question.
_LIKE_WORDS = {
    "code": re.compile(r"\b(?:cod(?:e|ing)|programming)\b", re.I),
    "research": re.compile(r"\b(?:research|open-ended)\b", re.I),
    "stakeholders": re.compile(r"\b(?:stakeholders?|business side)\b", re.I),
}
_CLAIMS_A_LIKING = re.compile(r"\byou(?:'re| are)?\s+(?:\w+\s+){0,2}(?:enjoy|love|like|drawn|passionate|"
                              r"interested|keen|thrive|prefer)\w*\b|\byour (?:love|passion|interest|enjoyment)\b",
                              re.I)


_ABOUT_THE_PERSON = re.compile(
    r"\b(?:you|your|they|their|the person)\b.{0,60}\b(?:background|experience|already|work(?:s|ed)?\s+as|are\s+an?)\b",
    re.I,
)


def _off_target(summary: str, cards: list[RoleCard], answers: QuizAnswers) -> list[str]:
    """A summary must name the first role, no role outside the cards, and no background
    the person did not give ("they already work in product management")."""
    named = [r.title for r in find_roles(summary, known_roles())]
    shown = {c.role for c in cards}
    issues = [f"role {t!r} is not among the recommendations" for t in named if t not in shown]
    for sentence in re.split(r"(?<=[.!?])\s+", summary):
        if not _ABOUT_THE_PERSON.search(sentence):
            continue  # "suits writers" quotes the guide; "they are a writer" is a claim
        claimed = parse_background(sentence)
        if claimed not in ("other", answers.background):
            issues.append(f"claims a {claimed} background the person did not give")
    for sentence in re.split(r"(?<=[.!?])\s+", summary):
        if not _CLAIMS_A_LIKING.search(sentence):
            continue
        for key, words in _LIKE_WORDS.items():
            if words.search(sentence) and answers.answer(key) is not True:
                issues.append(f"claims the person likes {key}, which they did not say")
    if cards[0].role not in named:
        issues.append(f"does not name the first role ({cards[0].role})")
    return issues


def _describe(answers: QuizAnswers) -> str:
    def yn(key: str) -> str:
        value = answers.answer(key)
        return "not said" if value is None else ("yes" if value else "no")

    parts = [
        f"loves code: {yn('code')}",
        f"drawn to research: {yn('research')}",
        f"enjoys business stakeholders: {yn('stakeholders')}",
        f"background: {background_of(answers.background).key}",
    ]
    if answers.region:
        key = normalize_region(answers.region)
        parts.append(f"region: {(key or answers.region).upper() if key != 'global' else 'global tech hubs'}")
    if answers.skills:
        parts.append(f"skills: {', '.join(answers.skills)}")
    return "; ".join(parts)


def _quiz_source(roles: Mapping[str, RoleFacts]) -> str:
    """Where the quiz lives: the published .mdx itself, or choosing-your-path.md beside the role files."""
    for facts in roles.values():
        if facts.source:
            path = Path(facts.source)
            return str(path if path.suffix == ".mdx" else path.parent / "choosing-your-path.md")
    return "choosing-your-path.md"
