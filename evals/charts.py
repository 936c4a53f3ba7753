"""The eval report's charts, as PNG bytes (matplotlib without pyplot)."""

from __future__ import annotations

import io
from typing import Any

from evals.results import EvalReport
from evals.scoring import RETRIEVAL_DEPTH


def bar_chart(report: EvalReport) -> bytes | None:
    metrics_ = [
        ("answerable_accuracy", "fact acc."),
        ("out_of_scope_accuracy", "OOS declined"),
        ("false_decline_rate", "false declines"),
        ("fact_recall", "facts found"),
        ("hit@3", "hit@3"),
        ("mrr", "MRR"),
    ]
    configs = list(report.answers)
    fig = _figure()
    ax = fig.add_subplot()
    width = 0.8 / len(configs)
    for n, config in enumerate(configs):
        values = [report.answers[config].get(m) or 0.0 for m, _ in metrics_]
        positions = [i + n * width for i in range(len(metrics_))]
        bars = ax.bar(positions, values, width, label=config)
        ax.bar_label(bars, fmt="%.2f", fontsize=7)
    ax.set_xticks(
        [i + width * (len(configs) - 1) / 2 for i in range(len(metrics_))], [label for _, label in metrics_]
    )
    ax.set_ylim(0, 1.1)
    ax.legend()
    unsupported = ", ".join(f"{c}: {report.answers[c]['unsupported']}" for c in configs)
    ax.set_title(f"Answer metrics (unsupported figures: {unsupported})", fontsize=10)
    return _png(fig)


def category_chart(report: EvalReport, categories: list[str]) -> bytes | None:
    configs = list(report.answers)
    fig = _figure(8, 3.8)
    ax = fig.add_subplot()
    width = 0.8 / len(configs)
    for n, config in enumerate(configs):
        values = []
        for cat in categories:
            subset = [r for r in report.answer_rows[config] if (r.get("category") or "-") == cat]
            values.append(sum(1 for r in subset if r["passed"]) / len(subset) if subset else 0.0)
        ax.bar([i + n * width for i in range(len(categories))], values, width, label=config)
    ax.set_xticks(
        [i + width * (len(configs) - 1) / 2 for i in range(len(categories))],
        categories,
        rotation=30,
        ha="right",
        fontsize=8,
    )
    ax.set_ylim(0, 1.05)
    ax.set_ylabel("share passed")
    ax.legend()
    return _png(fig)


def latency_chart(report: EvalReport) -> bytes | None:
    series, labels = [], []
    for config, rows in report.answer_rows.items():
        for key, name in (("latency_s", "latency"), ("ttft_s", "first token")):
            values = [r[key] for r in rows if r.get(key) is not None]
            if values:
                series.append(values)
                labels.append(f"{config}\n{name}")
    if not series:
        return None
    fig = _figure()
    ax = fig.add_subplot()
    ax.boxplot(series, tick_labels=labels)
    ax.set_ylabel("seconds")
    return _png(fig)


def hit_curve_chart(report: EvalReport) -> bytes | None:
    fig = _figure()
    ax = fig.add_subplot()
    ks = list(range(1, RETRIEVAL_DEPTH + 1))
    for name, rows in report.retrieval_rows.items():
        if not rows:
            continue
        values = [sum(1 for r in rows if r["first_rank"] and r["first_rank"] <= k) / len(rows) for k in ks]
        ax.plot(ks, values, marker="o", label=name)
    ax.set_xlabel("k")
    ax.set_ylabel("hit@k")
    ax.set_ylim(0, 1.05)
    ax.grid(alpha=0.3)
    ax.legend()
    return _png(fig)


def _figure(width: float = 7.0, height: float = 3.6) -> Any:
    from matplotlib.figure import Figure  # no pyplot: no global state, no display backend

    return Figure(figsize=(width, height), dpi=100)


def _png(fig: Any) -> bytes:
    buffer = io.BytesIO()
    fig.tight_layout()
    fig.savefig(buffer, format="png")
    return buffer.getvalue()
