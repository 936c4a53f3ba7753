"""Aggregating scored items into a summary per configuration, and formatting its values."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

from evals import metrics

RATE_METRICS = {
    "accuracy",
    "answerable_accuracy",
    "out_of_scope_accuracy",
    "not_in_guide_accuracy",
    "declines_handled",
    "understanding_kind",
    "understanding_roles",
    "understanding_region",
    "fact_recall",
    "decline_precision",
    "decline_recall",
    "false_decline_rate",
    "hit@1",
    "hit@3",
    "hit@5",
    "mrr",
    "ndcg@5",
    "agreement",
    "answerable_accuracy_gain",
}


def summarise_rows(rows: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
    """metrics.summarise over rows, with false declines counted only where a decline is wrong."""
    view = []
    for r in rows:
        v = {
            k: r.get(k)
            for k in (
                "kind",
                "passed",
                "declined",
                "fact_hits",
                "fact_total",
                "latency_s",
                "ttft_s",
                "unsupported",
            )
        }
        if r.get("relevant_ranks") is not None:
            v["relevant_ranks"], v["n_expected"] = r["relevant_ranks"], r["n_expected"]
        view.append(v)
    summary = metrics.summarise(view)
    strict = [r for r in rows if r.get("kind", "answerable") == "answerable" and not r.get("accept_decline")]
    summary["false_decline_rate"] = (
        (sum(1 for r in strict if r.get("declined")) / len(strict)) if strict else None
    )
    summary["errors"] = sum(1 for r in rows if r.get("error"))
    for part in ("kind", "roles", "region"):
        judged = [r["reading_ok"][part] for r in rows if r.get("reading_ok")]
        summary[f"understanding_{part}"] = sum(judged) / len(judged) if judged else None
    return summary


def format_value(metric: str, value: Any) -> str:
    if value is None:
        return "n/a"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if metric in RATE_METRICS:
            return f"{value:.3f}"
        if metric.endswith("_ms"):
            return f"{value:.1f}"
        if (
            math.isfinite(value)
            and value == int(value)
            and abs(value) < 1e6
            and not metric.endswith("_s")
            and "latency" not in metric
            and "ttft" not in metric
        ):
            return str(int(value))
        return f"{value:.2f}"
    return str(value)
