"""The answer eval over several datasets side by side (gold, dev..dev20, sealed..sealed6), ours vs naive.

`python -m evals.sets` runs each dataset's answer eval in one process (one model load), writes
each set's own report under `--out/<set>/`, and a combined `--out/sets.md` with the table the
issues ask for, plus the question understanding's own accuracy on the sets that label it.
"""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Sequence
from pathlib import Path

from evals.run import EVALS_DIR, EvalOptions, EvalReport, format_value, run_eval, write_report

logger = logging.getLogger(__name__)

SETS = ("gold", "dev", "dev2", "dev3", "dev4", "dev5", "dev6", "dev7", "dev8", "dev9", "dev10", "dev11",
        "dev12", "dev13", "dev14", "dev15", "dev16", "dev17", "dev18", "dev19", "dev20", "sealed", "sealed2",
        "sealed3", "sealed4", "sealed5", "sealed6")
TABLE = (
    ("n_answerable", "answerable items"),
    ("answerable_accuracy", "fact accuracy"),
    ("n_out_of_scope", "out-of-scope items"),
    ("out_of_scope_accuracy", "out of scope declined"),
    ("n_not_in_guide", "not-in-guide items"),
    ("not_in_guide_accuracy", "not in guide said plainly"),
    ("declines_handled", "out of scope + not in guide handled"),
    ("false_decline_rate", "false declines"),
    ("unsupported", "invented figures"),
    ("ttft_p50", "first token p50 (s)"),
    ("latency_p50", "full answer p50 (s)"),
)
UNDERSTANDING = ("understanding_kind", "understanding_roles", "understanding_region")


def main(argv: Sequence[str] | None = None) -> int:
    from core.settings import apply_offline_env, load_settings

    parser = argparse.ArgumentParser(prog="python -m evals.sets", description=__doc__)
    parser.add_argument("--sets", nargs="+", default=list(SETS), help="dataset names under evals/datasets")
    parser.add_argument("--config", choices=["ours", "naive", "both"], default="both")
    parser.add_argument("--out", type=Path, default=Path("evals/reports/sets"))
    args = parser.parse_args(argv)
    apply_offline_env()
    settings = load_settings()
    configs = ("ours", "naive") if args.config == "both" else (args.config,)
    reports: dict[str, EvalReport] = {}
    for name in args.sets:
        options = EvalOptions(dataset=EVALS_DIR / "datasets" / f"{name}.jsonl", out=args.out / name, configs=configs,
                              retrieval=False, quiz=False)
        reports[name] = run_eval(options, settings)
        write_report(reports[name], options.out)
        print(f"{name}: done in {reports[name].seconds:.0f} s", flush=True)
    text = render(reports, configs)
    (args.out / "sets.md").write_text(text, encoding="utf-8")
    print(text)
    return 0


def render(reports: dict[str, EvalReport], configs: Sequence[str]) -> str:
    """The side-by-side markdown table of every set and configuration."""
    heads = [f"{name} ({config})" for name in reports for config in configs]
    lines = ["# Answers on " + ", ".join(reports) + ": " + " vs ".join(configs), "",
             "| metric | " + " | ".join(heads) + " |", "|---|" + "---|" * len(heads)]
    for metric, label in TABLE:
        cells = [format_value(metric, reports[n].answers.get(c, {}).get(metric)) for n in reports for c in configs]
        lines.append(f"| {label} | " + " | ".join(cells) + " |")
    labelled = [r for n, r in reports.items() if n != "gold"]
    if labelled and "ours" in configs:
        lines += ["", "Question understanding (ours) against the labels of "
                  + " + ".join(n for n in reports if n != "gold") + ":", ""]
        for metric in UNDERSTANDING:
            lines.append(f"- {metric.split('_')[1]}: {format_value(metric, _pooled(labelled, metric))}")
    first = next(iter(reports.values()))
    lines += ["", f"Model: {first.environment.get('model', '?')}; commit {first.environment.get('git commit', '?')}.",
              "Reproduce: `python -m evals.sets` (per-set reports and results.jsonl beside this file)."]
    return "\n".join(lines) + "\n"


def _pooled(reports: list[EvalReport], metric: str) -> float | None:
    part = metric.split("_", 1)[1]
    judged = [row["reading_ok"][part] for r in reports for row in r.answer_rows.get("ours", [])
              if row.get("reading_ok")]
    return sum(judged) / len(judged) if judged else None


if __name__ == "__main__":
    sys.exit(main())
