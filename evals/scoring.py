"""Scoring one eval item: an answer's facts, declines and unsupported figures, and where the
expected sections rank in what was retrieved."""

from __future__ import annotations

import re
import time
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from core.errors import BadInput
from evals import metrics

# The published guide (../shared/corpus/ai-educademy/blog/en/ai-career-paths.mdx) cites its
# role sections as "<role> / <section>" like corpus/, but its other sections under its own
# title: these hold the same text our corpus/ files were written from.
PUBLISHED_GUIDE = "AI Career Paths in 2026: Which Role Is Right for You?"
PUBLISHED_EQUIVALENTS = {
    "How to choose your path / Do you love writing code for its own sake?": (
        "Do you love writing code for its own sake?",
    ),
    "How to choose your path / Are you drawn to research and open-ended problems?": (
        "Are you drawn to research and open-ended problems?",
    ),
    "How to choose your path / Do you enjoy working with business stakeholders?": (
        "Do you enjoy working with business stakeholders?",
    ),
    "How to choose your path / Your current background": ("What's your current background?",),
    "Skills that matter on every path / The six cross-cutting skills": (
        "The Skills That Matter Across All Paths",
    ),
    "The AI career landscape / The ten career tracks": ("The AI Career Landscape",),
    "The AI career landscape / Tracks without a detailed profile": ("The AI Career Landscape",),
    "The AI career landscape / About this guide": ("Introduction", "The AI Career Landscape"),
}
_EQUIVALENTS: dict[tuple[str, str], set[tuple[str, str]]] = {
    metrics.source_key(ours): {metrics.source_key(f"{PUBLISHED_GUIDE} / {t}") for t in theirs}
    for ours, theirs in PUBLISHED_EQUIVALENTS.items()
}
RETRIEVAL_DEPTH = 8  # what the chain retrieves before the context budget (passages.SEARCH_K)
# Recommendation cards show the quiz's own computed match ("— 75% fit"): not a claim from the guide.
FIT_SCORE = re.compile(r"\b\d{1,3}\s?% fit\b")


def section_matches(retrieved: str, expected: str) -> bool:
    """The same title and the same section, or a retrieved section that starts with the
    expected one ("Day-to-day tasks (technical track)" matches "Day-to-day tasks").

    The published guide's own sections outside the role profiles (in the haystack) count
    as the corpus sections written from them (PUBLISHED_EQUIVALENTS).
    """
    got = metrics.source_key(retrieved)
    want = metrics.source_key(expected)
    if got[0] == want[0] and (got[1] == want[1] or got[1].startswith(want[1])):
        return True
    return got in _EQUIVALENTS.get(want, ())


def match_ranks(ranked: Sequence[str | Sequence[str]], expected: Iterable[str]) -> list[int]:
    """1-based ranks at which a not-yet-found expected source first appears.

    An entry may be one citation or several (a naive chunk spanning sections); like
    metrics.relevant_ranks, each expected source counts once, at its best rank.
    """
    wanted = list(dict.fromkeys(expected))
    found: set[str] = set()
    ranks: list[int] = []
    for position, entry in enumerate(ranked, start=1):
        citations = [entry] if isinstance(entry, str) else list(entry)
        new = [w for w in wanted if w not in found and any(section_matches(c, w) for c in citations)]
        if new:
            found.update(new)
            ranks.extend([position] * len(new))
    return ranks


def score_answer(
    item: Mapping[str, Any],
    answer: str,
    declined: bool,
    source_texts: Sequence[str],
    ranked: Sequence[str | Sequence[str]] | None,
) -> dict[str, Any]:
    """The per-item scores of one answer (the fields metrics.summarise reads, and why it failed)."""
    expected_facts = item.get("expected_facts") or []
    hit, total = metrics.fact_hits(answer, expected_facts)
    missing = [alts for alts in expected_facts if not metrics.fact_hits(answer, [alts])[0]]
    forbidden = [f for f in item.get("forbidden_facts") or [] if metrics.contains_fact(answer, f)]
    expected_sources = item.get("expected_sources") or []
    ranks = None
    if ranked is not None and expected_sources and item.get("kind", "answerable") == "answerable":
        ranks = match_ranks(ranked, expected_sources)
    unsupported = metrics.unsupported_figures(answer, source_texts)
    passed = metrics.item_passes(item, answer, declined)
    if item.get("kind") == "not_in_guide" and unsupported:
        passed = False  # saying the guide is silent while quoting a figure it lacks
    return {
        "passed": passed,
        "fact_hits": hit,
        "fact_total": total,
        "missing_facts": missing,
        "forbidden_found": forbidden,
        "unsupported": unsupported,
        "relevant_ranks": ranks,
        "n_expected": len(set(expected_sources)) if ranks is not None else None,
    }


