"""The eval runner: answers (ours vs naive), retrieval (our corpus and the haystack) and the quiz.

`career-assistant eval` writes results.jsonl, report.md and report.html into --out,
prints a summary and exits 1 when a metric misses its target in evals/thresholds.toml.
"""

from __future__ import annotations

import argparse
import base64
import datetime as dt
import html
import io
import json
import logging
import math
import os
import re
import sys
import time
import tomllib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from assistant.errors import BadInput
from assistant.settings import Settings
from evals import metrics

logger = logging.getLogger(__name__)

EVALS_DIR = Path(__file__).resolve().parent
DEFAULT_DATASET = EVALS_DIR / "datasets" / "gold.jsonl"
QUIZ_DATASET = EVALS_DIR / "datasets" / "quiz.jsonl"
THRESHOLDS = EVALS_DIR / "thresholds.toml"
INDEX_FOLDER = "eval-indexes"
CONFIGS = ("ours", "naive")
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
RETRIEVAL_DEPTH = 8  # what the chain retrieves before the context budget (chain.SEARCH_K)
# Recommendation cards show the quiz's own computed match ("— 75% fit"): not a claim from the guide.
FIT_SCORE = re.compile(r"\b\d{1,3}\s?% fit\b")
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
ANSWER_TABLE = (
    ("answerable_accuracy", "fact accuracy (answerable items passed)"),
    ("accuracy", "accuracy, all items"),
    ("fact_recall", "expected facts found"),
    ("out_of_scope_accuracy", "out-of-scope declined"),
    ("not_in_guide_accuracy", "not-in-guide said plainly"),
    ("declines_handled", "out-of-scope and not-in-guide handled"),
    ("false_decline_rate", "false declines"),
    ("decline_precision", "decline precision"),
    ("unsupported", "unsupported figures (total)"),
    ("items_with_unsupported", "answers with unsupported figures"),
    ("hit@3", "retrieval hit@3 (as answered)"),
    ("mrr", "retrieval MRR (as answered)"),
    ("understanding_kind", "understanding: kind"),
    ("understanding_roles", "understanding: roles"),
    ("understanding_region", "understanding: region"),
    ("latency_p50", "latency p50 (s)"),
    ("latency_p95", "latency p95 (s)"),
    ("ttft_p50", "time to first token p50 (s)"),
    ("ttft_p95", "time to first token p95 (s)"),
)
RETRIEVAL_TABLE = (
    ("hit@1", "hit@1"),
    ("hit@3", "hit@3"),
    ("hit@5", "hit@5"),
    ("mrr", "MRR"),
    ("ndcg@5", "nDCG@5"),
    ("retrieval_n", "items scored"),
    ("chunks", "chunks indexed"),
    ("documents", "files indexed"),
    ("latency_p50_ms", "search p50 (ms)"),
    ("latency_p95_ms", "search p95 (ms)"),
)


# --------------------------------------------------------------------------- public API


@dataclass
class EvalOptions:
    """What one `eval` invocation runs."""

    dataset: Path = DEFAULT_DATASET
    out: Path = Path("evals/out")
    configs: tuple[str, ...] = CONFIGS
    answers: bool = True
    retrieval: bool = True
    quiz: bool = True
    haystack: Path | None = None  # the library mixed into the haystack index; None = skip
    quiz_dataset: Path = QUIZ_DATASET
    limit: int | None = None
    thresholds: Path = THRESHOLDS
    progress: bool | None = None  # None: a progress bar on a terminal only


@dataclass
class Check:
    """One metric against its target."""

    section: str
    metric: str
    value: float | None
    rule: str
    passed: bool

    @property
    def name(self) -> str:
        return f"{self.section}.{self.metric}"

    def line(self) -> str:
        return f"{self.name} = {format_value(self.metric, self.value)} (target {self.rule})"


