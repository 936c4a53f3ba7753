"""Bench part: hybrid-search latency on the haystack index (and the query embedding alone)."""

from __future__ import annotations

import statistics
from typing import TYPE_CHECKING, Any

from evals import metrics
from evals.bench_ingest import timed

if TYPE_CHECKING:
    from evals.bench import BenchOptions


def bench_retrieval(collection: Any, embeddings: Any, options: BenchOptions) -> dict:
    from assistant.retrieval import HybridSearch
    from evals.run import DEFAULT_DATASET, load_dataset

    search = HybridSearch(collection, embeddings)
    questions = [i["question"] for i in load_dataset(DEFAULT_DATASET)]
    queries = [questions[n % len(questions)] for n in range(options.retrieval_queries)]
    for q in queries[:3]:
        search.search(q, k=8)  # warm up: the BM25 index is built on the first search
    search_ms = [timed(lambda q=q: search.search(q, k=8)) * 1000 for q in queries]
    embed_ms = [timed(lambda q=q: embeddings.embed_query(q)) * 1000 for q in queries]
    extra: dict[str, Any] = {}
    if _torch_encoder(embeddings):
        # Diagnostic, not the app's setting: one short query gains nothing from a second torch
        # thread, and on a busy machine the threads' spin-waiting costs a lot.
        import torch

        threads = torch.get_num_threads()
        torch.set_num_threads(1)
        try:
            one = [timed(lambda q=q: search.search(q, k=8)) * 1000 for q in queries]
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


def _torch_encoder(embeddings: Any) -> bool:
    from core.embeddings import SentenceTransformerEmbeddings

    return isinstance(embeddings, SentenceTransformerEmbeddings)
