"""What the assistant says when a question is outside the guide: what was asked, named by what
it is (a subject, a tool the guide lists, a task), then what the guide covers."""

from __future__ import annotations

import re
from collections.abc import Mapping

from assistant import off_scope, prompts
from assistant.roles import RoleFacts, as_skills_name
from assistant.understanding import Reading


def decline_text(roles: Mapping[str, RoleFacts], reading: Reading | None = None) -> str:
    """The decline for `reading` (or for a question the guide's passages do not match)."""
    text = prompts.DECLINE.format(roles=", ".join(r.title for r in roles.values() if r.detailed))
    foreign = reading.foreign if reading else ()
    if listed := as_skills_name(dict.fromkeys(foreign), roles.values()):
        return prompts.DECLINE_LISTED.format(what=" and ".join(listed)) + " " + text
    if subjects := [f for f in dict.fromkeys(foreign) if f not in off_scope.CHORES + off_scope.ARTEFACTS]:
        named = [re.sub(r"\s+(?:of|on|about|for)$", "", f) for f in subjects]  # "ceo of" -> "ceo"
        return prompts.DECLINE_FOREIGN.format(what=", ".join(named)) + " " + text
    return prompts.DECLINE_CHORE + " " + text if foreign else text
