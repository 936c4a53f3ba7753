"""Time to first token as a user sees it: every question of the eval sets, ours and naive.

Each question goes through the shipped chain (whatever mode it takes: computed, declined,
the quiz cards, or the model) and through the naive baseline, in alternating order, in one
process with one model object, so both meet the same machine load. "First token" is the
first text a user would see: for ours, the first streamed event; for naive, its first token.
For the chain's model answers, the prompt tokens llama.cpp actually read (the rest came
from its KV cache) are recorded from the model's usage metadata.

`career-assistant bench` runs this as its "user view" part; `python -m evals.latency`
runs it alone.
"""

from __future__ import annotations

import argparse
import json
import logging
import statistics
import time
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from langchain_core.callbacks import BaseCallbackHandler

from core.settings import Settings

logger = logging.getLogger(__name__)

DEFAULT_SETS = ("gold", "dev")


class UsageRecorder(BaseCallbackHandler):
    """Collects the usage metadata of every model call made while it is attached."""

    def __init__(self) -> None:
        self.calls: list[dict] = []

    def on_llm_end(self, response: Any, **kwargs: Any) -> None:
        for generations in response.generations:
            for generation in generations:
                usage = getattr(getattr(generation, "message", None), "usage_metadata", None)
                if usage:
                    details = usage.get("input_token_details") or {}
                    self.calls.append({"prompt": usage.get("input_tokens", 0), "cached": details.get("cache_read", 0)})


def run_user_view(settings: Settings, sets: Sequence[str] = DEFAULT_SETS, limit: int | None = None,
                  progress: bool = False) -> dict[str, Any]:
    """Per set: ours vs naive first-token and full-answer times, ours by mode, prompt tokens."""
    from assistant.chain import build_assistant
    from core.embeddings import make_embeddings
    from core.store import make_chroma_client
    from evals.naive import build_naive
    from evals.run import EVALS_DIR, INDEX_FOLDER, _index_settings, build_eval_index, load_dataset

    root = Path(settings.data_dir) / INDEX_FOLDER
    s, _ = build_eval_index(settings, root / "ours", [Path(settings.corpus_dir)], progress=False)
    ours = build_assistant(s)
    naive = build_naive(Path(settings.corpus_dir), make_chroma_client(_index_settings(settings, root / "naive")),
                        make_embeddings(settings), ours.chat_model)
    _warm_up(ours, naive)
    result: dict[str, Any] = {"sets": {}}
    for name in sets:
        items = spread(load_dataset(EVALS_DIR / "datasets" / f"{name}.jsonl"), limit)
        rows = []
        for n, item in enumerate(_progress(items, name, progress)):
            pair = [("ours", ours), ("naive", naive)]
            timed = {config: _time_one(config, runner, item) for config, runner in (pair if n % 2 == 0 else pair[::-1])}
            rows.append({"id": item["id"], **{f"{c}_{k}": v for c, r in timed.items() for k, v in r.items()}})
            logger.info("user view %s %s: %s", name, item["id"], json.dumps(rows[-1]))
        result["sets"][name] = summarise(rows)
        result["sets"][name]["rows"] = rows
    return result


def spread(items: list[dict], limit: int | None) -> list[dict]:
    """At most `limit` items, taken evenly across the set (its categories come in runs)."""
    if limit is None or limit >= len(items):
        return items
    step = len(items) / limit
    return [items[int(i * step)] for i in range(limit)]


def summarise(rows: Sequence[dict]) -> dict[str, Any]:
    """The p50/p95 figures of one set's rows (see `_time_one` for the fields)."""
    summary: dict[str, Any] = {"items": len(rows)}
    for config in ("ours", "naive"):
        for what in ("ttft_s", "latency_s"):
            values = [r[f"{config}_{what}"] for r in rows if r.get(f"{config}_{what}") is not None]
            summary[f"{config}_{what}_p50"] = _pct(values, 50)
            summary[f"{config}_{what}_p95"] = _pct(values, 95)
    summary["ttft_ratio"] = _ratio(summary["ours_ttft_s_p50"], summary["naive_ttft_s_p50"])
    modes: dict[str, Any] = {}
    for mode in sorted({r["ours_mode"] for r in rows}):
        mine = [r for r in rows if r["ours_mode"] == mode]
        modes[mode] = {
            "items": len(mine),
            "ttft_s_p50": _pct([r["ours_ttft_s"] for r in mine if r["ours_ttft_s"] is not None], 50),
            "latency_s_p50": _pct([r["ours_latency_s"] for r in mine], 50),
            "naive_ttft_s_p50": _pct([r["naive_ttft_s"] for r in mine if r["naive_ttft_s"] is not None], 50),
        }
    summary["ours_by_mode"] = modes
    model = [r for r in rows if r.get("ours_prompt_tokens")]
    summary["model_answers"] = len(model)
    summary["prompt_tokens_p50"] = _pct([r["ours_prompt_tokens"] for r in model], 50)
    summary["prompt_tokens_read_p50"] = _pct([r["ours_prompt_tokens"] - r["ours_cached_tokens"] for r in model], 50)
    return summary


