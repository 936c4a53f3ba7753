"""A role referred to by its place in the last answer ("the second one", "the 8th one", "the
latter"): the question is written out with that item's name, so every later step reads it as
named (a job the guide does not profile then reads as one)."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

from assistant.roles import RoleFacts, find_roles

_WORDS = ("first", "second", "third", "fourth", "fifth", "sixth", "seventh", "eighth", "ninth", "tenth")
_PLACES: dict[str, int] = {**{w: n for n, w in enumerate(_WORDS)}, "former": 0, "last": -1, "latter": -1}
_ORDINAL = re.compile(rf"\bthe\s+(?:({'|'.join(_WORDS)}|last|\d{{1,2}}(?:st|nd|rd|th))\s+(?:one|role|option|path|track|job)"
                      r"|(former|latter))\b", re.I)
# "1. Machine Learning Engineer", "### 2. Data Scientist — 40% fit": a numbered item of a list.
_NUMBERED = re.compile(r"(?:^|(?<=\s))(\d{1,2})[.)]\s+")
# Where an item's name ends: its comma, a dash, a colon, a bracket or the end of its line.
_NAME_END = re.compile(r"\s+[—–-]\s|[,;:(\n]|\.\s|\.$")


def with_ordinals_resolved(question: str, history: Sequence[Mapping[str, Any]], roles: Mapping[str, RoleFacts]) -> str:
    """`question` with "the second one" replaced by the second item of the last answer's numbered
    list, or else by the second role it named; unchanged when there is no such reference, no
    earlier answer, or too few items in it."""
    m = _ORDINAL.search(question)
    reply = next((str(t.get("content", "")) for t in reversed(history) if t.get("role") == "assistant"), "")
    if m is None or not reply:
        return question
    word = (m.group(1) or m.group(2)).lower()
    place = _PLACES[word] if word in _PLACES else int(re.match(r"\d+", word).group()) - 1
    named = _numbered(reply) or [r.title for r in find_roles(reply, roles)]
    if len(named) < 2 or place >= len(named) or place < -1:
        return question
    return question[:m.start()] + f"the {named[place]}" + question[m.end():]


def _numbered(reply: str) -> list[str]:
    """The names of a numbered list counted from 1 ("1. A, 2. B, 3. C"), or [] when there is none."""
    marks = list(_NUMBERED.finditer(reply))
    if [int(m.group(1)) for m in marks[:2]] != [1, 2]:
        return []
    names: list[str] = []
    for n, m in enumerate(marks):
        if int(m.group(1)) != n + 1:
            break  # the list ended; later numbers are something else
        body = reply[m.end():marks[n + 1].start() if n + 1 < len(marks) else len(reply)]
        name = _NAME_END.split(body.replace("*", ""), maxsplit=1)[0].strip(" .#")
        if not name:
            break
        names.append(name)
    return names
