"""The bench's report: bench.md (targets, each part's tables, the method) and the terminal summary."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any


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
        lines.append(f"as a user sees it: first token ours/naive p50 {fmt(user['user_ttft_ratio'])}x; "
                     f"full answer p50 {fmt(user['user_latency_p50_s'])} s; "
                     f"quiz cards in the chat p50 {fmt(user['cards_ttft_p50_s'])} s")
    if st:
        lines.append(
            f"start-up: first answer {st.get('wall_s', float('nan')):.1f} s after launch; "
            f"peak RSS {st.get('peak_rss_mb', float('nan')):.0f} MB"
        )
    for c in result["checks"]:
        state = "not checked" if not c["checked"] else ("ok" if c["passed"] else "FAILED")
        lines.append(f"  {c['metric']}: {fmt(c['value'])} (target {c['rule']}): {state}")
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
                fmt(c["value"]),
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
        doc.table(["", "value"], [[k, fmt(v)] for k, v in st.items()])
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
                    fmt(llm["chain_ttft_p50_s"]),
                    fmt(llm["bare_ttft_p50_s"]),
                    fmt(llm["ttft_overhead"]),
                ],
                [
                    "first model token p50 (s, before the figure guard)",
                    fmt(llm["chain_llm_ttft_p50_s"]),
                    fmt(llm["bare_ttft_p50_s"]),
                    fmt(llm["llm_ttft_overhead"]),
                ],
                [
                    "generation (tokens/s, pooled over the questions)",
                    fmt(llm["chain_tokens_per_s"]),
                    fmt(llm["bare_tokens_per_s"]),
                    fmt(llm["tokens_per_s_ratio"]),
                ],
                ["prompt tokens p50", "", fmt(llm.get("prompt_tokens_p50")), ""],
                ["prompt tokens read p50 (the rest came from the KV cache)", fmt(llm.get("chain_read_p50")),
                 fmt(llm.get("bare_read_p50")), ""],
            ],
        )
        doc.table(
            ["question", "first", "chain TTFT (s)", "bare TTFT (s)", "chain tok/s", "bare tok/s"],
            [
                [
                    p["question"],
                    p["first"],
                    fmt(p["chain_ttft_s"]),
                    fmt(p["bare_ttft_s"]),
                    fmt(p["chain_tokens_per_s"]),
                    fmt(p["bare_tokens_per_s"]),
                ]
                for p in llm["pairs"]
            ],
        )
    doc.para(llm["method"])


def fmt(value: Any) -> str:
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
