"""A role referred to by its place in the last answer ("the second one", "the latter"): the
question is written out with that role's title, so every later step reads it as named."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

from assistant.roles import RoleFacts, find_roles

_PLACES = {"first": 0, "1st": 0, "former": 0, "second": 1, "2nd": 1, "third": 2, "3rd": 2, "last": -1, "latter": -1}
_ORDINAL = re.compile(r"\bthe\s+(?:(first|1st|second|2nd|third|3rd|last)\s+(?:one|role|option|path|track|job)"
                      r"|(former|latter))\b", re.I)


def with_ordinals_resolved(question: str, history: Sequence[Mapping[str, Any]], roles: Mapping[str, RoleFacts]) -> str:
    """`question` with "the second one" replaced by the title of the second role the last answer
    named; unchanged when there is no such reference, no earlier answer, or too few roles in it."""
    m = _ORDINAL.search(question)
    reply = next((str(t.get("content", "")) for t in reversed(history) if t.get("role") == "assistant"), "")
    if m is None or not reply:
        return question
    named = [r.title for r in find_roles(reply, roles)]
    place = _PLACES[(m.group(1) or m.group(2)).lower()]
    if len(named) < 2 or place >= len(named):
        return question
    return question[:m.start()] + f"the {named[place]}" + question[m.end():]
