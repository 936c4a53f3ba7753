"""The eval runner: answers (ours vs naive), retrieval (our corpus and the haystack) and the quiz.

`career-assistant eval` writes results.jsonl, report.md and report.html into --out,
prints a summary and exits 1 when a metric misses its target in evals/thresholds.toml.

This module is the entry and the orchestration; the pieces live beside it: dataset.py
(loading), scoring.py (one item), aggregate.py and thresholds.py (summaries and targets),
parts.py (retrieval, quiz, answers), report.py, report_doc.py and charts.py (the report).
"""

from __future__ import annotations

import argparse
import datetime as dt
import logging
import os
import time
from pathlib import Path
from typing import Any

from core.errors import BadInput
from core.settings import Settings
from evals.aggregate import RATE_METRICS, format_value, summarise_rows
from evals.dataset import DEFAULT_DATASET, EVALS_DIR, QUIZ_DATASET, load_dataset
from evals.parts import answers_part, build_eval_index, quiz_part, retrieval_part
from evals.parts import index_settings as _index_settings
from evals.report import ANSWER_TABLE, RETRIEVAL_TABLE, build_report_doc, summary_text, write_report
from evals.report_doc import ReportDoc
from evals.results import CONFIGS, EvalOptions, EvalReport
from evals.scoring import (
    FIT_SCORE,
    PUBLISHED_EQUIVALENTS,
    PUBLISHED_GUIDE,
    RETRIEVAL_DEPTH,
    match_ranks,
    reading_agrees,
    score_answer,
    section_matches,
)
from evals.scoring import answer_item as _answer_item
from evals.thresholds import THRESHOLDS, Check, evaluate_checks, load_thresholds, rule_passes, rule_text

__all__ = [
    "ANSWER_TABLE", "CONFIGS", "DEFAULT_DATASET", "EVALS_DIR", "FIT_SCORE", "INDEX_FOLDER",
    "PUBLISHED_EQUIVALENTS", "PUBLISHED_GUIDE", "QUIZ_DATASET", "RATE_METRICS", "RETRIEVAL_DEPTH",
    "RETRIEVAL_TABLE", "THRESHOLDS", "Check", "EvalOptions", "EvalReport", "ReportDoc", "_answer_item",
    "_index_settings", "build_eval_index", "build_report_doc", "default_library", "evaluate_checks",
    "format_value", "load_dataset", "load_thresholds", "match_ranks", "options_from_args", "reading_agrees",
    "rule_passes", "rule_text", "run_eval", "run_eval_command", "score_answer", "section_matches",
    "summarise_rows", "summary_text", "write_report",
]

logger = logging.getLogger(__name__)

INDEX_FOLDER = "eval-indexes"


def run_eval_command(args: argparse.Namespace, settings: Settings) -> int:
    """The `career-assistant eval` subcommand: run, write the report, print a summary."""
    options = options_from_args(args, settings)
    report = run_eval(options, settings)
    paths = write_report(report, options.out)
    print(summary_text(report))
    print(f"wrote {', '.join(str(p) for p in paths)}")
    if report.failures:
        print("FAILED: " + "; ".join(c.line() for c in report.failures))
        return 1
    return 0