def reading_agrees(expected: Mapping[str, Any], reading: Mapping[str, Any]) -> dict[str, bool]:
    """Does the question understanding's reading match the dataset's labels (kind, roles, region)?"""
    region = reading.get("region") or reading.get("place")
    want_region = expected.get("region")
    kind = expected.get("kind")
    # Roles are the roles a question names; for rankings and path requests the labels name the
    # answer instead, so they are not compared. Declined questions carry no region.
    named = kind in {"role_fact", "comparison"}
    in_scope = kind not in {"out_of_scope", "meta"}
    return {
        "kind": kind == reading.get("kind"),
        "roles": set(expected.get("roles") or []) == set(reading.get("roles") or []) if named else True,
        "region": _region_key(want_region) == _region_key(region) if in_scope else True,
    }


def answer_item(config: str, runner: Any, item: dict) -> dict:
    base = {
        "part": "answers",
        "config": config,
        "id": item["id"],
        "kind": item.get("kind", "answerable"),
        "category": item.get("category"),
        "question": item.get("question", ""),
        "accept_decline": bool(item.get("accept_decline")),
        "expected_sources": item.get("expected_sources") or [],
    }
    try:
        result = runner.answer(item.get("question", ""), item.get("history") or [])
    except BadInput as exc:  # the assistant refused the input: a failed item, not a crashed run
        base.update(
            answer="",
            sources=[],
            declined=False,
            latency_s=None,
            ttft_s=None,
            mode="error",
            retrieved=[],
            error=str(exc),
        )
        base.update(score_answer(item, "", False, [], None))
        base["passed"] = False
        return base
    ranked: list[Any] = list(result.retrieved)
    if not ranked and result.mode == "recommendation":
        ranked = [s["section"] for s in result.sources]  # the quiz path grounds in the cards' sections
    base.update(
        answer=result.answer,
        sources=result.sources,
        declined=result.declined,
        latency_s=round(result.latency_s, 3),
        ttft_s=None if result.ttft_s is None else round(result.ttft_s, 3),
        mode=result.mode,
        retrieved=ranked[:RETRIEVAL_DEPTH],
        problems=list(result.problems),
        reason=getattr(result, "reason", None),
        reading=getattr(result, "reading", None),
    )
    if item.get("expected_reading") and base.get("reading"):
        base["reading_ok"] = reading_agrees(item["expected_reading"], base["reading"])
    answer = result.answer
    if result.mode == "recommendation":
        answer = FIT_SCORE.sub(" ", answer)  # the quiz's computed match, not a figure from the guide
    base.update(
        score_answer(
            item, answer, result.declined, [s.get("text", "") for s in result.sources], ranked or None
        )
    )
    return base


def retrieve_item(assistant: Any, item: dict) -> dict:
    started = time.perf_counter()
    # The chain's own retrieval step (follow-up resolution, per-role merging), without the LLM.
    resolved, hits = assistant.retrieve(item.get("question", ""), item.get("history") or [])
    elapsed_ms = (time.perf_counter() - started) * 1000
    ranked = [h.citation for h in hits]
    ranks = match_ranks(ranked, item["expected_sources"])
    return {
        "id": item["id"],
        "kind": item.get("kind", "answerable"),
        "category": item.get("category"),
        "question": item.get("question", ""),
        "query": resolved.query,
        "expected_sources": item["expected_sources"],
        "retrieved": ranked,
        "relevant_ranks": ranks,
        "n_expected": len(set(item["expected_sources"])),
        "first_rank": min(ranks) if ranks else None,
        "retrieval_ms": round(elapsed_ms, 2),
    }


def _region_key(region: str | None) -> str | None:
    if not region:
        return None
    from assistant.regions import normalize_region

    return normalize_region(region) or region.strip().lower()
