"""Bench part: ingest of the library vs raw encode of the same chunks, and unchanged re-ingest."""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from core.settings import Settings

if TYPE_CHECKING:
    from evals.bench import BenchOptions


def bench_ingest(paths: list[Path], s: Settings, embeddings: Any, options: BenchOptions) -> tuple[dict, Any]:
    from core.store import get_collection, make_chroma_client
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
            encode_runs.append(timed(lambda: raw_encode(texts)))

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


def bench_reingest(
    paths: list[Path], s: Settings, embeddings: Any, options: BenchOptions, ingest: dict
) -> dict:
    from core.store import make_chroma_client
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


def timed(fn: Callable[[], Any]) -> float:
    t = time.perf_counter()
    fn()
    return time.perf_counter() - t


def _raw_encoder(embeddings: Any) -> tuple[Callable[[list[str]], Any], str]:
    from core.embeddings import SentenceTransformerEmbeddings

    if isinstance(embeddings, SentenceTransformerEmbeddings):
        model = embeddings.model
        batch = getattr(embeddings, "_batch_size", 64)

        def encode(texts: list[str]) -> Any:
            return model.encode(texts, batch_size=batch, normalize_embeddings=True, show_progress_bar=False)

        return encode, f"SentenceTransformer.encode(batch_size={batch}, normalize_embeddings=True)"
    return embeddings.embed_documents, f"{type(embeddings).__name__}.embed_documents (not a real encoder)"
