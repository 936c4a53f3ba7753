"""What the guide covers, by code: "give me an overview of the career paths", "what roles are
there?". The answer is the guide's own list of tracks, each profiled one with the first
sentence of its summary; the small model, given the same passages, named too few of them."""

from __future__ import annotations

import re
from collections.abc import Mapping

from assistant import lexicon, phrasing
from assistant.cited import Computed, Sources
from assistant.roles import LISTED_SECTION, RoleFacts
from assistant.understanding import Reading

# Words that frame an asking for the list and say nothing else: whatever else a question
# says ("didn't exist in 2020", "pay best") makes it another question.
_FRAME = frozenset({"overview", "list", "guide", "ai", "ml", "career", "careers", "quick", "brief", "give", "tell",
                    "show", "me", "us", "u", "all", "different", "main", "available", "exist", "there", "covered",
                    "cover", "covers", "summary", "summarise", "summarize", "options", "kinds", "types", "kind",
                    "type", "sorts", "sort", "field", "explain", "describe", "please", "pls", "can", "could",
                    "in", "of", "the", "a", "an", "what", "which", "are", "is", "does", "do", "about",
                    "whats", "what's", "how", "many", "ones", "talk", "through", "walk", "over", "go", "you",
                    "this", "these", "one", "here", "actually", "exactly", "even", "has", "have", "got",
                    "any", "mention", "mentions", "mentioned", "discuss", "discusses", "include", "includes",
                    "describes", "described", "profile", "profiles", "profiled"})


def asks_for_the_catalogue(reading: Reading) -> bool:
    """A general question that asks for the guide's tracks and nothing more."""
    if reading.kind != "general" or reading.topic not in {None, "summary"}:
        return False
    words = [w.strip(".'?!") for w in phrasing.WORD.findall(phrasing.normal(reading.text))]
    words = [w for w in words if w]
    if not any(w in lexicon.RANK_SUBJECT and w.endswith("s") for w in words):
        return False  # "roles", "paths", "tracks", "careers"
    return all(w in _FRAME or w in lexicon.RANK_SUBJECT for w in words)


def the_catalogue(roles: Mapping[str, RoleFacts]) -> Computed:
    """The guide's tracks in its order: the profiled ones with a line each, then the listed ones."""
    src = Sources()
    profiled = [f for f in roles.values() if f.detailed]
    listed = [f for f in roles.values() if not f.detailed]
    lines = ["The guide covers these AI career tracks. These have a full profile (tasks, skills, "
             "salary ranges, who it suits, how to break in):"]
    for f in profiled:
        first = re.split(r"(?<=[.!?])\s", f.sections.get("Summary", "").strip(), maxsplit=1)[0]
        lines.append(f"- **{f.title}**: {first} {src.cite(f, 'Summary')}")
    if listed:
        ref = src.cite(listed[0], LISTED_SECTION)
        lines.append(f"\nThe guide only lists {', '.join(f.title for f in listed)}, without a profile {ref}.")
    lines.append("\nAsk about any of them, or tell me about yourself for a recommendation.")
    return Computed("\n".join(lines), src.items)
