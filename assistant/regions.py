"""The guide's salary regions and how people name them ("the States", "London", "Britain"):
the names are data in assistant.lexicon, defined once; these functions read them."""

from __future__ import annotations

import re

from assistant import lexicon

REGIONS: dict[str, str] = {"uk": "UK", "us": "US", "global": "Global tech hubs"}
_REGION_WORDS = lexicon.REGION_WORDS


def normalize_region(text: str | None) -> str | None:
    """ "uk", "us" or "global" for a region word or label ("London", "Global tech hubs (...)");
    None when it names no region the guide uses."""
    if not text:
        return None
    t = re.sub(r"\s+", " ", text.strip().lower())
    if t in _REGION_WORDS:
        return _REGION_WORDS[t]
    head = re.split(r"[(,]", t, maxsplit=1)[0].strip()
    return _REGION_WORDS.get(head)


def region_in_text(text: str) -> str | None:
    """The first region a free text names ("I live in London" -> "uk", "the States" -> "us"), or None."""
    low = text.lower()
    best: tuple[int, str] | None = None
    for word, key in _REGION_WORDS.items():
        if word in {"us", "gb"}:  # "us" is usually the pronoun: only "US", or "the us" / "in us"
            m = re.search(rf"(?<![\w.]){word.upper()}(?![\w])|(?<=the ){word}(?![\w])|(?<=in ){word}(?![\w])",
                          text)
        else:
            m = re.search(rf"(?<![\w]){re.escape(word)}(?![\w])", low)
        if m and (best is None or m.start() < best[0]):
            best = (m.start(), key)
    return best[1] if best else None
