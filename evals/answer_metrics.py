"""Answer metrics: facts found in an answer (numbers and currencies normalised), declines,
the guide's silence said plainly, and figures no source contains. Pure functions, no I/O."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from decimal import Decimal, InvalidOperation
from typing import Any

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
