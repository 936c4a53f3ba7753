"""Course-library metadata: which programme, level and track a lesson file belongs to.

A library laid out like the publisher's (`programs.json` listing programmes with a level
and a track, lessons under `programs/<slug>/lessons/<lang>/`) gives each lesson its
programme's level, so a learning plan can put beginner lessons first. Any other folder
of markdown works too: its files simply have no level.
"""

from __future__ import annotations

import json
import logging
from functools import lru_cache
from pathlib import Path

logger = logging.getLogger(__name__)

GUIDE = "guide"
LIBRARY = "library"
SOURCE_KINDS = (GUIDE, LIBRARY)
KIND_KEY = "source_kind"
CATALOGUE = "programs.json"
_MAX_PARENTS = 6  # how far up from a lesson to look for the catalogue


def source_kind(metadata: dict) -> str:
    """A chunk's kind; chunks of indexes built before the field existed are the guide."""
    kind = str(metadata.get(KIND_KEY) or GUIDE)
    return kind if kind in SOURCE_KINDS else GUIDE


def lesson_metadata(path: Path) -> dict[str, str | int]:
    """`program`, `level` and `track` of a lesson file, from the nearest `programs.json`
    above it; `{}` when the file sits in no catalogued programme."""
    path = Path(path).resolve()
    for parent in list(path.parents)[:_MAX_PARENTS]:
        catalogue = _catalogue(parent / CATALOGUE)
        if catalogue is None:
            continue
        parts = path.relative_to(parent).parts
        slug = parts[1] if len(parts) > 2 and parts[0] == "programs" else ""
        found = catalogue.get(slug)
        if found is None:
            return {}
        level, track = found
        meta: dict[str, str | int] = {"program": slug}
        if level is not None:
            meta["level"] = level
        if track:
            meta["track"] = track
        return meta
    return {}


@lru_cache(maxsize=16)
def _catalogue(path: Path) -> dict[str, tuple[int | None, str]] | None:
    """slug -> (level, track) from a programs.json, or None when there is none (or it is unreadable)."""
    if not path.is_file():
        return None
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        programs = data.get("programs", []) if isinstance(data, dict) else data
        out: dict[str, tuple[int | None, str]] = {}
        for p in programs:
            if isinstance(p, dict) and p.get("slug"):
                level = p.get("level")
                out[str(p["slug"])] = (int(level) if isinstance(level, int | float) else None,
                                       str(p.get("track") or ""))
        return out
    except (OSError, ValueError, TypeError, AttributeError) as exc:
        logger.warning("ignoring %s: %s", path, exc)
        return None
