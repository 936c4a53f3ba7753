"""The eval report's numbers from per-item results: pass rates, fact recall, declines,
retrieval, latency percentiles, the quiz's agreement. Pure functions, no I/O."""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from evals.answer_metrics import decline_precision_recall
from evals.retrieval_metrics import clean, hit_from_ranks, ndcg_from_ranks, ranks_of, rr_from_ranks


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
        acceptable = {clean(r) for r in result.get("expected_top") or []}
        if top is not None and clean(top) in acceptable:
            agree += 1
    return agree / total if total else 0.0


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
    }
    return summary | _retrieval(answerable) | _timings(results) | _unsupported(results)


def _retrieval(answerable: list[Mapping[str, Any]]) -> dict[str, Any]:
    ranked = [x for x in (ranks_of(r) for r in answerable) if x is not None and x[1] > 0]
    out: dict[str, Any] = {"retrieval_n": len(ranked)}
    for k in (1, 3, 5):
        out[f"hit@{k}"] = _mean([hit_from_ranks(ranks, k) for ranks, _ in ranked])
    out["mrr"] = _mean([rr_from_ranks(ranks) for ranks, _ in ranked])
    out["ndcg@5"] = _mean([ndcg_from_ranks(ranks, n, 5) for ranks, n in ranked])
    return out


def _timings(results: list[Mapping[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for name, key in (("latency", "latency_s"), ("ttft", "ttft_s")):
        values = [float(r[key]) for r in results if r.get(key) is not None]
        out[f"{name}_p50"] = percentile(values, 50) if values else None
        out[f"{name}_p95"] = percentile(values, 95) if values else None
    return out


def _unsupported(results: list[Mapping[str, Any]]) -> dict[str, Any]:
    counts = [v if isinstance(v, int) else len(v) for r in results if (v := r.get("unsupported")) is not None]
    return {"unsupported": sum(counts), "items_with_unsupported": sum(1 for c in counts if c)}
