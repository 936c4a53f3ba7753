"""Pay asked without a pay word: an end of the ranges ranked ("the highest ceiling?"), the
starting points of roles compared in a region, a region named beside a role or a ranking (the
guide's regions are its pay regions)."""

from __future__ import annotations

import re
from collections.abc import Callable

from assistant import lexicon, phrasing

# "starting" or "entry" qualifying a thing ("the starting points", "entry figures"), not a verb's
# ("easier to start in", "start as a DS").
_START_WORDS = "|".join(sorted(set(lexicon.RANGE_ENDS["low"]) & set(lexicon.TOPIC_WORDS["break_in"])))
_VERB_FOLLOWERS = "in|as|at|out|with|from|on|to|into|off|my|a|an|the|and|or"
_RANGE_END_NOUN = re.compile(rf"\b(?:{_START_WORDS})\s+(?!(?:{_VERB_FOLLOWERS})\b)[a-z]")


def range_end_pay(low: str, topic: str | None, region: str | None, direction: str | None,
                  roles: tuple[str, ...]) -> str | None:
    """Salary where "starting" or "entry" qualifies a thing compared in a pay region ("the starting
    points of DS vs PE in the US": an end of the region's pay ranges), else `topic`."""
    if topic == "break_in" and region and (direction or len(roles) >= 2) and _RANGE_END_NOUN.search(low) \
            and set(phrasing.found(low, lexicon.TOPIC_WORDS["break_in"])) <= set(lexicon.RANGE_ENDS["low"]):
        return "salary"
    return topic


def pay_implied(low: str, region: str | None, roles: tuple[str, ...], direction: str | None,
                about_a_place: Callable[[str], bool]) -> bool:
    """Is pay asked with no topic word? An end of a range ranked ("the highest ceiling?"), or a
    region named beside a role or a direction: "the highest ceiling in the US?", "what would an
    MLOps engineer pull in across the pond?" (not a place's own matters: "the best area to live in
    leeds?")."""
    if phrasing.without_range_ends(low) != low:
        return True
    return bool(region and (roles or (direction and not about_a_place(low))))
