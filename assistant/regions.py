"""The guide's salary regions and how people name them ("the States", "London", "Britain"):
the names are data in assistant.lexicon, defined once; these functions read them."""

from __future__ import annotations

import re

from assistant import lexicon, phrasing
from assistant.places import places_in

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
    """The region a free text asks about ("the States" -> "us"): the first one named, except
    that a place the asker says they are in ("I'm in London, what if I moved to the US?") gives
    way to another one named, and "across the pond" is the other side from where they are."""
    mentions = _mentions(text)
    low = text.lower()
    here = [key for start, key in mentions if says_here(low, start)]
    elsewhere = [key for start, key in mentions if not says_here(low, start)]
    pond = min((low.find(p) for p in lexicon.ACROSS_THE_POND if p in low), default=-1)
    if pond >= 0:
        after = [key for start, key in mentions if start > pond and not says_here(low, start)]
        if after:
            return after[0]  # "moving across the pond to London"
        side = here[0] if here else (elsewhere[0] if elsewhere else None)
        return lexicon.POND_SIDES.get(side or "") if side else None
    if elsewhere:
        return elsewhere[0]
    return here[0] if here else None


def regions_named(text: str) -> list[str]:
    """Every guide region `text` asks about, in order ("in the UK and the US?" -> uk, us); the
    one region_in_text reads when the asker names where they are or says "across the pond"."""
    low = text.lower()
    if any(phrase in low for phrase in lexicon.ACROSS_THE_POND):
        return [k for k in [region_in_text(text)] if k]
    mentions = [key for start, key in _mentions(text) if not says_here(low, start)]
    return list(dict.fromkeys(mentions)) or [k for k in [region_in_text(text)] if k]


def without_region_words(text: str) -> str:
    """`text` with its region words blanked out: "tech hubs" names a region and asks nothing of "tech"."""
    for start, end, _ in sorted(_spans(text), reverse=True):
        text = text[:start] + " " + text[end:]
    return text


def _mentions(text: str) -> list[tuple[int, str]]:
    """(position, region) of each region word in `text`, in order; overlapping words count once."""
    return [(start, key) for start, _, key in sorted(_spans(text))]


def _spans(text: str) -> list[tuple[int, int, str]]:
    low = text.lower()
    found: list[tuple[int, int, str]] = []
    for word, key in sorted(_REGION_WORDS.items(), key=lambda kv: -len(kv[0])):
        # "us" is usually the pronoun: only "US", "the us" / "in us", "(us)" or "uk vs us"
        if word in {"us", "gb"}:
            pattern = (rf"(?<![\w.]){word.upper()}(?![\w])|(?<=the ){word}(?![\w])|(?<=in ){word}(?![\w])"
                       rf"|(?<=\(){word}(?=\))")
            matches = [*re.finditer(pattern, text),
                       *(m for m in re.finditer(rf"(?<![\w.]){word}(?![\w])", low) if _beside_a_region(low, m))]
        else:
            matches = re.finditer(rf"(?<![\w]){re.escape(word)}(?![\w])", low)
        for m in matches:
            if not any(m.start() < b and a < m.end() for a, b, _ in found):
                found.append((m.start(), m.end(), key))
    return found


_PAIRED = r"\s*(?:vs\.?|v\.?|versus|and|or|&|/)\s*"


def _beside_a_region(low: str, m: re.Match) -> bool:
    """Is this "us" one side of a pair of regions ("uk vs us", "us or uk") rather than the pronoun?"""
    before = re.search(rf"([a-z]+){_PAIRED}$", low[:m.start()])
    after = re.match(rf"{_PAIRED}(?:the\s+)?([a-z]+)", low[m.end():])
    return any(side and side.group(1) in _REGION_WORDS and side.group(1) not in {"us", "gb"}
               for side in (before, after))


def says_here(low: str, start: int) -> bool:
    """Do the words just before position `start` say the asker is there ("i'm based in ")?"""
    before = re.sub(r"\s+", " ", low[max(0, start - 20):start]).strip()
    before = re.sub(r"\s+the$", "", before)
    return before.endswith(lexicon.HERE_NOW)


def region_and_place(text: str) -> tuple[str | None, str | None]:
    """The guide region a text names ("the States" -> "us"), or the place it names that
    the guide has no figures for ("India")."""
    key = region_in_text(text)
    low = phrasing.normal(text)
    hits: list[tuple[int, str]] = []
    missing: list[tuple[int, str]] = []
    for start, name, country in places_in(low):
        if name.lower() in lexicon.REGION_WORDS:
            continue  # already read above ("London", "Berlin")
        near = lexicon.COUNTRY_REGION.get(country or "")
        if near:
            hits.append((start, near))
        else:
            missing.append((start, name))
    if key:  # "uk vs india": a place beside a region is asked too, unless it is where the asker is
        asked = [name for start, name in sorted(missing) if not says_here(low, start)]
        return key, asked[0] if asked else None
    if hits:
        return min(hits)[1], None
    return None, min(missing)[1] if missing else None


def cities_compared(low: str) -> bool:
    """Does `low` name two cities or areas of one of the guide's regions ("london vs manchester",
    "bristol or leeds")? The guide gives one range per region, so it cannot tell them apart."""
    seen: dict[str, set[str]] = {}
    for word in lexicon.REGION_CITIES:
        if re.search(rf"(?<![\w-]){re.escape(word)}(?![\w-])", low):
            seen.setdefault(_REGION_WORDS[word], set()).add(word)
    for _, name, country in places_in(low):
        if (key := lexicon.COUNTRY_REGION.get(country or "")) and name.lower() not in _REGION_WORDS:
            seen.setdefault(key, set()).add(name.lower())
    return any(len(names) >= 2 for names in seen.values())
