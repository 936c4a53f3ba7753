"""Performance benchmarks, each against a baseline measured in the same process and run.

- ingest of the whole shared library (plus corpus/) vs raw SentenceTransformer.encode of
  the same chunk texts (pipeline overhead), alternating which goes first;
- re-ingest of unchanged input as a fraction of the first ingest;
- hybrid-search latency on that (haystack) index;
- time to first token and generation speed of the full chain vs a bare
  llama_cpp.Llama.create_chat_completion with the same messages, both cold, alternating;
- start-up time and peak RSS of a fresh process that builds the assistant and answers.

`career-assistant bench` writes bench.json and bench.md into --out.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import logging
import os
import resource
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from uuid import UUID

from langchain_core.callbacks import BaseCallbackHandler
from langchain_core.messages import BaseMessage

from assistant.errors import BadInput
from assistant.settings import Settings
from evals import metrics

logger = logging.getLogger(__name__)

BENCH_FOLDER = "bench"
# Questions that take the chain's LLM path: yes/no and open questions (plain section and salary
# questions are computed from the role facts, path requests take the quiz path).
LLM_QUESTIONS = (
    "Does a Data Scientist need to know SQL?",
    "Is coding a big part of an AI Product Manager's job?",
    "Is a PhD required to become a research scientist?",
    "Do ML engineers need to know about the cloud?",
    "Does an AI safety researcher need a technical background?",
    "Can a writer become a prompt engineer?",
)
STARTUP_QUESTION = "Does a Data Scientist need to know SQL?"
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


# --------------------------------------------------------------------------- public API


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
    from assistant.embeddings import make_embeddings

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
        result["ingest"], collection = _bench_ingest(paths, index_settings, embeddings, options)
        result["reingest"] = _bench_reingest(paths, index_settings, embeddings, options, result["ingest"])
        result["retrieval"] = _bench_retrieval(collection, embeddings, options)
    if "llm" in options.parts:
        result["llm"] = _bench_llm(settings, options)
    if "user" in options.parts:
        from evals.latency import pooled, run_user_view

        result["user_view"] = run_user_view(settings, options.sets, options.user_questions)
        result["user_view"]["pooled"] = pooled(result["user_view"])
    if "startup" in options.parts:
        result["startup"] = _bench_startup(settings)
    result["bench_process_peak_rss_mb"] = _peak_rss_mb()
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
    result["environment"]["load_average_end"] = _load_average()
    result["seconds"] = round(time.perf_counter() - started, 1)
    return result


def write_bench(result: dict[str, Any], out: Path) -> list[Path]:
    out.mkdir(parents=True, exist_ok=True)
    json_path, md_path = out / "bench.json", out / "bench.md"
    json_path.write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    md_path.write_text(render_markdown(result), encoding="utf-8")
    return [json_path, md_path]


def summary_text(result: dict[str, Any]) -> str:
    i, r, q = result.get("ingest"), result.get("reingest"), result.get("retrieval")
    llm, st, user = result.get("llm", {}), result.get("startup"), result.get("user_view", {}).get("pooled")
    lines = []
    if i and r and q:
        lines += [
            f"ingest: {i['chunks']} chunks from {i['files']} files in {i['ingest_s']:.1f} s "
            f"({i['chunks_per_s']:.1f} chunks/s); raw encode {i['encode_s']:.1f} s; "
            f"overhead {i['overhead']:.3f}x",
            f"unchanged re-ingest: {r['seconds']:.2f} s = {r['fraction_of_first_ingest']:.2%} "
            "of the first ingest",
            f"retrieval on {q['chunks']} chunks: p50 {q['search_p50_ms']:.1f} ms, "
            f"p95 {q['search_p95_ms']:.1f} ms "
            f"(query embedding p50 {q['embed_p50_ms']:.1f} ms)",
        ]
    if llm.get("ttft_overhead") is not None:
        lines.append(
            f"first token: chain {llm['chain_ttft_p50_s']:.2f} s vs bare {llm['bare_ttft_p50_s']:.2f} s "
            f"(overhead {llm['ttft_overhead']:.3f}x); generation {llm['chain_tokens_per_s']:.1f} vs "
            f"{llm['bare_tokens_per_s']:.1f} tokens/s"
        )
    if user:
        lines.append(f"as a user sees it: first token ours/naive p50 {_fmt(user['user_ttft_ratio'])}x; "
                     f"full answer p50 {_fmt(user['user_latency_p50_s'])} s; "
                     f"quiz cards in the chat p50 {_fmt(user['cards_ttft_p50_s'])} s")
    if st:
        lines.append(
            f"start-up: first answer {st.get('wall_s', float('nan')):.1f} s after launch; "
            f"peak RSS {st.get('peak_rss_mb', float('nan')):.0f} MB"
        )
    for c in result["checks"]:
        state = "not checked" if not c["checked"] else ("ok" if c["passed"] else "FAILED")
        lines.append(f"  {c['metric']}: {_fmt(c['value'])} (target {c['rule']}): {state}")
    return "\n".join(lines)


def render_markdown(result: dict[str, Any]) -> str:
    from evals.run import ReportDoc

    doc = ReportDoc("Career assistant: benchmarks")
    env = result["environment"]
    doc.para(
        f"Run {result['started']} ({'quick' if result['quick'] else 'full'}), {result['seconds']:.0f} s. "
        f"{env['cpus']} CPUs; load average {env['load_average_start']} at the start and "
        f"{env['load_average_end']} at the end (other processes share this machine: absolute times "
        "are noisy, the same-run ratios much less so)."
    )
    doc.table(["", ""], [[k, v] for k, v in env.items() if not k.startswith("load_average")])
    doc.heading("Targets (evals/thresholds.toml)")
    doc.table(
        ["metric", "value", "baseline", "target", "met"],
        [
            [
                f"`{c['metric']}`",
                _fmt(c["value"]),
                _BASELINES[c["metric"]],
                c["rule"],
                ("yes" if c["passed"] else "**NO**") if c["checked"] else f"not checked ({c['why']})",
            ]
            for c in result["checks"]
        ],
    )

    if "user_view" in result:
        from evals.latency import add_tables

        doc.heading("First token as a user sees it (ours vs naive, same questions, same run)")
        add_tables(doc, result["user_view"])
        doc.para(_USER_METHOD)
    if "ingest" in result:
        _ingest_sections(doc, result)
    if "llm" in result:
        _llm_section(doc, result["llm"])
    if "startup" in result:
        st = result["startup"]
        doc.heading("Start-up and memory")
        doc.table(["", "value"], [[k, _fmt(v)] for k, v in st.items()])
    doc.para(
        f"Peak RSS of this benchmark process (ingest of the library, models loaded): "
        f"{result['bench_process_peak_rss_mb']:.0f} MB."
    )
    doc.heading("How this was measured")
    doc.bullets(_METHOD)
    return doc.to_markdown()


def _ingest_sections(doc: Any, result: dict[str, Any]) -> None:
    i = result["ingest"]
    doc.heading("Ingest vs raw encode")
    doc.table(
        ["", "value"],
        [
            ["files / chunks / MB of text", f"{i['files']} / {i['chunks']} / {i['mb']:.2f}"],
            ["load + chunk (s)", f"{i['load_chunk_s']:.2f}"],
            ["full ingest (s, best of runs)", f"{i['ingest_s']:.2f} (runs: {_list(i['ingest_runs_s'])})"],
            [
                "raw encode of the same chunk texts (s, best of runs)",
                f"{i['encode_s']:.2f} (runs: {_list(i['encode_runs_s'])})",
            ],
            [
                "of the full ingest: embedding / Chroma writes (s)",
                f"{i['ingest_embed_s']:.2f} / {i['ingest_write_s']:.2f}",
            ],
            ["throughput", f"{i['chunks_per_s']:.1f} chunks/s, {i['files_per_s']:.2f} files/s"],
            ["pipeline overhead (ingest / encode)", f"{i['overhead']:.3f}x"],
            ["raw encoder", i["raw_encoder"]],
        ],
    )
    r = result["reingest"]
    doc.heading("Unchanged re-ingest")
    doc.table(
        ["", "value"],
        [
            ["re-ingest (s, median)", f"{r['seconds']:.3f} (runs: {_list(r['runs_s'], 3)})"],
            ["chunks embedded", str(r["chunks_embedded"])],
            ["fraction of the first ingest", f"{r['fraction_of_first_ingest']:.2%}"],
        ],
    )
    q = result["retrieval"]
    doc.heading("Retrieval latency (haystack index)")
    doc.table(
        ["", "value"],
        [
            ["index", f"{q['chunks']} chunks"],
            ["queries timed", str(q["queries"])],
            [
                "hybrid search p50 / p95 / mean (ms)",
                f"{q['search_p50_ms']:.1f} / {q['search_p95_ms']:.1f} / {q['search_mean_ms']:.1f}",
            ],
            ["of which query embedding p50 (ms)", f"{q['embed_p50_ms']:.1f}"],
            *(
                [
                    [
                        "diagnostic: search p50 / p95 with torch at 1 thread instead of "
                        f"{q['torch_threads']} (ms)",
                        f"{q['search_p50_ms_torch_1_thread']:.1f} / {q['search_p95_ms_torch_1_thread']:.1f}",
                    ]
                ]
                if "torch_threads" in q
                else []
            ),
        ],
    )


def _llm_section(doc: Any, llm: dict[str, Any]) -> None:
    doc.heading("Chain vs bare model")
    if llm.get("pairs"):
        doc.table(
            ["", "chain", "bare", "ratio"],
            [
                [
                    "time to first token p50 (s)",
                    _fmt(llm["chain_ttft_p50_s"]),
                    _fmt(llm["bare_ttft_p50_s"]),
                    _fmt(llm["ttft_overhead"]),
                ],
                [
                    "first model token p50 (s, before the figure guard)",
                    _fmt(llm["chain_llm_ttft_p50_s"]),
                    _fmt(llm["bare_ttft_p50_s"]),
                    _fmt(llm["llm_ttft_overhead"]),
                ],
                [
                    "generation (tokens/s, pooled over the questions)",
                    _fmt(llm["chain_tokens_per_s"]),
                    _fmt(llm["bare_tokens_per_s"]),
                    _fmt(llm["tokens_per_s_ratio"]),
                ],
                ["prompt tokens p50", "", _fmt(llm.get("prompt_tokens_p50")), ""],
                ["prompt tokens read p50 (the rest came from the KV cache)", _fmt(llm.get("chain_read_p50")),
                 _fmt(llm.get("bare_read_p50")), ""],
            ],
        )
        doc.table(
            ["question", "first", "chain TTFT (s)", "bare TTFT (s)", "chain tok/s", "bare tok/s"],
            [
                [
                    p["question"],
                    p["first"],
                    _fmt(p["chain_ttft_s"]),
                    _fmt(p["bare_ttft_s"]),
                    _fmt(p["chain_tokens_per_s"]),
                    _fmt(p["bare_tokens_per_s"]),
                ]
                for p in llm["pairs"]
            ],
        )
    doc.para(llm["method"])


# --------------------------------------------------------------------------- the measurements


def _bench_ingest(paths: list[Path], s: Settings, embeddings: Any, options: BenchOptions) -> tuple[dict, Any]:
    from assistant.store import get_collection, make_chroma_client
    from ingest.chunking import chunk_documents
    from ingest.index import ingest_paths
    from ingest.loaders import load_paths

    t0 = time.perf_counter()
    loaded = load_paths(paths)
    texts = [c.page_content for c in chunk_documents(loaded.documents)]
    load_chunk_s = time.perf_counter() - t0
    raw_encode, raw_name = _raw_encoder(embeddings)
    raw_encode(texts[:32])  # warm up: load the model before either side is timed
    client = make_chroma_client(s)
    encode_runs, ingest_runs = [], []
    parts: list[tuple[float, float]] = []  # (embedding s, Chroma write s) of each ingest run
    chunks_total = 0
    for rep in range(options.ingest_reps):

        def encode() -> None:
            encode_runs.append(_timed(lambda: raw_encode(texts)))

        def ingest() -> None:
            nonlocal chunks_total
            t = time.perf_counter()
            report = ingest_paths(
                paths, client=client, settings=s, embeddings=embeddings, reset=True, progress=False
            )
            ingest_runs.append(time.perf_counter() - t)
            parts.append((report.embed_seconds, report.write_seconds))
            chunks_total = report.chunks_total

        for step in (encode, ingest) if rep % 2 == 0 else (ingest, encode):
            step()
    ingest_s, encode_s = min(ingest_runs), min(encode_runs)
    embed_s, write_s = parts[ingest_runs.index(ingest_s)]
    result = {
        "files": len(loaded.hashes),
        "chunks": chunks_total,
        "mb": sum(len(t.encode()) for t in texts) / 1e6,
        "load_chunk_s": round(load_chunk_s, 3),
        "ingest_s": round(ingest_s, 6),
        "ingest_runs_s": [round(x, 6) for x in ingest_runs],
        "encode_s": round(encode_s, 6),
        "encode_runs_s": [round(x, 6) for x in encode_runs],
        "ingest_embed_s": round(embed_s, 6),
        "ingest_write_s": round(write_s, 6),
        "chunks_per_s": chunks_total / ingest_s if ingest_s else None,
        "files_per_s": len(loaded.hashes) / ingest_s if ingest_s else None,
        "overhead": ingest_s / encode_s if encode_s else None,
        "raw_encoder": raw_name,
    }
    return result, get_collection(client, s, embeddings, create=False)


def _bench_reingest(
    paths: list[Path], s: Settings, embeddings: Any, options: BenchOptions, ingest: dict
) -> dict:
    from assistant.store import make_chroma_client
    from ingest.index import ingest_paths

    client = make_chroma_client(s)
    runs, embedded = [], 0
    for _ in range(options.reingest_reps):
        t = time.perf_counter()
        report = ingest_paths(paths, client=client, settings=s, embeddings=embeddings, progress=False)
        runs.append(time.perf_counter() - t)
        embedded += report.chunks_embedded
    seconds = statistics.median(runs)
    return {
        "seconds": round(seconds, 4),
        "runs_s": [round(x, 4) for x in runs],
        "chunks_embedded": embedded,
        "fraction_of_first_ingest": seconds / ingest["ingest_s"] if ingest["ingest_s"] else None,
    }


def _bench_retrieval(collection: Any, embeddings: Any, options: BenchOptions) -> dict:
    from assistant.retrieval import HybridSearch
    from evals.run import DEFAULT_DATASET, load_dataset

    search = HybridSearch(collection, embeddings)
    questions = [i["question"] for i in load_dataset(DEFAULT_DATASET)]
    queries = [questions[n % len(questions)] for n in range(options.retrieval_queries)]
    for q in queries[:3]:
        search.search(q, k=8)  # warm up: the BM25 index is built on the first search
    search_ms = [_timed(lambda q=q: search.search(q, k=8)) * 1000 for q in queries]
    embed_ms = [_timed(lambda q=q: embeddings.embed_query(q)) * 1000 for q in queries]
    extra: dict[str, Any] = {}
    if _torch_encoder(embeddings):
        # Diagnostic, not the app's setting: one short query gains nothing from a second torch
        # thread, and on a busy machine the threads' spin-waiting costs a lot.
        import torch

        threads = torch.get_num_threads()
        torch.set_num_threads(1)
        try:
            one = [_timed(lambda q=q: search.search(q, k=8)) * 1000 for q in queries]
        finally:
            torch.set_num_threads(threads)
        extra = {
            "torch_threads": threads,
            "search_p50_ms_torch_1_thread": metrics.percentile(one, 50),
            "search_p95_ms_torch_1_thread": metrics.percentile(one, 95),
        }
    return {
        "chunks": search.chunk_count(),
        "queries": len(queries),
        "k": 8,
        "search_p50_ms": metrics.percentile(search_ms, 50),
        "search_p95_ms": metrics.percentile(search_ms, 95),
        "search_mean_ms": statistics.fmean(search_ms),
        "embed_p50_ms": metrics.percentile(embed_ms, 50),
        **extra,
    }


def _bench_llm(settings: Settings, options: BenchOptions) -> dict:
    from langchain_core.messages import convert_to_openai_messages

    from assistant.chain import build_assistant
    from assistant.llm import ChatLocalLlama, ScriptedChatModel, model_info, stream_text
    from evals.run import INDEX_FOLDER, build_eval_index

    s, _ = build_eval_index(
        settings, Path(settings.data_dir) / INDEX_FOLDER / "ours", [Path(settings.corpus_dir)], progress=False
    )
    assistant = build_assistant(s)
    chat_model = assistant.chat_model
    local = isinstance(chat_model, ChatLocalLlama)
    llama = chat_model.load() if local else None

    prefix = None
    if llama is not None:
        from langchain_core.messages import HumanMessage, SystemMessage

        from assistant import prompts
        from assistant.llm import _KVSnapshot, shared_prefix_length

        chat_model.invoke([SystemMessage(prompts.SYSTEM),
                           HumanMessage(prompts.USER.format(sources="", question="Hello"))], max_tokens=1)
        prefix = _KVSnapshot.take(llama)

    def cold() -> None:
        # Both sides start from the state a question meets in the running app: the system
        # prompt in llama.cpp's KV cache (the app reads it once at start), nothing else.
        if prefix is not None:
            prefix.restore(llama)

    def messages_for(question: str) -> list[BaseMessage] | None:
        recorder = ScriptedChatModel(replies=["(recording the prompt) [1]"])
        assistant.chat_model = recorder
        try:
            assistant.answer(question)
        finally:
            assistant.chat_model = chat_model
        return recorder.prompts[-1] if recorder.prompts else None

    def bare(messages: list[BaseMessage]) -> dict:
        cold()
        timer = _TokenTimer()
        timer.begin()
        if llama is not None:
            stream = llama.create_chat_completion(
                messages=convert_to_openai_messages(messages),
                stream=True,
                temperature=settings.llm_temperature,
                max_tokens=settings.llm_max_tokens,
            )
            for chunk in stream:
                if chunk["choices"][0].get("delta", {}).get("content"):
                    timer.token()
            # llama.cpp now holds the prompt plus what it generated (about one token per piece).
            prompt_tokens = llama.n_tokens - timer.count
            return {**timer.result(first_visible=timer.first), "prompt_tokens": prompt_tokens,
                    "read": prompt_tokens - shared_prefix_length(prefix.input_ids, llama.input_ids[:prompt_tokens])}
        for _ in stream_text(chat_model, messages):
            timer.token()
        return timer.result(first_visible=timer.first)

    def chain(question: str) -> dict:
        cold()
        timer = _TokenTimer()
        chat_model.callbacks = [timer]
        first_visible = None
        try:
            timer.begin()
            for event in assistant.stream(question):
                if event.token and first_visible is None:
                    first_visible = time.perf_counter()
        finally:
            chat_model.callbacks = None
        return {**timer.result(first_visible=first_visible), "read": timer.read}

    chain(LLM_QUESTIONS[0])  # warm up (not timed): model load, embeddings, BM25 index
    pairs = []
    for n, question in enumerate(LLM_QUESTIONS[: options.llm_questions]):
        messages = messages_for(question)
        if messages is None:
            logger.warning("bench: %r did not reach the model; skipped", question)
            continue
        if n % 2 == 0:
            c, b = chain(question), bare(messages)
        else:
            b, c = bare(messages), chain(question)
        pairs.append(
            {
                "question": question,
                "first": "chain" if n % 2 == 0 else "bare",
                "chain_ttft_s": c["ttft_s"],
                "chain_llm_ttft_s": c["llm_ttft_s"],
                "bare_ttft_s": b["ttft_s"],
                "chain_tokens": c["tokens"],
                "bare_tokens": b["tokens"],
                "chain_tokens_per_s": c["tokens_per_s"],
                "bare_tokens_per_s": b["tokens_per_s"],
                "chain_generation_s": c["generation_s"],
                "bare_generation_s": b["generation_s"],
                "prompt_tokens": b.get("prompt_tokens"),
                "chain_read": c.get("read"),
                "bare_read": b.get("read"),
            }
        )
    result: dict[str, Any] = {
        "model": model_info(chat_model),
        "local": local,
        "pairs": pairs,
        "method": _LLM_METHOD if local else _LLM_METHOD_OTHER,
    }
    valid = [p for p in pairs if p["chain_ttft_s"] and p["bare_ttft_s"]]
    if valid:
        result.update(
            chain_ttft_p50_s=statistics.median(p["chain_ttft_s"] for p in valid),
            chain_llm_ttft_p50_s=statistics.median(p["chain_llm_ttft_s"] for p in valid),
            bare_ttft_p50_s=statistics.median(p["bare_ttft_s"] for p in valid),
            # Paired: each question's chain time over its own bare time, then the median.
            ttft_overhead=statistics.median(p["chain_ttft_s"] / p["bare_ttft_s"] for p in valid),
            llm_ttft_overhead=statistics.median(p["chain_llm_ttft_s"] / p["bare_ttft_s"] for p in valid),
        )
    prompts = [p["prompt_tokens"] for p in pairs if p.get("prompt_tokens")]
    result["prompt_tokens_p50"] = statistics.median(prompts) if prompts else None
    for side in ("chain", "bare"):
        read = [p[f"{side}_read"] for p in pairs if p.get(f"{side}_read") is not None]
        result[f"{side}_read_p50"] = statistics.median(read) if read else None
    rates = [p for p in pairs if p["chain_generation_s"] and p["bare_generation_s"]]
    if rates:
        # Pooled over the questions (tokens after the first / time after the first token):
        # short answers give too few tokens for a per-question rate to mean much.
        chain_rate = sum(p["chain_tokens"] - 1 for p in rates) / sum(p["chain_generation_s"] for p in rates)
        bare_rate = sum(p["bare_tokens"] - 1 for p in rates) / sum(p["bare_generation_s"] for p in rates)
        result.update(
            chain_tokens_per_s=chain_rate,
            bare_tokens_per_s=bare_rate,
            tokens_per_s_ratio=chain_rate / bare_rate,
        )
    return result


def _bench_startup(settings: Settings) -> dict:
    """A fresh process builds the assistant (and the web UI when it can) and answers once."""
    from evals.run import INDEX_FOLDER

    overrides = {
        "data_dir": str(settings.data_dir),
        "corpus_dir": str(settings.corpus_dir),
        "chroma_dir": str(Path(settings.data_dir) / INDEX_FOLDER / "ours"),
        "embedding_backend": settings.embedding_backend,
        "llm_backend": settings.llm_backend,
        "local_model": settings.local_model,
        "llm_threads": settings.llm_threads,
        "llm_max_tokens": settings.llm_max_tokens,
    }
    started = time.perf_counter()
    proc = subprocess.run(
        [sys.executable, "-m", "evals.bench", "--probe", json.dumps(overrides)],
        capture_output=True,
        text=True,
        timeout=900,
        cwd=os.getcwd(),
    )
    wall = time.perf_counter() - started
    lines = [line for line in proc.stdout.splitlines() if line.startswith("{")]
    if proc.returncode != 0 or not lines:
        tail = (proc.stderr.strip().splitlines() or ["?"])[-1]
        return {"error": f"the start-up probe failed (exit {proc.returncode}): {tail[:300]}"}
    probe = json.loads(lines[-1])
    return {"wall_s": round(wall, 2), **probe}


# --------------------------------------------------------------------------- helpers


class _TokenTimer(BaseCallbackHandler):
    """Times the first and last token of one generation (as a LangChain callback, or by hand)."""

    def __init__(self) -> None:
        self.started = 0.0
        self.first: float | None = None
        self.last: float | None = None
        self.count = 0
        self.read: int | None = None  # prompt tokens llama.cpp read (not from its KV cache)

    def on_llm_end(self, response: Any, **kwargs: Any) -> None:
        for generations in response.generations:
            for generation in generations:
                usage = getattr(getattr(generation, "message", None), "usage_metadata", None) or {}
                if usage.get("input_tokens"):
                    cached = (usage.get("input_token_details") or {}).get("cache_read", 0)
                    self.read = usage["input_tokens"] - cached

    def begin(self) -> None:
        self.started = time.perf_counter()

    def token(self) -> None:
        now = time.perf_counter()
        self.first = self.first or now
        self.last = now
        self.count += 1

    def on_llm_new_token(
        self, token: str, *, run_id: UUID, parent_run_id: UUID | None = None, **kwargs: Any
    ) -> None:
        if token:
            self.token()

    def result(self, first_visible: float | None) -> dict:
        rate = None
        if self.first is not None and self.last is not None and self.count > 1 and self.last > self.first:
            rate = (self.count - 1) / (self.last - self.first)
        return {
            "ttft_s": None if first_visible is None else round(first_visible - self.started, 4),
            "llm_ttft_s": None if self.first is None else round(self.first - self.started, 4),
            "tokens": self.count,
            "tokens_per_s": None if rate is None else round(rate, 2),
            "generation_s": None if rate is None else round(self.last - self.first, 4),
        }


def _torch_encoder(embeddings: Any) -> bool:
    from assistant.embeddings import SentenceTransformerEmbeddings

    return isinstance(embeddings, SentenceTransformerEmbeddings)


def _raw_encoder(embeddings: Any) -> tuple[Callable[[list[str]], Any], str]:
    from assistant.embeddings import SentenceTransformerEmbeddings

    if isinstance(embeddings, SentenceTransformerEmbeddings):
        model = embeddings.model
        batch = getattr(embeddings, "_batch_size", 64)

        def encode(texts: list[str]) -> Any:
            return model.encode(texts, batch_size=batch, normalize_embeddings=True, show_progress_bar=False)

        return encode, f"SentenceTransformer.encode(batch_size={batch}, normalize_embeddings=True)"
    return embeddings.embed_documents, f"{type(embeddings).__name__}.embed_documents (not a real encoder)"


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
    from assistant.embeddings import LOCAL_MODEL_ID

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
        "load_average_start": _load_average(),
    }


def _timed(fn: Callable[[], Any]) -> float:
    t = time.perf_counter()
    fn()
    return time.perf_counter() - t


def _peak_rss_mb() -> float:
    """This process's peak resident memory in MB.

    VmHWM, not getrusage: after fork + exec, Linux carries the parent's ru_maxrss over into
    the child, so a probe started by a 3 GB benchmark would report 3 GB.
    """
    try:
        for line in Path("/proc/self/status").read_text(encoding="ascii").splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024  # kB
    except (OSError, ValueError, IndexError):
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


def _load_average() -> str:
    try:
        return " ".join(f"{x:.1f}" for x in os.getloadavg())
    except OSError:
        return "?"


def _fmt(value: Any) -> str:
    if value is None:
        return "n/a"
    if isinstance(value, float):
        return f"{value:.3f}" if abs(value) < 10 else f"{value:.1f}"
    return str(value)


def _list(values: Sequence[float], digits: int = 1) -> str:
    return ", ".join(f"{v:.{digits}f}" for v in values)


_BASELINES = {
    "ingest_overhead": "raw SentenceTransformer.encode, same chunks",
    "reingest_fraction": "the first (full) ingest",
    "ttft_overhead": "bare llama.cpp create_chat_completion, same messages",
    "retrieval_p50_ms": "absolute (ms)",
    "user_ttft_ratio": "naive, same questions (gold + dev), same run",
    "user_latency_p50_s": "absolute (s), every mode",
    "cards_ttft_p50_s": "absolute (s), path requests typed in the chat",
    "app_peak_rss_mb": "absolute (MB), a fresh app process",
}
_USER_METHOD = (
    "Every question of the sets goes through the shipped chain and through the naive baseline, "
    "alternating which goes first, in one process with one model object. First token is the first "
    "text a user would see: for ours the first streamed event, whatever the mode (computed and "
    "declined answers, the quiz cards of a path request, or the model's first checked words); for "
    "naive its first model token. Both run warm: models loaded and the chain's system prompt in "
    "llama.cpp's KV cache, as in the running app. Prompt tokens read = prompt tokens minus those "
    "llama.cpp reused from its KV cache (the prefix shared with what the cache held)."
)
_LLM_METHOD = (
    "Each question is first run through the chain with a recording fake model to capture the exact "
    "messages the chain sends. Then the chain (retrieval, gate, prompt, ChatLocalLlama streaming, figure "
    "guard, grounding check) and a bare llama_cpp.Llama.create_chat_completion(stream=True) with those "
    "messages and the same temperature and max_tokens run back to back on the same loaded model, the order "
    "alternating per question (chain first, then bare first). Both are cold: llama.reset() before each run "
    "empties llama.cpp's KV cache, so neither reuses the other's prompt prefix. Time to first token is "
    "from the call to the first visible text (for the chain: the first token its figure guard releases); "
    "'first model token' is the chain's first token from the model. Tokens/s counts streamed pieces "
    "after the first. The overhead is the median of the per-question ratios. A warm-up answer (not timed) "
    "loads the model first."
)
_LLM_METHOD_OTHER = (
    "Not a llama.cpp backend: the baseline is the same chat model streamed directly with the chain's "
    "messages (no cache reset possible); the ratio is informative only."
)
_METHOD = [
    "Ingest: `ingest_paths` of the library plus corpus/ into a reset collection (load, chunk, embed, "
    "write to "
    "Chroma), against `SentenceTransformer.encode` of exactly the chunk texts that ingest embeds, same batch "
    "size; the model is loaded and warmed before either is timed, the order alternates between runs, and "
    "the best run of each is compared.",
    "Re-ingest: `ingest_paths` again on the unchanged files (hashes match, nothing embedded); median of runs "
    "over the best first ingest.",
    "Retrieval: `HybridSearch.search(question, k=8)` on the ingested library + corpus index (the haystack), "
    "gold-set questions cycled, after 3 warm-up searches; the query embedding alone is timed separately.",
    "Start-up: a fresh `python -m evals.bench --probe` process imports the assistant, builds the web UI "
    "(ui.build_ui, not launched) and the assistant, and answers one question; wall time from spawning "
    "it to its answer, and its peak RSS (VmHWM).",
]


def _probe_main(argv: Sequence[str]) -> int:
    """The start-up probe run in a fresh process (see _bench_startup)."""
    t0 = time.perf_counter()
    overrides = json.loads(argv[1]) if len(argv) > 1 else {}
    from assistant.settings import apply_offline_env, load_settings

    apply_offline_env()
    from assistant.chain import build_assistant

    imported = time.perf_counter()
    s = load_settings(**overrides)
    ui_s: float | str
    t = time.perf_counter()
    try:
        import ui  # gradio: a large share of the app's start-up and memory

        ui.build_ui(s)
        ui_s = round(time.perf_counter() - t, 3)
    except Exception as exc:  # the UI is measured when it can be built; the assistant always
        ui_s = f"not measured ({type(exc).__name__}: {exc})"[:200]
    t = time.perf_counter()
    assistant = build_assistant(s)
    built = time.perf_counter() - t
    t = time.perf_counter()
    result = assistant.answer(STARTUP_QUESTION)
    answered = time.perf_counter() - t
    print(
        json.dumps(
            {
                "import_s": round(imported - t0, 3),
                "import_and_build_ui_s": ui_s,
                "build_assistant_s": round(built, 3),
                "first_answer_s": round(answered, 3),
                "first_answer_mode": result.mode,
                "in_process_total_s": round(time.perf_counter() - t0, 3),
                "peak_rss_mb": round(_peak_rss_mb(), 1),
            }
        )
    )
    return 0


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "--probe":
        sys.exit(_probe_main(sys.argv[1:]))
    sys.exit(
        "usage: python -m evals.bench --probe '{settings overrides as JSON}' (use `career-assistant bench`)"
    )
