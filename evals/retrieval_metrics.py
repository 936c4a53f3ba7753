"""Retrieval metrics: sources matched on (title, section), hit@k, reciprocal rank, nDCG.
Pure functions, no I/O."""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

# ---------------------------------------------------------------------------
# Retrieval metrics
# ---------------------------------------------------------------------------

SourceLike = str | Mapping[str, Any] | Sequence[str]
_WS_RE = re.compile(r"\s+")


def clean(part: str) -> str:
    return _WS_RE.sub(" ", unicodedata.normalize("NFKC", str(part))).strip().casefold()


def source_key(source: SourceLike) -> tuple[str, str]:
    """Return the ``(title, section)`` key of a source, case-folded.

    Accepts ``"<title> / <section>"`` (split at the last `` / ``), a ``(title,
    section)`` pair, or a mapping with ``title`` (or ``role``, or ``source``) and
    ``section``. A ``###`` sub-heading appended to the section (``"Skills >
    Technical track"``) is dropped. A heading-path string ``"<title> > <section>"``
    is understood only for titles without `` / `` (pass a pair or a mapping
    otherwise).
    """
    if isinstance(source, str):
        if " / " in source:
            title, section = source.rsplit(" / ", 1)
        elif " > " in source:
            title, section = source.split(" > ", 1)
        else:
            title, section = source, ""
    elif isinstance(source, Mapping):
        title = source.get("title") or source.get("role") or source.get("source") or ""
        section = source.get("section") or ""
    else:
        title, section = source[0], source[1]
    section = str(section).split(" > ", 1)[0]
    return clean(title), clean(section)


def relevant_ranks(ranked_sources: Sequence[SourceLike], expected: Iterable[SourceLike]) -> list[int]:
    """1-based ranks at which a not-yet-seen expected source first appears.

    Several chunks of the same section count once (at their best rank), so
    duplicates neither help nor hurt nDCG.
    """
    wanted = {source_key(e) for e in expected}
    seen: set[tuple[str, str]] = set()
    ranks: list[int] = []
    for position, source in enumerate(ranked_sources, start=1):
        key = source_key(source)
        if key in wanted and key not in seen:
            seen.add(key)
            ranks.append(position)
    return ranks


def hit_from_ranks(ranks: Sequence[int], k: int) -> float:
    return 1.0 if any(r <= k for r in ranks) else 0.0


def rr_from_ranks(ranks: Sequence[int]) -> float:
    return 1.0 / min(ranks) if ranks else 0.0


def ndcg_from_ranks(ranks: Sequence[int], n_expected: int, k: int) -> float:
    ideal = sum(1.0 / math.log2(i + 1) for i in range(1, min(k, n_expected) + 1))
    if ideal == 0:
        return 0.0
    return sum(1.0 / math.log2(r + 1) for r in ranks if r <= k) / ideal


def hit_at_k(ranked_sources: Sequence[SourceLike], expected: Iterable[SourceLike], k: int) -> float:
    """1.0 when any expected source is among the first ``k`` retrieved, else 0.0."""
    return hit_from_ranks(relevant_ranks(ranked_sources, expected), k)


def reciprocal_rank(ranked_sources: Sequence[SourceLike], expected: Iterable[SourceLike]) -> float:
    """1 / rank of the first expected source in the ranking (0.0 when none is retrieved)."""
    return rr_from_ranks(relevant_ranks(ranked_sources, expected))


def ndcg_at_k(ranked_sources: Sequence[SourceLike], expected: Iterable[SourceLike], k: int) -> float:
    """Binary-relevance nDCG@k (gain 1 / log2(rank + 1)), ideal = all expected sources first.

    Matches ``ranx``'s ``ndcg@k`` for binary qrels. 0.0 when nothing is expected.
    """
    wanted = {source_key(e) for e in expected}
    return ndcg_from_ranks(relevant_ranks(ranked_sources, wanted), len(wanted), k)


def ranks_of(result: Mapping[str, Any]) -> tuple[list[int], int] | None:
    expected = result.get("expected_sources")
    if "relevant_ranks" in result and result["relevant_ranks"] is not None:
        n_expected = result.get("n_expected")
        if n_expected is None:
            n_expected = len({source_key(e) for e in expected}) if expected else len(result["relevant_ranks"])
        return list(result["relevant_ranks"]), int(n_expected)
    if expected and result.get("sources") is not None:
        wanted = {source_key(e) for e in expected}
        return relevant_ranks(result["sources"], wanted), len(wanted)
    return None
