"""The personal summary under the cards: written by the model from the cards' sources only,
and dropped when it claims what the person did not say or names roles outside the cards."""

from __future__ import annotations

import logging
import re
from collections.abc import Callable

from langchain_core.language_models import BaseChatModel
from langchain_core.messages import HumanMessage, SystemMessage

from assistant.quiz import (
    QUESTIONS,
    QuizAnswers,
    background_of,
    parse_background,
)
from assistant.recommend.cards import RoleCard
from assistant.recommend.profile import text_of
from assistant.roles import find_roles, known_roles

logger = logging.getLogger(__name__)

SUMMARY_SYSTEM = (
    "You are a careers adviser. Use only the facts in the sources. Cite each fact with its "
    "source number, e.g. [2]. Do not add salaries, skills or advice that the sources do not state."
)
SUMMARY_PROMPT = """Sources:
{sources}

About the reader: {person}
Recommended roles, best first: {roles}
In two or three sentences, speaking to the reader as "you", explain why the first role suits them, citing [n]. Say nothing about the reader beyond what is stated above."""


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
    summary = text_of(reply).strip()
    if not summary:
        return None
    problems = check(summary, [by_id[i]["text"] for i in sorted(by_id)])
    problems += _off_target(summary, cards, answers)
    if problems:
        logger.info("dropping the personalised summary: %s", "; ".join(problems))
        return None
    return summary


def _person(answers: QuizAnswers) -> str:
    """The person in positive statements only: small models misread "code: no" as a yes."""
    stated = background_of(answers.background).roles and "background" not in answers.inferred
    said = [f"you have a {answers.background} background" if stated else ""]
    said += [_LIKES[q.key] for q in QUESTIONS if answers.answer(q.key) and q.key not in answers.inferred]
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
        if claimed != "other" and (claimed != answers.background or "background" in answers.inferred):
            issues.append(f"claims a {claimed} background the person did not give")
    for sentence in re.split(r"(?<=[.!?])\s+", summary):
        if not _CLAIMS_A_LIKING.search(sentence):
            continue
        for key, words in _LIKE_WORDS.items():
            if words.search(sentence) and (answers.answer(key) is not True or key in answers.inferred):
                issues.append(f"claims the person likes {key}, which they did not say")
    if cards[0].role not in named:
        issues.append(f"does not name the first role ({cards[0].role})")
    return issues