@dataclass
class EvalReport:
    """Everything one eval run measured."""

    options: EvalOptions
    started: str
    seconds: float = 0.0
    environment: dict[str, str] = field(default_factory=dict)
    answers: dict[str, dict[str, Any]] = field(default_factory=dict)  # config -> summary
    answer_rows: dict[str, list[dict]] = field(default_factory=dict)  # config -> rows
    retrieval: dict[str, dict[str, Any]] = field(default_factory=dict)  # index -> summary
    retrieval_rows: dict[str, list[dict]] = field(default_factory=dict)
    quiz: dict[str, Any] = field(default_factory=dict)
    quiz_rows: list[dict] = field(default_factory=list)
    versus_naive: dict[str, Any] = field(default_factory=dict)
    checks: list[Check] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def failures(self) -> list[Check]:
        return [c for c in self.checks if not c.passed]


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
            _retrieval_part(report, items, settings, index_root, sink)
        if options.quiz:
            _quiz_part(report, settings, sink)
        if options.answers:
            _answers_part(report, items, settings, index_root, sink)

    report.checks = evaluate_checks(thresholds, _measured(report))
    report.seconds = time.perf_counter() - started
    return report


def load_dataset(path: Path, limit: int | None = None) -> list[dict]:
    """Dataset items from a JSONL file (blank lines skipped); BadInput names a bad line."""
    try:
        lines = Path(path).read_text(encoding="utf-8").splitlines()
    except FileNotFoundError:
        raise BadInput(f"--dataset {path}: no such file") from None
    items: list[dict] = []
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            item = json.loads(line)
        except json.JSONDecodeError as exc:
            raise BadInput(f"{path}:{number}: not valid JSON ({exc.msg})") from None
        if not isinstance(item, dict) or "id" not in item:
            raise BadInput(f"{path}:{number}: expected an object with an id")
        items.append(item)
        if limit and len(items) >= limit:
            break
    if not items:
        raise BadInput(f"{path}: no items")
    return items