def add_tables(doc: Any, result: dict[str, Any]) -> None:
    """The user-view tables, added to an evals.run.ReportDoc."""
    sets = result.get("sets", {})
    doc.table(
        ["set", "items", "ours first token p50 / p95 (s)", "naive first token p50 / p95 (s)", "ratio p50",
         "ours full answer p50 / p95 (s)", "naive full answer p50 (s)"],
        [[name, s["items"], f"{_f(s['ours_ttft_s_p50'])} / {_f(s['ours_ttft_s_p95'])}",
          f"{_f(s['naive_ttft_s_p50'])} / {_f(s['naive_ttft_s_p95'])}", _f(s["ttft_ratio"]),
          f"{_f(s['ours_latency_s_p50'])} / {_f(s['ours_latency_s_p95'])}", _f(s["naive_latency_s_p50"])]
         for name, s in sets.items()])
    doc.para("Ours by mode (what the chain did with the question), against naive on the same questions:")
    doc.table(
        ["set", "mode", "items", "ours first token p50 (s)", "ours full answer p50 (s)", "naive first token p50 (s)"],
        [[name, mode, m["items"], _f(m["ttft_s_p50"]), _f(m["latency_s_p50"]), _f(m["naive_ttft_s_p50"])]
         for name, s in sets.items() for mode, m in s["ours_by_mode"].items()])
    doc.table(
        ["set", "model answers", "prompt tokens p50", "of which read (not from the KV cache) p50"],
        [[name, s["model_answers"], _f(s["prompt_tokens_p50"]), _f(s["prompt_tokens_read_p50"])]
         for name, s in sets.items()])


def pooled(result: dict[str, Any]) -> dict[str, float | None]:
    """The figures the bench checks, over all sets' rows together."""
    rows = [r for s in result.get("sets", {}).values() for r in s.get("rows", [])]
    if not rows:
        return {"user_ttft_ratio": None, "user_latency_p50_s": None, "cards_ttft_p50_s": None}
    s = summarise(rows)
    cards = s["ours_by_mode"].get("recommendation", {}).get("ttft_s_p50")
    return {"user_ttft_ratio": s["ttft_ratio"], "user_latency_p50_s": s["ours_latency_s_p50"],
            "cards_ttft_p50_s": cards}


# --------------------------------------------------------------------------- helpers


def _time_one(config: str, runner: Any, item: dict) -> dict[str, Any]:
    question, history = item.get("question", ""), item.get("history") or []
    if config == "naive":
        r = runner.answer(question, history)
        return {"ttft_s": r.ttft_s, "latency_s": r.latency_s}
    recorder = UsageRecorder()
    model = runner.chat_model
    model.callbacks = [recorder]
    started = time.perf_counter()
    first = None
    final = None
    try:
        for event in runner.stream(question, history):
            if event.token and first is None:
                first = time.perf_counter() - started
            final = event.result or final
    finally:
        model.callbacks = None
    calls = recorder.calls
    return {
        "ttft_s": round(first, 4) if first is not None else None,
        "latency_s": round(time.perf_counter() - started, 4),
        "mode": final.mode if final else "?",
        "prompt_tokens": calls[-1]["prompt"] if calls and final and final.mode in ("llm", "extractive") else None,
        "cached_tokens": calls[-1]["cached"] if calls and final and final.mode in ("llm", "extractive") else None,
        "model_calls": len(calls),
    }


def _warm_up(ours: Any, naive: Any) -> None:
    """Load the models, BM25 and the prompt prefix before anything is timed (the app does this at start)."""
    from langchain_core.messages import HumanMessage, SystemMessage

    from assistant import prompts

    ours.warm_up()  # embeddings, BM25 and the guide's sentence vectors, as the app's warm-up
    ours.answer("Why do data scientists need SQL?")  # loads the model
    naive.answer("Why do data scientists need SQL?")
    ours.chat_model.invoke([SystemMessage(prompts.SYSTEM),
                            HumanMessage(prompts.USER.format(sources="", question="Hello"))], max_tokens=1)


def _pct(values: Sequence[float], q: int) -> float | None:
    values = sorted(values)
    if not values:
        return None
    if q == 50:
        return round(statistics.median(values), 4)
    return round(values[min(len(values) - 1, max(0, round(q / 100 * len(values)) - 1))], 4)


def _ratio(a: float | None, b: float | None) -> float | None:
    return round(a / b, 4) if a is not None and b else None


def _f(value: Any) -> str:
    if value is None:
        return "n/a"
    return f"{value:.2f}" if isinstance(value, float) else str(value)


def _progress(items: Sequence[Any], desc: str, enabled: bool) -> Iterable[Any]:
    if not enabled:
        return items
    from tqdm import tqdm

    return tqdm(items, desc=desc, unit="q")


def main(argv: Sequence[str] | None = None) -> int:
    from core.settings import apply_offline_env, load_settings

    parser = argparse.ArgumentParser(prog="python -m evals.latency", description=__doc__)
    parser.add_argument("--sets", nargs="+", default=list(DEFAULT_SETS))
    parser.add_argument("--limit", type=int, default=None, help="at most N questions per set, spread evenly")
    parser.add_argument("--out", type=Path, default=Path("evals/out/latency.json"))
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    for noisy in ("httpx", "chromadb", "sentence_transformers", "assistant"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
    apply_offline_env()
    result = run_user_view(load_settings(), args.sets, args.limit, progress=True)
    result["pooled"] = pooled(result)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    from evals.run import ReportDoc

    doc = ReportDoc("First token as a user sees it")
    add_tables(doc, result)
    print(doc.to_markdown())
    print(json.dumps(result["pooled"]))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
