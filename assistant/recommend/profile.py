"""A person's quiz answers from what they write about themselves: stated likes and dislikes
by keyword, the model's JSON reading for what they leave open, and the skills they name."""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Mapping
from typing import Any

from langchain_core.language_models import BaseChatModel
from langchain_core.messages import HumanMessage, SystemMessage
from pydantic import BaseModel, ValidationError, field_validator

from assistant import phrasing
from assistant.background import names_an_unlisted_job
from assistant.quiz import (
    BACKGROUND_KEYS,
    QUESTIONS,
    QuizAnswers,
    background_of,
    guide_titles,
    parse_background,
)
from assistant.recommend.nearest import background_meaning_agrees, told
from assistant.regions import region_in_text
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

_MAX_DESCRIPTION_CHARS = 600

_CODE_YES = [
    r"\b(?:love|enjoy|like|adore|passion(?:ate)? (?:for|about))\w*\s+(?:\w+\s+){0,2}"
    r"(?:cod(?:e|ing)|programming|writing software|hacking on)",
    r"\bcoding is (?:my|fun|what)",
    r"\b(?:i code|code for fun|side projects)\b",
]
_CODE_NO = [
    r"(?:don'?t|do not|never|hate|dislike|not (?:into|big on|keen on|a fan of)|rather not|can'?t|cannot|can not)"
    r"\s+(?:\w+\s+){0,3}(?:cod(?:e|ing)|programming|program)",
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
    r"(?:don'?t|do not|never|hate|dislike|not (?:into|drawn to|interested in|keen on))\s+"
    r"(?:\w+\s+){0,3}(?:research|theory|open-ended|academia)",  # "i do NOT want to do research"
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
                           r"science|scientist|open-ended|unsolved|discover\w*|math\w*|"
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


def answers_from_description(text: str, chat_model: BaseChatModel | None, embeddings: Any = None) -> QuizAnswers:
    """Turn a free-text self-description into QuizAnswers.

    Explicit phrases ("I don't like coding") found by keyword win; the model's JSON fills in
    what they miss, but only for questions whose subject the text mentions; when the model is
    None or returns nothing usable, keywords alone. The background comes from parse_background
    first; the model's guess only when that finds none, the text says what the person is or
    does but names no job outside the guide's backgrounds ("I'm a vet" is the guide's
    "other"), the guess does not contradict what they said outright, and (given the embedder)
    it is among the two backgrounds nearest in meaning to what they say of themselves: the
    small model called a teacher and a lawyer software engineers. A guess that stands is marked
    `inferred`, to be told as a reading of their words, never as what they said.
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
    said = told(text)  # not "...or is it only for developers": that asks, it tells nothing
    values: dict[str, bool | None] = {}
    for key, found in keyword.items():
        guess = getattr(model, key) if model and _TOPIC_CUES[key].search(said) else None
        values[key] = found if found is not None else guess
    said = said or text
    background, read_background = parse_background(said), False
    guessable = background == "other" and _describes_self(text) and not names_an_unlisted_job(said)
    if guessable and model and model.background:
        guess = model.background.strip().lower()
        guess = guess if guess in BACKGROUND_KEYS else parse_background(guess)
        if not _contradicts(guess, keyword) and background_meaning_agrees(said, guess, embeddings):
            background, read_background = guess, True
    return QuizAnswers(
        code=bool(values["code"]),
        research=bool(values["research"]),
        stakeholders=bool(values["stakeholders"]),
        background=background,
        skills=_skills_in(text),
        region=region_in_text(text),
        unanswered=tuple(k for k, v in values.items() if v is None),
        inferred=tuple(k for k, v in values.items() if v is not None and keyword[k] is None)
        + (("background",) if read_background else ()),
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


def model_can_add(text: str) -> bool:
    """Could the model's reading of `text` change its quiz answers? Only where the text
    touches a question's subject without answering it outright, or says what the person
    does without naming a background the guide knows."""
    open_question = any(_keyword_answer(text, key) is None and _TOPIC_CUES[key].search(told(text))
                        for key in _FALLBACK)
    return open_question or (parse_background(text) == "other" and _describes_self(text))


def says_nothing(text: str) -> bool:
    """True when `text` ("recommend me a path", "I want to take the quiz") tells nothing the
    quiz could use: no answer, no background, no skill, and nothing the model could read."""
    stated = answers_from_description(text, None) if text.strip() else None
    return stated is None or (
        set(stated.unanswered) == set(_FALLBACK) and stated.background == "other" and not stated.skills
        and not model_can_add(text)
    )


def _norm_skill(text: str) -> str:
    t = re.sub(r"\s+", " ", text.lower()).strip()
    return _SYNONYMS.get(t, t)


def has_skill(role_skill: str, person_skills: tuple[str, ...]) -> bool:
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
    found = [w for w in _SKILL_WORDS if re.search(rf"(?<![\w/]){re.escape(w)}(?![\w/])", low)
             and not phrasing.refused(low, w)]  # not "i do NOT want to do research", "i don't know sql"
    for short, long in _SYNONYMS.items():
        if long not in found and re.search(rf"(?<!\w){re.escape(short)}(?!\w)", low) and long in _SKILL_WORDS:
            found.append(long)
    return tuple(found)


# The subject first, then what the person thinks of it: "research isn't really my thing",
# "coding doesn't appeal to me", "business meetings are not for me".
_SUBJECT_THEN_NO = re.compile(
    r"\b(?:is|are|does|do)(?:n'?t| not)\s+(?:really\s+|quite\s+|exactly\s+|very\s+)?"
    r"(?:my thing|for me|my cup of tea|my jam|my strength|my strong suit|something i enjoy|"
    r"interest(?:ing)?(?: to)? me|appeal(?:ing)?(?: to)? me|excite me|suit me|fun)\b")


def stated_answers(text: str) -> dict[str, bool]:
    """The quiz questions the text answers outright ("i love writing code": code, Yes)."""
    return {key: answer for key in _FALLBACK if (answer := _keyword_answer(text, key)) is not None}


def _keyword_answer(text: str, key: str) -> bool | None:
    yes, no = _FALLBACK[key]
    low = text.lower()
    clauses = re.split(r"[.;!?,]|\s-\s|\bbut\b", low)
    if any(_TOPIC_CUES[key].search(c) and _SUBJECT_THEN_NO.search(c) for c in clauses):
        return False
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
    return parse_model_answers(text_of(reply))


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


def text_of(message: Any) -> str:
    text = getattr(message, "text", None)
    if isinstance(text, str):  # langchain-core 1.x: a str property
        return str(text)
    if callable(text):  # older langchain-core: a method
        text = text()
        if isinstance(text, str):
            return text
    content = getattr(message, "content", message)
    return content if isinstance(content, str) else str(content)
