"""The eval's parts: retrieval on each index, the quiz, and answers (ours vs naive), each
writing its rows to results.jsonl as they come and its summary into the report."""

from __future__ import annotations

import io
import json
import logging
import sys
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

from core.settings import Settings
from evals import metrics
from evals.aggregate import summarise_rows
from evals.dataset import load_dataset
from evals.results import EvalReport
from evals.scoring import answer_item, retrieve_item

logger = logging.getLogger(__name__)


def retrieval_part(
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
            row = retrieve_item(assistant, item)
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


def quiz_part(report: EvalReport, settings: Settings, sink: io.TextIOBase) -> None:
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


def answers_part(
    report: EvalReport, items: list[dict], settings: Settings, index_root: Path, sink: io.TextIOBase
) -> None:
    from assistant.chain import build_assistant
    from assistant.llm import make_chat_model, model_info
    from core.embeddings import make_embeddings
    from core.store import make_chroma_client
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
        s = index_settings(settings, index_root / "naive")
        chat_model = chat_model or make_chat_model(settings)  # the same object as ours
        runners["naive"] = build_naive(
            Path(settings.corpus_dir), make_chroma_client(s), make_embeddings(settings), chat_model
        )
    report.environment["model"] = model_info(chat_model) if chat_model is not None else "?"

    rows: dict[str, list[dict]] = {c: [] for c in configs}
    steps = [(item, c) for item in items for c in configs]  # interleaved: both see the same conditions
    for item, config in _progress(steps, "answers", report.options.progress):
        row = answer_item(config, runners[config], item)
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


def build_eval_index(
    settings: Settings, folder: Path, paths: list[Path], progress: bool | None
) -> tuple[Settings, Any]:
    from core.embeddings import make_embeddings
    from core.store import make_chroma_client
    from ingest.index import ingest_paths

    s = index_settings(settings, folder)
    ingest = ingest_paths(
        paths,
        client=make_chroma_client(s),
        settings=s,
        embeddings=make_embeddings(s),
        progress=progress is not False,
    )
    logger.info("eval index %s: %s", folder.name, ingest.summary())
    return s, ingest


def index_settings(settings: Settings, folder: Path) -> Settings:
    # Always a local folder of its own: an eval never writes into the app's index or server.
    return settings.model_copy(update={"chroma_dir": folder, "chroma_host": None})


def _retrieval_assistant(s: Settings) -> Any:
    from assistant.chain import build_assistant

    return build_assistant(s.model_copy(update={"llm_backend": "fake"}))  # retrieval never calls the LLM


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