def load_thresholds(path: Path) -> dict[str, dict[str, dict[str, float]]]:
    """{section: {metric: {min|max|above|below: value}}} from the TOML file."""
    try:
        data = tomllib.loads(Path(path).read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise BadInput(f"thresholds file {path} not found") from None
    except tomllib.TOMLDecodeError as exc:
        raise BadInput(f"{path}: invalid TOML ({exc})") from None
    for section, table in data.items():
        for metric, rule in table.items():
            if not isinstance(rule, dict) or not set(rule) <= {"min", "max", "above", "below"} or not rule:
                raise BadInput(f"{path}: {section}.{metric} needs min, max, above or below")
    return data


def evaluate_checks(
    thresholds: Mapping[str, Mapping[str, Mapping[str, float]]], measured: Mapping[str, Mapping[str, Any]]
) -> list[Check]:
    """Each target whose metric was measured, as a Check; unmeasured metrics are skipped."""
    checks = []
    for section, rules in thresholds.items():
        values = measured.get(section)
        if values is None:
            continue
        for metric, rule in rules.items():
            value = values.get(metric)
            if value is None:
                continue
            checks.append(
                Check(section, metric, float(value), rule_text(rule), rule_passes(float(value), rule))
            )
    return checks


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


def _region_key(region: str | None) -> str | None:
    if not region:
        return None
    from assistant.roles import normalize_region

    return normalize_region(region) or region.strip().lower()


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


# --------------------------------------------------------------------------- the parts


def _retrieval_part(
    report: EvalReport, items: list[dict], settings: Settings, index_root: Path, sink: io.TextIOBase
) -> None:
    corpus = Path(settings.corpus_dir)
    indexes: list[tuple[str, list[Path]]] = [("ours", [corpus])]
    library = report.options.haystack
    if library is not None:
        if library.is_dir():
            indexes.append(("haystack", [library, corpus]))
        else:
            note = f"haystack skipped: the library {library} is missing (pass --haystack DIR)"
            logger.warning(note)
            print(f"warning: {note}", file=sys.stderr)
            report.notes.append(note)
    scored = [i for i in items if i.get("kind", "answerable") == "answerable" and i.get("expected_sources")]
    for name, paths in indexes:
        s, ingest = build_eval_index(settings, index_root / name, paths, report.options.progress)
        assistant = _retrieval_assistant(s)
        assistant.search.search("warm up: load the model and the BM25 index", k=1)  # not timed
        rows = []
        for item in _progress(scored, f"retrieval ({name})", report.options.progress):
            row = _retrieve_item(assistant, item)
            row.update(part="retrieval", index=name)
            rows.append(row)
            _emit(sink, row)
        summary = summarise_rows(rows)
        latencies = [r["retrieval_ms"] for r in rows]
        summary.update(
            chunks=ingest.chunks_total,
            documents=ingest.added + ingest.updated + ingest.unchanged,
            latency_p50_ms=metrics.percentile(latencies, 50) if latencies else None,
            latency_p95_ms=metrics.percentile(latencies, 95) if latencies else None,
        )
        report.retrieval[name] = summary
        report.retrieval_rows[name] = rows


def _quiz_part(report: EvalReport, settings: Settings, sink: io.TextIOBase) -> None:
    from assistant.quiz import QuizAnswers, score_roles
    from assistant.roles import load_roles

    roles = load_roles(settings.corpus_dir)
    rows = []
    for case in load_dataset(report.options.quiz_dataset, report.options.limit):
        a = case.get("answers") or {}
        answers = QuizAnswers(
            code=bool(a.get("code")),
            research=bool(a.get("research")),
            stakeholders=bool(a.get("stakeholders")),
            background=str(a.get("background") or "other"),
        )
        ranking = [r.role for r in score_roles(answers, roles)]
        row = {
            "part": "quiz",
            "id": case["id"],
            "answers": a,
            "expected_top": case.get("expected_top", []),
            "top": ranking[0] if ranking else None,
            "ranking": ranking[:3],
        }
        row["passed"] = metrics.quiz_agreement([row]) == 1.0
        rows.append(row)
        _emit(sink, row)
    report.quiz = {
        "agreement": metrics.quiz_agreement(rows),
        "n": len(rows),
        "disagreements": sum(1 for r in rows if not r["passed"]),
    }
    report.quiz_rows = rows


def _answers_part(
    report: EvalReport, items: list[dict], settings: Settings, index_root: Path, sink: io.TextIOBase
) -> None:
    from assistant.chain import build_assistant
    from assistant.embeddings import make_embeddings
    from assistant.llm import make_chat_model, model_info
    from assistant.store import make_chroma_client
    from evals.naive import build_naive

    configs = report.options.configs
    runners: dict[str, Any] = {}
    chat_model = None
    if "ours" in configs:
        s, _ = build_eval_index(
            settings, index_root / "ours", [Path(settings.corpus_dir)], report.options.progress
        )
        assistant = build_assistant(s)
        chat_model = assistant.chat_model
        runners["ours"] = assistant
    if "naive" in configs:
        s = _index_settings(settings, index_root / "naive")
        chat_model = chat_model or make_chat_model(settings)  # the same object as ours
        runners["naive"] = build_naive(
            Path(settings.corpus_dir), make_chroma_client(s), make_embeddings(settings), chat_model
        )
    report.environment["model"] = model_info(chat_model) if chat_model is not None else "?"

    rows: dict[str, list[dict]] = {c: [] for c in configs}
    steps = [(item, c) for item in items for c in configs]  # interleaved: both see the same conditions
    for item, config in _progress(steps, "answers", report.options.progress):
        row = _answer_item(config, runners[config], item)
        rows[config].append(row)
        _emit(sink, row)
    for config in configs:
        report.answers[config] = summarise_rows(rows[config])
        report.answer_rows[config] = rows[config]
    if "ours" in configs and "naive" in configs:
        ours, naive = report.answers["ours"], report.answers["naive"]
        report.versus_naive = {
            "answerable_accuracy_gain": _diff(
                ours.get("answerable_accuracy"), naive.get("answerable_accuracy")
            ),
            "accuracy_gain": _diff(ours.get("accuracy"), naive.get("accuracy")),
            "unsupported_reduction": _diff(naive.get("unsupported"), ours.get("unsupported")),
        }


def _answer_item(config: str, runner: Any, item: dict) -> dict:
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


def _retrieve_item(assistant: Any, item: dict) -> dict:
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


def _index_settings(settings: Settings, folder: Path) -> Settings:
    # Always a local folder of its own: an eval never writes into the app's index or server.
    return settings.model_copy(update={"chroma_dir": folder, "chroma_host": None})


def build_eval_index(
    settings: Settings, folder: Path, paths: list[Path], progress: bool | None
) -> tuple[Settings, Any]:
    from assistant.embeddings import make_embeddings
    from assistant.store import make_chroma_client
    from ingest.index import ingest_paths

    s = _index_settings(settings, folder)
    ingest = ingest_paths(
        paths,
        client=make_chroma_client(s),
        settings=s,
        embeddings=make_embeddings(s),
        progress=progress is not False,
    )
    logger.info("eval index %s: %s", folder.name, ingest.summary())
    return s, ingest


def _retrieval_assistant(s: Settings) -> Any:
    from assistant.chain import build_assistant

    return build_assistant(s.model_copy(update={"llm_backend": "fake"}))  # retrieval never calls the LLM


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


def rule_passes(value: float, rule: Mapping[str, float]) -> bool:
    eps = 1e-9
    return all(
        (
            "min" not in rule or value >= rule["min"] - eps,
            "max" not in rule or value <= rule["max"] + eps,
            "above" not in rule or value > rule["above"] + eps,
            "below" not in rule or value < rule["below"] - eps,
        )
    )


def rule_text(rule: Mapping[str, float]) -> str:
    symbols = {"min": ">=", "max": "<=", "above": ">", "below": "<"}
    return " and ".join(f"{symbols[k]} {v:g}" for k, v in rule.items())


def _diff(a: float | None, b: float | None) -> float | None:
    return None if a is None or b is None else float(a) - float(b)


def _emit(sink: io.TextIOBase, row: Mapping[str, Any]) -> None:
    sink.write(json.dumps(row, ensure_ascii=False) + "\n")
    sink.flush()


def _progress(iterable: Sequence[Any], desc: str, enabled: bool | None) -> Iterable[Any]:
    from tqdm import tqdm

    return tqdm(
        iterable,
        desc=desc,
        unit="item",
        file=sys.stderr,
        disable=None if enabled is None else not enabled,
        dynamic_ncols=True,
    )


def _environment(settings: Settings, options: EvalOptions) -> dict[str, str]:
    from assistant.embeddings import LOCAL_MODEL_ID

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


# --------------------------------------------------------------------------- the report


class ReportDoc:
    """A report as blocks, rendered to markdown and to self-contained HTML (charts inlined)."""

    def __init__(self, title: str) -> None:
        self.title = title
        self.blocks: list[tuple[str, Any]] = []

    def heading(self, text: str, level: int = 2) -> None:
        self.blocks.append(("heading", (level, text)))

    def para(self, text: str) -> None:
        self.blocks.append(("para", text))

    def bullets(self, items: Sequence[str]) -> None:
        if items:
            self.blocks.append(("bullets", list(items)))

    def table(self, headers: Sequence[str], rows: Sequence[Sequence[Any]]) -> None:
        self.blocks.append(("table", (list(headers), [[str(c) for c in r] for r in rows])))

    def chart(self, png: bytes | None, caption: str) -> None:
        if png:
            self.blocks.append(("chart", (png, caption)))

    def to_markdown(self) -> str:
        out = [f"# {self.title}", ""]
        charts = [b for b in self.blocks if b[0] == "chart"]
        for kind, value in self.blocks:
            if kind == "heading":
                out += ["#" * value[0] + " " + value[1], ""]
            elif kind == "para":
                out += [value, ""]
            elif kind == "bullets":
                out += [f"- {v}" for v in value] + [""]
            elif kind == "table":
                headers, rows = value
                out.append("| " + " | ".join(_md_cell(h) for h in headers) + " |")
                out.append("|" + "|".join("---" for _ in headers) + "|")
                out += ["| " + " | ".join(_md_cell(c) for c in r) + " |" for r in rows]
                out.append("")
            elif kind == "chart":
                out += [f"*Chart: {value[1]} (in the HTML report beside this file).*", ""]
        if charts:
            out.append(f"{len(charts)} chart(s) are embedded in the HTML report.")
        return "\n".join(out).rstrip() + "\n"

    def to_html(self) -> str:
        body = [f"<h1>{html.escape(self.title)}</h1>"]
        for kind, value in self.blocks:
            if kind == "heading":
                level = min(value[0], 6)
                body.append(f"<h{level}>{_inline(value[1])}</h{level}>")
            elif kind == "para":
                body.append(f"<p>{_inline(value)}</p>")
            elif kind == "bullets":
                body.append("<ul>" + "".join(f"<li>{_inline(v)}</li>" for v in value) + "</ul>")
            elif kind == "table":
                headers, rows = value
                head = "".join(f"<th>{_inline(h)}</th>" for h in headers)
                cells = "".join("<tr>" + "".join(f"<td>{_inline(c)}</td>" for c in r) + "</tr>" for r in rows)
                body.append(f"<table><thead><tr>{head}</tr></thead><tbody>{cells}</tbody></table>")
            elif kind == "chart":
                png, caption = value
                data = base64.b64encode(png).decode("ascii")
                body.append(
                    f'<figure><img alt="{html.escape(caption)}" src="data:image/png;base64,{data}">'
                    f"<figcaption>{html.escape(caption)}</figcaption></figure>"
                )
        return (
            '<!doctype html>\n<html lang="en"><head><meta charset="utf-8">'
            f"<title>{html.escape(self.title)}</title><style>{_CSS}</style></head>\n<body>\n"
            + "\n".join(body)
            + "\n</body></html>\n"
        )


def write_report(report: EvalReport, out: Path) -> list[Path]:
    """report.md and report.html in `out` (results.jsonl was written during the run)."""
    doc = build_report_doc(report)
    out.mkdir(parents=True, exist_ok=True)
    md, page = out / "report.md", out / "report.html"
    md.write_text(doc.to_markdown(), encoding="utf-8")
    page.write_text(doc.to_html(), encoding="utf-8")
    return [out / "results.jsonl", md, page]


def build_report_doc(report: EvalReport) -> ReportDoc:
    doc = ReportDoc("Career assistant: eval report")
    failed = report.failures
    verdict = (
        f"**FAILED**: {len(failed)} of {len(report.checks)} targets missed"
        if failed
        else f"**PASSED**: all {len(report.checks)} targets met"
    )
    doc.para(f"{verdict}. Run {report.started}, {report.seconds:.0f} s.")
    doc.table(
        ["", ""],
        [
            [k, f"`{v}`" if k in ("dataset", "git commit", "haystack library") else v]
            for k, v in report.environment.items()
        ],
    )
    if report.checks:
        doc.heading("Targets (evals/thresholds.toml)")
        doc.table(
            ["metric", "value", "target", "met"],
            [
                [f"`{c.name}`", format_value(c.metric, c.value), c.rule, "yes" if c.passed else "**NO**"]
                for c in report.checks
            ],
        )
    for note in report.notes:
        doc.para(f"Note: {note}")
    if report.answers:
        _answers_section(doc, report)
    if report.retrieval:
        _retrieval_section(doc, report)
    if report.quiz:
        _quiz_section(doc, report)
    _method_section(doc, report)
    return doc


def summary_text(report: EvalReport) -> str:
    """A few lines for the terminal."""
    lines = []
    for config, s in report.answers.items():
        lines.append(
            f"answers [{config}] n={s['n_items']}: "
            f"fact accuracy {format_value('answerable_accuracy', s['answerable_accuracy'])}, "
            f"out-of-scope declined {format_value('out_of_scope_accuracy', s['out_of_scope_accuracy'])}, "
            f"false declines {format_value('false_decline_rate', s['false_decline_rate'])}, "
            f"unsupported figures {s['unsupported']}, "
            f"latency p50 {format_value('latency_p50', s['latency_p50'])} s"
        )
    for name, s in report.retrieval.items():
        lines.append(
            f"retrieval [{name}] n={s['retrieval_n']} ({s['chunks']} chunks): "
            + ", ".join(f"{m} {format_value(m, s.get(m))}" for m in ("hit@1", "hit@3", "hit@5", "mrr"))
            + f", search p50 {format_value('latency_p50_ms', s.get('latency_p50_ms'))} ms"
        )
    if report.quiz:
        lines.append(
            f"quiz n={report.quiz['n']}: agreement {format_value('agreement', report.quiz['agreement'])}"
        )
    verdict = "some missed" if report.failures else "PASSED"
    lines.append(f"targets met: {len(report.checks) - len(report.failures)}/{len(report.checks)} ({verdict})")
    return "\n".join(lines)


def _answers_section(doc: ReportDoc, report: EvalReport) -> None:
    configs = list(report.answers)
    doc.heading("Answers" + (": ours vs naive" if len(configs) > 1 else f" ({configs[0]})"))
    thresholds = {c.metric: c.rule for c in report.checks if c.section == "answers"}
    rows = []
    for metric, label in ANSWER_TABLE:
        rows.append(
            [
                label,
                *[format_value(metric, report.answers[c].get(metric)) for c in configs],
                thresholds.get(metric, ""),
            ]
        )
    counts = report.answers[configs[0]]
    doc.para(
        f"{counts['n_items']} items: {counts['n_answerable']} answerable, "
        f"{counts['n_out_of_scope']} out of scope, {counts.get('n_not_in_guide', 0)} not in the guide."
    )
    doc.table(["metric", *configs, "target (ours)"], rows)
    if report.versus_naive:
        v = report.versus_naive
        doc.para(
            f"Ours minus naive: fact accuracy {_signed(v['answerable_accuracy_gain'])}, "
            f"accuracy over all items {_signed(v['accuracy_gain'])}; unsupported figures "
            f"{report.answers['naive']['unsupported']} (naive) vs "
            f"{report.answers['ours']['unsupported']} (ours)."
        )
    doc.chart(_bar_chart(report), "Ours vs naive, metric by metric")
    categories = sorted({r.get("category") or "-" for rows_ in report.answer_rows.values() for r in rows_})
    if len(categories) > 1:
        doc.heading("By category", 3)
        table = []
        for cat in categories:
            cells = []
            for c in configs:
                subset = [r for r in report.answer_rows[c] if (r.get("category") or "-") == cat]
                passed = sum(1 for r in subset if r["passed"])
                cells.append(f"{passed}/{len(subset)}")
            table.append([cat, *cells])
        doc.table(["category", *configs], table)
        doc.chart(_category_chart(report, categories), "Items passed by category")
    doc.chart(_latency_chart(report), "Latency and time to first token per answer")
    modes = {}
    for c in configs:
        for r in report.answer_rows[c]:
            modes.setdefault(c, {}).setdefault(r.get("mode", "?"), 0)
            modes[c][r.get("mode", "?")] += 1
    doc.para(
        "How answers were produced: "
        + "; ".join(
            f"{c}: " + ", ".join(f"{m} {n}" for m, n in sorted(ms.items())) for c, ms in modes.items()
        )
    )
    for c in configs:
        failed = [r for r in report.answer_rows[c] if not r["passed"] or r.get("unsupported")]
        doc.heading(f"Items failed or with unsupported figures ({c}): {len(failed)}", 3)
        doc.table(
            ["id", "question", "answer (start)", "why"],
            [
                [f"`{r['id']}`", _clip(r["question"], 90), _clip(r.get("answer", ""), 160), _why(r)]
                for r in failed
            ],
        )


def _retrieval_section(doc: ReportDoc, report: EvalReport) -> None:
    names = list(report.retrieval)
    doc.heading("Retrieval (no LLM)")
    labels = {"ours": "our corpus", "haystack": "haystack (library + ours)"}
    thresholds = {
        (c.section, c.metric): c.rule for c in report.checks if c.section in ("retrieval", "haystack")
    }
    rows = []
    for metric, label in RETRIEVAL_TABLE:
        targets = [
            f"{labels[n].split(' (')[0]} {thresholds[(s, metric)]}"
            for n in names
            for s in (("retrieval" if n == "ours" else n),)
            if (s, metric) in thresholds
        ]
        rows.append(
            [
                label,
                *[format_value(metric, report.retrieval[n].get(metric)) for n in names],
                "; ".join(targets),
            ]
        )
    doc.table(["metric", *[labels.get(n, n) for n in names], "target"], rows)
    doc.chart(_hit_curve_chart(report), "Share of questions with an expected section in the top k")
    for name in names:
        k = 3 if name == "ours" else 5
        misses = [r for r in report.retrieval_rows[name] if not r["first_rank"] or r["first_rank"] > k]
        doc.heading(
            f"Questions without an expected section in the top {k} ({labels.get(name, name)}): {len(misses)}",
            3,
        )
        doc.table(
            ["id", "question", "expected", "first hit", "retrieved (top 5)"],
            [
                [
                    f"`{r['id']}`",
                    _clip(r["question"], 80),
                    "; ".join(r["expected_sources"]),
                    r["first_rank"] or "-",
                    "; ".join(r["retrieved"][:5]),
                ]
                for r in misses
            ],
        )


def _quiz_section(doc: ReportDoc, report: EvalReport) -> None:
    q = report.quiz
    doc.heading("Quiz")
    doc.para(
        f"{q['n']} answer combinations scored by `assistant.quiz.score_roles`: agreement "
        f"{format_value('agreement', q['agreement'])} ({q['disagreements']} disagreements)."
    )
    wrong = [r for r in report.quiz_rows if not r["passed"]]
    if wrong:
        doc.table(
            ["id", "expected #1", "got #1", "top 3"],
            [
                [f"`{r['id']}`", " or ".join(r["expected_top"]), r["top"], "; ".join(r["ranking"])]
                for r in wrong
            ],
        )


def _method_section(doc: ReportDoc, report: EvalReport) -> None:
    doc.heading("How this was measured")
    notes = [
        "An answerable item passes when every group of expected facts has one alternative in the answer "
        "(numbers compared with separators and currency symbols normalised) and no forbidden fact appears; "
        "an out-of-scope item passes when declined (evals/metrics.py).",
        "False declines: answerable items declined, leaving out the items whose dataset entry accepts a "
        "decline (the guide does not say).",
        "Unsupported figures: numbers in an answer that none of the sources given with that answer contain "
        '(citation markers and bare 1-10 ignored; on the quiz path, the cards\' computed "N% fit" scores '
        "are not figures from the guide and are left out).",
        "Retrieval: a retrieved section matches an expected one when the title is the same and its section "
        "name equals or starts with the expected one. In the haystack, the published guide's role sections "
        "carry the same citations as ours; its quiz, cross-cutting skills and overview sections (under its "
        f'own title, "{PUBLISHED_GUIDE}") count as the corpus sections written from them '
        "(evals/run.py PUBLISHED_EQUIVALENTS). Out-of-scope items are not scored.",
    ]
    if report.retrieval:
        notes.append(
            f"Retrieval-only runs the chain's own retrieval step (follow-up resolution, hybrid "
            f"dense+BM25 search, per-role merging) to depth {RETRIEVAL_DEPTH}, without the LLM; "
            "search time is measured per question, after the index is loaded."
        )
    if report.answers:
        notes.append(
            "Answers: configurations run interleaved, item by item, with the same chat model object. "
            "'Retrieval as answered' uses the chain's ranked hits; quiz-path answers count the "
            "sections of their recommendation cards; refused meta questions are not scored."
        )
    if "naive" in report.answers:
        notes.append(
            "Naive: RecursiveCharacterTextSplitter 1000/200 over corpus/ files, dense top-4 in its own "
            "Chroma collection, the prompt \"Answer the question using the context. If you don't know, "
            "say you don't know.\", no gate, no grounding check. It counts as declined when the answer "
            "says it does not know or cannot answer. A naive chunk spans several sections: it counts as "
            "a retrieval hit when it overlaps an expected section."
        )
    doc.bullets(notes)


def _why(row: Mapping[str, Any]) -> str:
    reasons = []
    if row.get("error"):
        reasons.append(f"error: {row['error']}")
    if row.get("kind") in ("out_of_scope", "not_in_guide") and not row.get("passed"):
        reasons.append("not declined")
    elif row.get("declined") and row.get("kind", "answerable") == "answerable" and not row.get("accept_decline"):
        reasons.append("declined")
    if row.get("missing_facts") and not row.get("declined"):
        reasons.append("missing " + "; ".join(" / ".join(alts) for alts in row["missing_facts"]))
    if row.get("forbidden_found"):
        reasons.append("forbidden " + ", ".join(row["forbidden_found"]))
    if row.get("unsupported"):
        reasons.append("unsupported figures " + ", ".join(row["unsupported"]))
    if row.get("mode") not in (None, "llm", "naive"):
        reasons.append(f"mode {row['mode']}")
    return "; ".join(reasons) or "-"


def _clip(text: str, limit: int) -> str:
    text = " ".join(str(text).split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _signed(value: float | None) -> str:
    return "n/a" if value is None else f"{value:+.3f}"


def _md_cell(text: Any) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ")


def _inline(text: str) -> str:
    escaped = html.escape(str(text))
    escaped = re.sub(r"`([^`]+)`", r"<code>\1</code>", escaped)
    return re.sub(r"\*\*([^*]+)\*\*", r"<strong>\1</strong>", escaped)


_EQUIVALENTS: dict[tuple[str, str], set[tuple[str, str]]] = {
    metrics.source_key(ours): {metrics.source_key(f"{PUBLISHED_GUIDE} / {t}") for t in theirs}
    for ours, theirs in PUBLISHED_EQUIVALENTS.items()
}
_CSS = (
    "body{font-family:system-ui,sans-serif;max-width:1100px;margin:2em auto;padding:0 1em;color:#222}"
    "table{border-collapse:collapse;margin:0.5em 0 1.5em}th,td{border:1px solid #ccc;padding:4px 8px;"
    "text-align:left;vertical-align:top;font-size:0.9em}th{background:#f3f3f3}"
    "figure{margin:1em 0}img{max-width:100%}code{background:#f3f3f3;padding:0 3px}"
)


# --------------------------------------------------------------------------- charts


def _figure(width: float = 7.0, height: float = 3.6) -> Any:
    from matplotlib.figure import Figure  # no pyplot: no global state, no display backend

    return Figure(figsize=(width, height), dpi=100)


def _png(fig: Any) -> bytes:
    buffer = io.BytesIO()
    fig.tight_layout()
    fig.savefig(buffer, format="png")
    return buffer.getvalue()


def _bar_chart(report: EvalReport) -> bytes | None:
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


def _category_chart(report: EvalReport, categories: list[str]) -> bytes | None:
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


def _latency_chart(report: EvalReport) -> bytes | None:
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


def _hit_curve_chart(report: EvalReport) -> bytes | None:
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
