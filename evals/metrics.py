"""Evaluation metrics: pure functions, no I/O, no project imports.

Answer scoring follows DESIGN.md ("Interfaces"): an answerable item passes when
every inner list of ``expected_facts`` has at least one alternative in the
answer (case-insensitive, numbers compared with separators and currency
symbols normalised); an out-of-scope item passes when the answer is declined.

Two optional per-item fields refine the rule (extra fields are allowed in the
dataset):

- ``accept_decline`` (bool): an answerable item whose honest answer is "the
  guide does not say" (category ``unanswerable``) also passes when declined.
- ``forbidden_facts`` (list of str): the item fails when any of these appears
  in the answer (e.g. another role's salary quoted for a region the guide does
  not cover).

Retrieval sources are matched on ``(title, section)`` case-insensitively;
expected sources are written ``"<title> / <section>"`` (titles may themselves
contain `` / ``, so the section is what follows the last separator).
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from decimal import Decimal, InvalidOperation
from typing import Any

__all__ = [
    "normalise_text",
    "contains_fact",
    "fact_hits",
    "item_passes",
    "source_key",
    "relevant_ranks",
    "hit_at_k",
    "reciprocal_rank",
    "ndcg_at_k",
    "decline_precision_recall",
    "extract_figures",
    "unsupported_figures",
    "percentile",
    "quiz_agreement",
    "summarise",
]

# ---------------------------------------------------------------------------
# Text and number normalisation
# ---------------------------------------------------------------------------

_CURRENCY = "£$€¥₹"
_DASHES = dict.fromkeys(map(ord, "\u2010\u2011\u2012\u2013\u2014\u2015\u2212"), "-")
_QUOTES = {ord("\u2018"): "'", ord("\u2019"): "'", ord("\u201c"): '"', ord("\u201d"): '"'}
# A thousands separator: comma / (narrow) no-break space / thin space between digit groups of three.
_THOUSANDS_RE = re.compile(r"(?<=\d)[,\u00a0\u202f\u2009](?=\d{3}(?!\d))")
_CURRENCY_RE = re.compile(f"[{re.escape(_CURRENCY)}]")
_K_SUFFIX_RE = re.compile(r"(?<![\w.])(\d+(?:\.\d+)?)\s?k\b")
_MILLION_RE = re.compile(r"(?<![\w.])(\d+(?:\.\d+)?)\s?(?:million|mn)\b")
_WS_RE = re.compile(r"\s+")


def _scale(number: str, factor: int) -> str:
    value = Decimal(number) * factor
    if value == value.to_integral_value():
        return format(value.quantize(Decimal(1)), "f")
    return format(value.normalize(), "f")


def normalise_text(text: str) -> str:
    """Normalise text for fact matching.

    Unicode NFKC, lower case, curly quotes to straight ones, all dashes to ``-``,
    thousands separators removed (``60,000`` -> ``60000``), currency symbols
    replaced by a space (``£60,000`` -> ``60000``), ``60k`` -> ``60000``, ``1.5 million`` ->
    ``1500000``, whitespace collapsed.
    """
    text = _THOUSANDS_RE.sub("", text)  # before NFKC, which turns a narrow no-break space into a space
    text = unicodedata.normalize("NFKC", text).translate(_DASHES).translate(_QUOTES).lower()
    text = _CURRENCY_RE.sub(" ", text)
    text = _K_SUFFIX_RE.sub(lambda m: _scale(m.group(1), 1000), text)
    text = _MILLION_RE.sub(lambda m: _scale(m.group(1), 1_000_000), text)
    return _WS_RE.sub(" ", text).strip()


def _fact_pattern(alternative: str) -> re.Pattern[str] | None:
    alt = normalise_text(alternative)
    if not alt:
        return None
    # Digits must not continue a longer number: "60000" must not match "160000".
    head = r"(?<![\d.])" if alt[0].isdigit() else ""
    tail = r"(?!\.?\d)" if alt[-1].isdigit() else ""
    return re.compile(head + re.escape(alt) + tail)


def contains_fact(answer: str, alternative: str) -> bool:
    """True when ``alternative`` occurs in ``answer`` after :func:`normalise_text`.

    Words match as substrings (``"statistic"`` matches ``"statistics"``); a figure
    matches only a whole number (``"60,000"`` matches ``"£60,000+"`` and ``"60000"``
    but not ``"160,000"``).
    """
    pattern = _fact_pattern(alternative)
    return bool(pattern and pattern.search(normalise_text(answer)))


def fact_hits(answer: str, expected_facts: Sequence[Sequence[str]]) -> tuple[int, int]:
    """Count the inner lists of ``expected_facts`` with at least one alternative in ``answer``.

    Returns ``(hit, total)`` where ``total = len(expected_facts)``.
    """
    normalised = normalise_text(answer)
    hit = 0
    for alternatives in expected_facts:
        patterns = [p for p in (_fact_pattern(a) for a in alternatives) if p is not None]
        if any(p.search(normalised) for p in patterns):
            hit += 1
    return hit, len(expected_facts)


_SILENCE_RE = re.compile(
    r"\bguide (?:does not|doesn't|gives no|has no|says nothing|does not say|lists [^.]* but gives no|"
    r"only covers|has nothing)|\bnot (?:in|covered by|given in) the guide\b|\bno (?:salary )?figures? for\b",
    re.IGNORECASE,
)


def says_not_in_guide(answer: str) -> bool:
    """Does the answer say plainly that the guide does not give what was asked?"""
    return bool(_SILENCE_RE.search(answer))


def item_passes(item: Mapping[str, Any], answer: str, declined: bool) -> bool:
    """DESIGN's pass rule for one dataset item.

    - ``kind == "out_of_scope"``: passes iff ``declined``.
    - ``kind == "not_in_guide"``: passes iff declined or the answer says the guide does not give it.
    - answerable and declined: passes iff ``item["accept_decline"]`` is true.
    - answerable otherwise: every inner list of ``expected_facts`` is hit and no
      ``forbidden_facts`` entry occurs in the answer.
    """
    if item.get("kind") == "out_of_scope":
        return bool(declined)
    if item.get("kind") == "not_in_guide":
        # Declined, or said plainly; the caller also requires no figure the sources lack.
        return bool(declined) or says_not_in_guide(answer or "")
    if declined:
        return bool(item.get("accept_decline", False))
    hit, total = fact_hits(answer or "", item.get("expected_facts") or [])
    if hit < total:
        return False
    return not any(contains_fact(answer or "", bad) for bad in item.get("forbidden_facts") or [])


# ---------------------------------------------------------------------------
# Retrieval metrics
# ---------------------------------------------------------------------------

SourceLike = str | Mapping[str, Any] | Sequence[str]


def _clean(part: str) -> str:
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
    return _clean(title), _clean(section)


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


def _hit_from_ranks(ranks: Sequence[int], k: int) -> float:
    return 1.0 if any(r <= k for r in ranks) else 0.0


def _rr_from_ranks(ranks: Sequence[int]) -> float:
    return 1.0 / min(ranks) if ranks else 0.0


def _ndcg_from_ranks(ranks: Sequence[int], n_expected: int, k: int) -> float:
    ideal = sum(1.0 / math.log2(i + 1) for i in range(1, min(k, n_expected) + 1))
    if ideal == 0:
        return 0.0
    return sum(1.0 / math.log2(r + 1) for r in ranks if r <= k) / ideal


def hit_at_k(ranked_sources: Sequence[SourceLike], expected: Iterable[SourceLike], k: int) -> float:
    """1.0 when any expected source is among the first ``k`` retrieved, else 0.0."""
    return _hit_from_ranks(relevant_ranks(ranked_sources, expected), k)


def reciprocal_rank(ranked_sources: Sequence[SourceLike], expected: Iterable[SourceLike]) -> float:
    """1 / rank of the first expected source in the ranking (0.0 when none is retrieved)."""
    return _rr_from_ranks(relevant_ranks(ranked_sources, expected))


def ndcg_at_k(ranked_sources: Sequence[SourceLike], expected: Iterable[SourceLike], k: int) -> float:
    """Binary-relevance nDCG@k (gain 1 / log2(rank + 1)), ideal = all expected sources first.

    Matches ``ranx``'s ``ndcg@k`` for binary qrels. 0.0 when nothing is expected.
    """
    wanted = {source_key(e) for e in expected}
    return _ndcg_from_ranks(relevant_ranks(ranked_sources, wanted), len(wanted), k)


# ---------------------------------------------------------------------------
# Declines
# ---------------------------------------------------------------------------


def decline_precision_recall(
    items_with_declined: Iterable[Mapping[str, Any] | tuple[str, bool]],
) -> tuple[float, float]:
    """Precision and recall of declining, with out-of-scope items as the positives.

    Each element is a mapping with ``kind`` and ``declined`` or a ``(kind, declined)``
    pair. Zero denominators: with no declines at all, precision is 1.0 (no wrong
    decline was made); with no out-of-scope items, recall is 1.0 (nothing to find).
    """
    tp = fp = fn = 0
    for element in items_with_declined:
        if isinstance(element, Mapping):
            kind, declined = element.get("kind"), bool(element.get("declined"))
        else:
            kind, declined = element[0], bool(element[1])
        positive = kind in {"out_of_scope", "not_in_guide"}
        if declined and positive:
            tp += 1
        elif declined:
            fp += 1
        elif positive:
            fn += 1
    precision = tp / (tp + fp) if tp + fp else 1.0
    recall = tp / (tp + fn) if tp + fn else 1.0
    return precision, recall


# ---------------------------------------------------------------------------
# Grounding of figures
# ---------------------------------------------------------------------------

_CITATION_RE = re.compile(r"\[\s*\d+(?:\s*[,;-]\s*\d+)*\s*\]")
_FIGURE_RE = re.compile(
    rf"(?P<cur>[{re.escape(_CURRENCY)}]\s?)?"
    r"(?<![\w.])(?P<num>\d{1,3}(?:[,\u00a0\u202f\u2009]\d{3})+(?!\d)|\d+)(?P<dec>\.\d+)?"
    r"(?P<suffix>\s?(?:k|million|mn|m|bn|billion)\b)?",
    re.IGNORECASE,
)
_MULTIPLIERS = {"k": 1000, "m": 10**6, "mn": 10**6, "million": 10**6, "bn": 10**9, "billion": 10**9}


def extract_figures(text: str) -> list[tuple[str, Decimal, bool]]:
    """Numbers in ``text`` as ``(as written, value, is_money)``.

    Citation markers (``[1]``, ``[2, 3]``) are skipped; digits glued to letters
    (``Qwen2.5``, ``S3``) are not figures. ``k``/``million``/``bn`` suffixes are
    applied (``£60k`` -> 60000); a bare ``m`` counts only after a currency symbol.
    """
    text = _CITATION_RE.sub(" ", text)
    figures: list[tuple[str, Decimal, bool]] = []
    for match in _FIGURE_RE.finditer(text):
        digits = re.sub(r"[,\u00a0\u202f\u2009]", "", match.group("num")) + (match.group("dec") or "")
        try:
            value = Decimal(digits)
        except InvalidOperation:  # pragma: no cover - the regex only yields digits
            continue
        suffix = (match.group("suffix") or "").strip().lower()
        money = bool(match.group("cur"))
        if suffix and (suffix != "m" or money):
            value *= _MULTIPLIERS[suffix]
            money = money or suffix != "m"
        figures.append((match.group(0).strip(), value, money))
    return figures


def unsupported_figures(answer: str, source_texts: Iterable[str]) -> list[str]:
    """Figures (numbers, money) in ``answer`` that occur in none of ``source_texts``.

    Figures are compared by value after normalisation (``£60k`` = ``60,000``).
    Ignored: citation markers like ``[1]`` and bare small numbers 1-10 (list
    ordinals, counts); years and everything else are supported only when the
    same value appears in a source. Returns the figures as written, de-duplicated,
    in order of appearance.
    """
    supported = {value for text in source_texts for _, value, _ in extract_figures(text)}
    unsupported: list[str] = []
    for written, value, money in extract_figures(answer):
        if not money and value == value.to_integral_value() and 1 <= value <= 10:
            continue
        if value in supported or written in unsupported:
            continue
        unsupported.append(written)
    return unsupported


# ---------------------------------------------------------------------------
# Aggregation
# ---------------------------------------------------------------------------


def percentile(values: Sequence[float], p: float) -> float:
    """The ``p``-th percentile (0-100) with linear interpolation (numpy's default method).

    Raises ``ValueError`` on an empty sequence or ``p`` outside [0, 100].
    """
    if not values:
        raise ValueError("percentile of an empty sequence")
    if not 0 <= p <= 100:
        raise ValueError(f"p must be within [0, 100], got {p}")
    ordered = sorted(float(v) for v in values)
    position = (len(ordered) - 1) * p / 100
    low = math.floor(position)
    high = math.ceil(position)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def _top_role(result: Mapping[str, Any]) -> str | None:
    for key in ("top", "predicted_top"):
        if result.get(key):
            return str(result[key])
    roles = result.get("roles") or []
    if roles:
        first = roles[0]
        return str(first["role"] if isinstance(first, Mapping) else first)
    return None


def quiz_agreement(results: Iterable[Mapping[str, Any]]) -> float:
    """Share of quiz cases whose #1 role is one of ``expected_top`` (case-insensitive).

    Each result has ``expected_top`` and the recommendation as ``top`` (or
    ``predicted_top``, or ``roles`` as printed by ``recommend --json``). 0.0 for no results.
    """
    total = agree = 0
    for result in results:
        total += 1
        top = _top_role(result)
        acceptable = {_clean(r) for r in result.get("expected_top") or []}
        if top is not None and _clean(top) in acceptable:
            agree += 1
    return agree / total if total else 0.0


def _ranks_of(result: Mapping[str, Any]) -> tuple[list[int], int] | None:
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


def _mean(values: Sequence[float]) -> float | None:
    return sum(values) / len(values) if values else None


def summarise(results: Iterable[Mapping[str, Any]]) -> dict[str, Any]:
    """Aggregate per-item result dicts into the eval report's numbers.

    Each result may carry: ``kind``, ``passed``, ``declined``, ``fact_hits``,
    ``fact_total``, retrieval ranks (``relevant_ranks`` with ``n_expected``, or
    ``sources`` with ``expected_sources``), ``latency_s``, ``ttft_s`` and
    ``unsupported`` (a list of figures or a count). Missing fields are skipped.

    Returns ``n_items``, ``n_answerable``, ``n_out_of_scope``, ``accuracy`` (all
    items), ``answerable_accuracy``, ``out_of_scope_accuracy``, ``fact_recall``,
    ``decline_precision``, ``decline_recall``, ``false_decline_rate`` (declined
    answerable / answerable), ``hit@1``, ``hit@3``, ``hit@5``, ``mrr``,
    ``ndcg@5`` (over answerable items with expected sources), ``retrieval_n``,
    ``latency_p50``, ``latency_p95``, ``ttft_p50``, ``ttft_p95``,
    ``unsupported`` (figures in total) and ``items_with_unsupported``. A metric
    with no data is ``None``.
    """
    results = list(results)
    answerable = [r for r in results if r.get("kind", "answerable") == "answerable"]
    out_of_scope = [r for r in results if r.get("kind") == "out_of_scope"]
    not_in_guide = [r for r in results if r.get("kind") == "not_in_guide"]

    def pass_rate(rows: list[Mapping[str, Any]]) -> float | None:
        return _mean([1.0 if r.get("passed") else 0.0 for r in rows])

    precision, recall = decline_precision_recall(
        (r.get("kind", "answerable"), bool(r.get("declined"))) for r in results
    )
    hits_total = sum(int(r.get("fact_hits") or 0) for r in answerable)
    facts_total = sum(int(r.get("fact_total") or 0) for r in answerable)

    ranked = [x for x in (_ranks_of(r) for r in answerable) if x is not None and x[1] > 0]
    latencies = [float(r["latency_s"]) for r in results if r.get("latency_s") is not None]
    ttfts = [float(r["ttft_s"]) for r in results if r.get("ttft_s") is not None]
    unsupported_counts = []
    for r in results:
        value = r.get("unsupported")
        if value is None:
            continue
        unsupported_counts.append(value if isinstance(value, int) else len(value))

    summary: dict[str, Any] = {
        "n_items": len(results),
        "n_answerable": len(answerable),
        "n_out_of_scope": len(out_of_scope),
        "accuracy": pass_rate(results),
        "answerable_accuracy": pass_rate(answerable),
        "out_of_scope_accuracy": pass_rate(out_of_scope),
        "n_not_in_guide": len(not_in_guide),
        "not_in_guide_accuracy": pass_rate(not_in_guide),
        "declines_handled": pass_rate(out_of_scope + not_in_guide),
        "fact_recall": hits_total / facts_total if facts_total else None,
        "decline_precision": precision if results else None,
        "decline_recall": recall if results else None,
        "false_decline_rate": _mean([1.0 if r.get("declined") else 0.0 for r in answerable]),
        "retrieval_n": len(ranked),
    }
    for k in (1, 3, 5):
        summary[f"hit@{k}"] = _mean([_hit_from_ranks(ranks, k) for ranks, _ in ranked])
    summary["mrr"] = _mean([_rr_from_ranks(ranks) for ranks, _ in ranked])
    summary["ndcg@5"] = _mean([_ndcg_from_ranks(ranks, n, 5) for ranks, n in ranked])
    for name, values in (("latency", latencies), ("ttft", ttfts)):
        summary[f"{name}_p50"] = percentile(values, 50) if values else None
        summary[f"{name}_p95"] = percentile(values, 95) if values else None
    summary["unsupported"] = sum(unsupported_counts)
    summary["items_with_unsupported"] = sum(1 for c in unsupported_counts if c)
    return summary
