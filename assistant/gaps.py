"""What a question asks that the guide is silent on (its gaps): working hours, pay by seniority,
future salaries, an age, an employer's hiring or pay. Read from the sentences that ask, so a
word that tells about the asker ("im a cs junior. how much do MLEs make?") is no gap."""

from __future__ import annotations

import re
from collections.abc import Sequence

from assistant import lexicon, off_scope, phrasing
from assistant.regions import cities_compared
from assistant.salaries import SalaryRange


def asking(low: str) -> str:
    """The sentences of `low` that ask (end in "?"), or "" when none does; without a "?", the
    last of several sentences when it opens as a question does ("no phd here. how would i...")."""
    sentences = re.split(r"(?<=[.!?])\s+", low.strip())
    asked = " ".join(s for s in sentences if s.rstrip().endswith("?"))
    if asked or len(sentences) < 2:
        return asked
    return sentences[-1] if phrasing.opens_as_question(sentences[-1]) else ""


# The person speaking of themselves ("i spend hours in excel", "my job is stressful").
_FIRST_PERSON = re.compile(r"\b(?:i|i'm|im|i've|ive|i'd|id|i'll|my|me|we|we're|our)\b")
# The question leaning on what was told before it ("...bootcamps, is one worth it?").
# ("that" at the end only: "a job that fits me" is no reference).
_REFERS_BACK = re.compile(r"\b(?:it|this|those|these|them|one|ones)\b|\bthat\s*[?.!]*\s*$")


# A remark on what was said before ("it sounds hard", "that would suit me"), not a question.
_REMARK = re.compile(r"\b(?:it|this)\b"
                     r"|\b(?:that|they)\s+(?:might|may|would|could|will|is|was|seems|sounds|looks)\b")


# Two things set against each other ("london vs manchester", "how much more than ...").
_SET_AGAINST = re.compile(r"\b(?:vs|versus|compared?|comparison|difference|differ|than|between)\b")


def only_tells(piece: str) -> bool:
    """Does `piece` ask nothing, only tell of the asker ("i'm a data scientist and just found out
    im underpaid") or remark on what came before ("that sounds tough")?"""
    low = piece.lower().strip()
    clauses = [c for s in re.split(r"(?<=[.!?])\s+", low) for c in re.split(r"(?<=[,;:])\s+", s)]
    if low.endswith("?") or any(phrasing.opens_as_question(c) or phrasing.IMPERATIVE.match(c)
                                or phrasing.REQUEST.match(c) for c in clauses):
        return False  # "i teach maths. what would suit me" asks
    return bool(_FIRST_PERSON.search(low) or _REMARK.search(low) or phrasing.TELLS_WITHOUT_I.match(low))


def asked_part(low: str) -> str:
    """`low` without what the asker tells of themselves: the sentences, and the clauses of a
    sentence that asks, in which the person speaks of themselves without asking ("i freelance as a
    designer. what does a prompt engineer do?" asks nothing of freelancing). All of it when nothing
    asks, or when the question leans on what was told ("i'm eyeing a bootcamp, is it worth it?")."""
    kept: list[str] = []
    asking_any = False
    for sentence in re.split(r"(?<=[.!?])\s+", low.strip()):
        clauses = re.split(r"(?<=[,;:])\s+", sentence)
        asks = [c for c in clauses
                if c.rstrip().endswith("?") or phrasing.opens_as_question(c) or phrasing.IMPERATIVE.match(c)]
        if any(_REFERS_BACK.search(c) for c in asks):
            return low
        asking_any = asking_any or bool(asks)
        told = clauses if asks else [sentence]
        kept += [c for c in told if c in asks or not _FIRST_PERSON.search(c)]
    return " ".join(kept) if asking_any else low


def question_clause(asked: str) -> str:
    """The clause that asks, without the context set before it ("moving to toronto next yr, what
    would an mle get paid there?": the move is next year, not the pay)."""
    clauses = re.split(r"(?<=[,;:])\s+", asked)
    opens = [n for n, clause in enumerate(clauses) if phrasing.OPEN_QUESTION.match(clause)]
    return " ".join(clauses[opens[-1]:]) if opens else asked


def asks_future(asked: str) -> bool:
    """Does the asking name a time after the guide's ("in like 5 years", "in 2031")?"""
    return bool(lexicon.FUTURE_SPAN.search(asked)) or names_later_year(asked)


def names_later_year(asked: str) -> bool:
    """Does the asking name a year after the guide's ("in 2031")?"""
    return any(int(y) > lexicon.GUIDE_YEAR for y in re.findall(r"\b(20\d\d)\b", asked))


def asks_past(asked: str) -> bool:
    """Does the asking name a time before the guide's estimates ("since 2019", "in 2023", "have
    they risen")?"""
    return bool(lexicon.PAST_SPAN.search(asked)) or any(
        int(y) < lexicon.GUIDE_YEAR for y in re.findall(r"\b((?:19|20)\d\d)\b", asked))


def gap_in(low: str, topic: str | None, salaries: Sequence[SalaryRange]) -> str | None:
    """The name of the guide's gap `low` asks about, or None. `salaries` are the named roles'
    ranges: an employer the guide's own range is about ("at OpenAI") is no gap."""
    told_apart = asked_part(low)
    asked = question_clause(asked_part(asking(low) or low))
    qualifiers = " ".join(r.qualifier.lower() for r in salaries)
    for name, words in lexicon.GAP_TOPICS.items():
        if name == "employer names" and phrasing.found(qualifiers, off_scope.EMPLOYERS):
            continue  # the role's own range names its employers ("at OpenAI, DeepMind...")
        if name in {"future salaries", "pay by seniority"}:
            if topic != "salary" or not phrasing.has_any(asked, words):
                continue  # a pay attribute the question asks for, not the asker's ("im a junior. how much...?")
        if phrasing.has_any(told_apart, words):
            return name
    if topic == "salary" and asks_future(asked):
        return "future salaries"  # "and what will it be in like 5 years", "how much will MLEs make in 2031?"
    if topic == "salary" and asks_past(asked):
        return "past salaries"  # "what did an ML engineer earn back in 2023?"
    set_against = _SET_AGAINST.search(told_apart) or phrasing.direction(low)
    if topic == "salary" and set_against and cities_compared(told_apart):
        return lexicon.CITY_PAY  # "how much more does london pay than manchester?"
    jobs_open = lexicon.JOBS_OPEN.search(low) and not lexicon.JOB_KINDS.search(low)
    if lexicon.VACANCY_COUNT.search(low) or jobs_open:
        return "job numbers"
    if lexicon.AGE.search(low):
        return "age limits"
    if phrasing.has_any(low, lexicon.HIRING) and phrasing.found(low, off_scope.EMPLOYERS):
        return "hiring at particular employers"
    if lexicon.WHO_HIRES.search(told_apart) or (lexicon.EMPLOYERS_ASKED.search(told_apart)
                                                and not phrasing.found(qualifiers, off_scope.EMPLOYERS)):
        return "employer names"
    if topic == "salary":  # an employer in what is asked, not in a remark ("not the linkedin numbers")
        if any(e not in qualifiers for e in phrasing.found(asked, off_scope.EMPLOYERS)):
            return "pay at particular employers"
    return None
