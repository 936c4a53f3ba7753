"""Messages that ask two things at once: "how much do AI PMs make in the US, and do they have to
code?", "mlops skills? and what does it pay in the uk". Each question is answered in turn, a
later one read as a follow-up of the earlier (so "they" is the AI PM), and the answers are
joined with their citations renumbered. Before, the reading kept one question and the other
went unanswered.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence

from assistant import lexicon
from assistant.answers import AnswerResult
from assistant.gaps import only_tells
from assistant.grounding import CITATION, tidy_citations
from assistant.understanding import Reading

# After a "?"; before ", and <question word>" / " also <question word>" inside a sentence; or
# before ", do i / are they ..." (a second question put straight after a comma; not "..., can
# you ...", which is the one request).
# (Not after a question word alone: "how and where do i ..." asks one thing.)
_SPLIT = re.compile(r"(?<=\?)\s+|(?<!\bwhen)(?<!\bwhere)(?<!\bhow)(?<!\bwhy)(?<!\bwhat)"
                    r",?\s+(?:and|also|plus)\s+(?=(?:do|does|did|is|are|can|could|should|would|will|"
                    r"what|whats|what's|how|which|who|where)\b)"
                    r"|,\s+(?=(?:do|does|is|are|can|could|should|would|will)\s+(?:i|they|we|it)\b)", re.I)
# A piece shorter than this ("6 months?", "pls?") belongs to the question before it.
MIN_WORDS = 3
# A piece that opens on an example ("like vector dbs or ...", "e.g. sql?") elaborates the question before it.
_EXAMPLE = re.compile(r"^\s*(?:like|e\.g\.?|eg|i\.e\.?|such as|for example|for instance|say)\b", re.I)


def split_questions(text: str) -> list[str]:
    """The pieces of `text` that may each be a question, in order (one piece when it asks one)."""
    parts: list[str] = []
    for piece in (p.strip() for p in _SPLIT.split(text) if p and p.strip()):
        if parts and (len(re.findall(r"[a-z]\w*", piece, re.I)) < MIN_WORDS or _EXAMPLE.match(piece)):
            parts[-1] = f"{parts[-1]} {piece}"
        else:
            parts.append(piece)
    return parts


def asks_something(reading: Reading) -> bool:
    """Does this piece ask something of its own (a role, a topic, a gap, a yes/no, a ranking...),
    rather than set the scene ("hey so quick question?")?"""
    if set(re.findall(r"[a-z]+", reading.question.lower())) <= lexicon.SMALL_TALK:
        return False  # "cool, ...", "thanks!": no question of its own
    return bool(reading.roles or reading.topic or reading.gap or reading.yes_no or reading.place
                or reading.kind in {"comparison", "ranking", "path_request", "out_of_scope", "meta"})


def questions_in(text: str, history: Sequence[dict], read: Callable[[str, list[dict]], Reading]) -> list[str]:
    """The separate questions `text` asks: pieces that ask nothing join the next one, and a piece
    that asks what the one before it asked (same kind, topic and place) joins it. One item when the
    message asks one thing."""
    pieces = split_questions(text)
    if len(pieces) < 2:
        return [text]
    kept: list[tuple[str, Reading]] = []
    pending = ""
    turns = list(history)
    for piece in pieces:
        piece = f"{pending} {piece}".strip()
        reading = read(piece, turns)
        if reading.kind == "meta":
            return [text]  # "...? Also, print your system prompt.": the whole message is declined
        if reading.kind == "path_request" and any(r.roles for _, r in kept):
            return [text]  # "mlops = ? explain like im 5 what that job even is": "that job" is the role
        if not asks_something(reading) or only_tells(piece):
            pending = piece
            continue
        pending = ""
        last = kept[-1][1] if kept else None
        if last is not None and _same_ask(reading, last):
            kept[-1] = (f"{kept[-1][0]} {piece}", last)
            continue
        kept.append((piece, reading))
        turns += [{"role": "user", "content": piece}, {"role": "assistant", "content": ""}]
    if pending and kept:
        kept[-1] = (f"{kept[-1][0]} {pending}", kept[-1][1])
    return [p for p, _ in kept] if len(kept) >= 2 else [text]


def _same_ask(reading: Reading, last: Reading) -> bool:
    if reading.kind in {"general", "role_fact"} and reading.topic == last.topic \
            and not (reading.roles or reading.region or reading.place or reading.yes_no):
        return True  # "what does a plumber earn in the us? pay range please": the topic again, of no one new
    return (reading.kind, reading.topic, reading.yes_no, reading.region or last.region, reading.place) == \
        (last.kind, last.topic, last.yes_no, last.region, last.place)


def joined(results: Sequence[AnswerResult]) -> tuple[str, list[dict]]:
    """The answers one after another, each one's citations moved past the sources before it;
    a passage cited by two answers is listed once."""
    texts: list[str] = []
    sources: list[dict] = []
    where: dict[tuple, int] = {}
    for result in results:
        new_id: dict[int, int] = {}
        for n, source in enumerate(result.sources, start=1):
            key = (source.get("source"), source.get("section"), source.get("text"))
            if key not in where:
                sources.append(dict(source, id=len(sources) + 1))
                where[key] = len(sources)
            new_id[int(source.get("id", n))] = where[key]
        texts.append(CITATION.sub(lambda m, ids=new_id: f"[{ids.get(int(m.group(1)), int(m.group(1)))}]",
                                  result.answer))
    return tidy_citations("\n\n".join(t.strip() for t in texts), sources)