def options_from_args(args: argparse.Namespace, settings: Settings) -> EvalOptions:
    """EvalOptions from the CLI's arguments (missing attributes take their defaults)."""
    config = getattr(args, "config", None) or "both"
    if config not in ("ours", "naive", "both"):
        raise BadInput(f"--config {config!r}: choose ours, naive or both")
    retrieval_only = bool(getattr(args, "retrieval_only", False))
    quiz_only = bool(getattr(args, "quiz", False))
    limit = getattr(args, "limit", None)
    if limit is not None and limit <= 0:
        raise BadInput("--limit must be a positive number")
    haystack = None
    if not getattr(args, "no_haystack", False):
        haystack = getattr(args, "haystack", None) or default_library(settings)
        if getattr(args, "haystack", None) and not Path(haystack).is_dir():
            raise BadInput(f"--haystack {haystack}: no such folder")
    selected = retrieval_only or quiz_only
    return EvalOptions(
        dataset=Path(getattr(args, "dataset", None) or DEFAULT_DATASET),
        out=Path(getattr(args, "out", None) or "evals/out"),
        configs=CONFIGS if config == "both" else (config,),
        answers=not selected,
        retrieval=retrieval_only or not selected,
        quiz=quiz_only or not selected,
        haystack=Path(haystack) if haystack else None,
        quiz_dataset=Path(getattr(args, "quiz_dataset", None) or QUIZ_DATASET),
        limit=limit,
        thresholds=Path(getattr(args, "thresholds", None) or THRESHOLDS),
    )


def default_library(settings: Settings) -> Path:
    """The publisher's whole library, beside the project: ../shared/corpus/ai-educademy."""
    return Path(settings.corpus_dir).resolve().parent.parent / "shared" / "corpus" / "ai-educademy"


def run_eval(options: EvalOptions, settings: Settings) -> EvalReport:
    """Run the parts `options` selects; the results are also appended to results.jsonl as they come."""
    started = time.perf_counter()
    report = EvalReport(options=options, started=dt.datetime.now().isoformat(timespec="seconds"))
    thresholds = load_thresholds(options.thresholds)
    options.out.mkdir(parents=True, exist_ok=True)
    results_path = options.out / "results.jsonl"
    results_path.write_text("", encoding="utf-8")
    index_root = Path(settings.data_dir) / INDEX_FOLDER
    report.environment = _environment(settings, options)

    with results_path.open("a", encoding="utf-8") as sink:
        needs_items = options.answers or options.retrieval
        items = load_dataset(options.dataset, options.limit) if needs_items else []
        if options.retrieval:
            retrieval_part(report, items, settings, index_root, sink)
        if options.quiz:
            quiz_part(report, settings, sink)
        if options.answers:
            answers_part(report, items, settings, index_root, sink)

    report.checks = evaluate_checks(thresholds, _measured(report))
    report.seconds = time.perf_counter() - started
    return report


def _measured(report: EvalReport) -> dict[str, dict[str, Any]]:
    measured: dict[str, dict[str, Any]] = {}
    if "ours" in report.answers:
        measured["answers"] = report.answers["ours"]
    if report.versus_naive:
        measured["versus_naive"] = report.versus_naive
    for name, summary in report.retrieval.items():
        measured["retrieval" if name == "ours" else name] = summary
    if report.quiz:
        measured["quiz"] = report.quiz
    return measured


def _environment(settings: Settings, options: EvalOptions) -> dict[str, str]:
    from core.embeddings import LOCAL_MODEL_ID

    embeddings = LOCAL_MODEL_ID if settings.embedding_backend == "local" else "keyword fake (tests)"
    env = {
        "dataset": _display(options.dataset),
        "embeddings": embeddings,
        "retrieval": f"hybrid dense+BM25, top {settings.top_k} chunks "
        f"within {settings.context_tokens} tokens",
        "git commit": _git_commit(),
    }
    if options.answers:
        env["llm backend"] = settings.llm_backend + (
            f" ({settings.local_model})" if settings.llm_backend == "local" else ""
        )
    if options.haystack is not None and options.retrieval:
        env["haystack library"] = _display(options.haystack)
    return env


def _git_commit() -> str:
    import subprocess

    try:
        out = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True, timeout=5, cwd=EVALS_DIR
        )
        return out.stdout.strip() or "?"
    except (OSError, subprocess.SubprocessError):
        return "?"


def _display(path: Path) -> str:
    # Relative to the working folder, so a committed report names no machine's layout.
    try:
        return os.path.relpath(Path(path).resolve(), Path.cwd().resolve())
    except ValueError:  # another drive
        return str(path)
