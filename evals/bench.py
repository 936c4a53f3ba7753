"""Performance benchmarks, each against a baseline measured in the same process and run.

- ingest of the whole shared library (plus corpus/) vs raw SentenceTransformer.encode of
  the same chunk texts (pipeline overhead), alternating which goes first;
- re-ingest of unchanged input as a fraction of the first ingest;
- hybrid-search latency on that (haystack) index;
- time to first token and generation speed of the full chain vs a bare
  llama_cpp.Llama.create_chat_completion with the same messages, both cold, alternating;
- start-up time and peak RSS of a fresh process that builds the assistant and answers.

`career-assistant bench` writes bench.json and bench.md into --out. Each part lives in its own
module: bench_ingest.py, bench_retrieval.py, bench_llm.py, bench_startup.py, and the user
view in latency.py; bench_report.py writes bench.md. This module is the entry.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import logging
import os
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from core.errors import BadInput
from core.settings import Settings
from evals.bench_ingest import bench_ingest, bench_reingest
from evals.bench_llm import LLM_QUESTIONS, bench_llm
from evals.bench_report import render_markdown, summary_text
from evals.bench_retrieval import bench_retrieval
from evals.bench_startup import STARTUP_QUESTION, bench_startup, peak_rss_mb, probe_main

__all__ = [
    "BENCH_FOLDER", "LLM_QUESTIONS", "PARTS", "RATIO_KEYS", "STARTUP_QUESTION", "BenchOptions",
    "render_markdown", "run_bench", "run_bench_command", "summary_text", "write_bench",
]

logger = logging.getLogger(__name__)

BENCH_FOLDER = "bench"
RATIO_KEYS = ("ingest_overhead", "reingest_fraction", "ttft_overhead", "retrieval_p50_ms",
              "user_ttft_ratio", "user_latency_p50_s", "cards_ttft_p50_s", "app_peak_rss_mb")
PARTS = ("ingest", "retrieval", "llm", "startup", "user")


@dataclass
class BenchOptions:
    out: Path
    library: Path
    quick: bool = False
    thresholds: Path | None = None
    parts: tuple[str, ...] = PARTS
    sets: tuple[str, ...] = ("gold", "dev")
    per_set: int | None = None  # questions per set for the user view, spread evenly; None: all

    @property
    def user_questions(self) -> int | None:
        return 4 if self.quick else self.per_set

    @property
    def ingest_reps(self) -> int:
        return 1 if self.quick else 2

    @property
    def reingest_reps(self) -> int:
        return 1 if self.quick else 3

    @property
    def retrieval_queries(self) -> int:
        return 30 if self.quick else 200

    @property
    def llm_questions(self) -> int:
        return 2 if self.quick else 5


def run_bench_command(args: argparse.Namespace, settings: Settings) -> int:
    """The `career-assistant bench` subcommand: measure, write bench.json and bench.md, print a summary."""
    from evals.run import THRESHOLDS, default_library

    library = Path(getattr(args, "library", None) or default_library(settings))
    if not library.is_dir():
        raise BadInput(f"the library {library} is missing: pass --library DIR")
    options = BenchOptions(
        out=Path(getattr(args, "out", None) or "evals/out/bench"),
        library=library,
        quick=bool(getattr(args, "quick", False)),
        thresholds=Path(getattr(args, "thresholds", None) or THRESHOLDS),
        parts=tuple(getattr(args, "parts", None) or PARTS),
        sets=tuple(getattr(args, "sets", None) or ("gold", "dev")),
        per_set=getattr(args, "per_set", None),
    )
    result = run_bench(options, settings)
    paths = write_bench(result, options.out)
    print(summary_text(result))
    print(f"wrote {', '.join(str(p) for p in paths)}")
    failed = [c for c in result["checks"] if c["checked"] and not c["passed"]]
    if failed:
        print(
            "FAILED: " + "; ".join(f"{c['metric']} = {c['value']:.3g} (target {c['rule']})" for c in failed)
        )
        return 1
    return 0


def run_bench(options: BenchOptions, settings: Settings) -> dict[str, Any]:
    """Every measurement, as a JSON-ready dict (see bench.md for what each means)."""
    from core.embeddings import make_embeddings

    started = time.perf_counter()
    result: dict[str, Any] = {
        "started": dt.datetime.now().isoformat(timespec="seconds"),
        "quick": options.quick,
        "environment": _environment(settings, options),
    }
    embeddings = make_embeddings(settings)
    paths = [options.library, Path(settings.corpus_dir)]
    index_settings = settings.model_copy(
        update={"chroma_dir": Path(settings.data_dir) / BENCH_FOLDER / "haystack", "chroma_host": None}
    )
    if "ingest" in options.parts or "retrieval" in options.parts:
        result["ingest"], collection = bench_ingest(paths, index_settings, embeddings, options)
        result["reingest"] = bench_reingest(paths, index_settings, embeddings, options, result["ingest"])
        result["retrieval"] = bench_retrieval(collection, embeddings, options)
    if "llm" in options.parts:
        result["llm"] = bench_llm(settings, options)
    if "user" in options.parts:
        from evals.latency import pooled, run_user_view

        result["user_view"] = run_user_view(settings, options.sets, options.user_questions)
        result["user_view"]["pooled"] = pooled(result["user_view"])
    if "startup" in options.parts:
        result["startup"] = bench_startup(settings)
    result["bench_process_peak_rss_mb"] = peak_rss_mb()
    user = result.get("user_view", {}).get("pooled", {})
    result["ratios"] = {
        "ingest_overhead": result.get("ingest", {}).get("overhead"),
        "reingest_fraction": result.get("reingest", {}).get("fraction_of_first_ingest"),
        "ttft_overhead": result.get("llm", {}).get("ttft_overhead"),
        "retrieval_p50_ms": result.get("retrieval", {}).get("search_p50_ms"),
        "user_ttft_ratio": user.get("user_ttft_ratio"),
        "user_latency_p50_s": user.get("user_latency_p50_s"),
        "cards_ttft_p50_s": user.get("cards_ttft_p50_s"),
        "app_peak_rss_mb": result.get("startup", {}).get("peak_rss_mb"),
    }
    result["checks"] = _checks(result["ratios"], settings, options.thresholds)
    result["environment"]["load_average_end"] = load_average()
    result["seconds"] = round(time.perf_counter() - started, 1)
    return result


def write_bench(result: dict[str, Any], out: Path) -> list[Path]:
    out.mkdir(parents=True, exist_ok=True)
    json_path, md_path = out / "bench.json", out / "bench.md"
    json_path.write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    md_path.write_text(render_markdown(result), encoding="utf-8")
    return [json_path, md_path]


def _checks(ratios: dict[str, float | None], settings: Settings, thresholds: Path | None) -> list[dict]:
    from evals.run import THRESHOLDS, load_thresholds, rule_passes, rule_text

    rules = load_thresholds(thresholds or THRESHOLDS).get("bench", {})
    real_embeddings = settings.embedding_backend == "local"
    real_llm = settings.llm_backend == "local"
    why_not = {
        "ingest_overhead": None if real_embeddings else "fake embeddings",
        "reingest_fraction": None if real_embeddings else "fake embeddings",
        "retrieval_p50_ms": None if real_embeddings else "fake embeddings",
        "ttft_overhead": None if real_llm else f"{settings.llm_backend} backend, not llama.cpp",
        "user_ttft_ratio": None if real_llm and real_embeddings else "fake backends",
        "user_latency_p50_s": None if real_llm and real_embeddings else "fake backends",
        "cards_ttft_p50_s": None if real_llm and real_embeddings else "fake backends",
        "app_peak_rss_mb": None if real_llm and real_embeddings else "fake backends",
    }
    checks = []
    for metric in RATIO_KEYS:
        value, rule = ratios.get(metric), rules.get(metric)
        if rule is None:
            continue
        why = why_not.get(metric) or (None if value is not None else "not measured")
        checks.append(
            {
                "metric": metric,
                "value": value,
                "rule": rule_text(rule),
                "checked": why is None,
                "why": why or "",
                "passed": bool(value is not None and rule_passes(float(value), rule)),
            }
        )
    return checks


def _environment(settings: Settings, options: BenchOptions) -> dict[str, Any]:
    from core.embeddings import LOCAL_MODEL_ID

    return {
        "library": os.path.relpath(options.library.resolve(), Path.cwd().resolve()),
        "embeddings": LOCAL_MODEL_ID if settings.embedding_backend == "local" else settings.embedding_backend,
        "llm backend": settings.llm_backend
        + (
            f" ({settings.local_model}, {settings.llm_threads} threads)"
            if settings.llm_backend == "local"
            else ""
        ),
        "cpus": os.cpu_count(),
        "python": sys.version.split()[0],
        "load_average_start": load_average(),
    }


def load_average() -> str:
    try:
        return " ".join(f"{x:.1f}" for x in os.getloadavg())
    except OSError:
        return "?"


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "--probe":
        sys.exit(probe_main(sys.argv[1:]))
    sys.exit(
        "usage: python -m evals.bench --probe '{settings overrides as JSON}' (use `career-assistant bench`)"
    )
