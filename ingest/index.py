"""Index: chunks -> Chroma, idempotent and incremental (a content hash per file)."""

from __future__ import annotations

import logging
import sys
import time
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from langchain_core.documents import Document
from langchain_core.embeddings import Embeddings

from core.errors import BadInput, IndexMissing
from core.settings import Settings
from core.store import delete_collection, get_collection
from ingest.chunking import chunk_documents
from ingest.library import GUIDE, KIND_KEY, LIBRARY, lesson_metadata, source_kind
from ingest.loaders import LoadResult, load_paths

logger = logging.getLogger(__name__)

EMBED_SLICE = 256        # chunks per embedding call (the progress bar's step)
WRITE_BATCH = 1024       # chunks per Chroma write (whole files only)
PROGRESS_FROM = 64       # show a progress bar when at least this many chunks are embedded


@dataclass
class IngestReport:
    """What one ingest run did."""

    added: int = 0
    updated: int = 0
    unchanged: int = 0
    removed: int = 0
    chunks_embedded: int = 0
    chunks_deleted: int = 0
    chunks_total: int = 0
    problems: list[str] = field(default_factory=list)
    seconds: float = 0.0
    embed_seconds: float = 0.0  # of `seconds`: the embedding model
    write_seconds: float = 0.0  # of `seconds`: writing chunks and vectors to Chroma

    def summary(self) -> str:
        return (f"added {self.added}, updated {self.updated}, unchanged {self.unchanged}, "
                f"removed {self.removed} files; embedded {self.chunks_embedded} chunks, "
                f"{self.chunks_total} chunks indexed ({self.seconds:.1f}s)")


def ingest_paths(
    paths: Iterable[Path],
    *,
    client: Any,
    settings: Settings,
    embeddings: Embeddings,
    reset: bool = False,
    progress: bool = True,
    library: Iterable[Path] = (),
) -> IngestReport:
    """Bring the index in line with the files under `paths` (the career guide) and
    `library` (course material for learning plans), embedding only what changed.

    Every chunk records its `source_kind` ("guide" or "library"): career answers come
    from the guide alone, learning steps from the library alone.
    """
    started = time.perf_counter()
    loaded, kinds = _load([Path(p) for p in paths], [Path(p) for p in library])
    report = IngestReport(problems=list(loaded.problems))
    if reset:
        delete_collection(client, settings)
    collection = get_collection(client, settings, embeddings, create=True)
    indexed = _indexed_files(collection)
    pending = _changed_files(loaded, kinds, indexed, report)

    clock = time.perf_counter()
    vectors = _embed([c for _, _, chunks in pending for c in chunks], embeddings, progress)
    report.embed_seconds = time.perf_counter() - clock
    clock = time.perf_counter()
    _write(collection, pending, vectors, indexed, report)
    report.write_seconds = time.perf_counter() - clock
    _prune(collection, loaded, indexed, report)

    report.chunks_total = collection.count()
    report.seconds = time.perf_counter() - started
    logger.info("ingest: %s", report.summary())
    return report


def _load(paths: list[Path], library: list[Path]) -> tuple[LoadResult, dict[str, str]]:
    """The guide's and the library's documents, each tagged with its kind of source. Refuses
    (before the index is touched, so it loses nothing) when there is nothing readable."""
    loaded = load_paths(paths) if paths else LoadResult()
    kinds = dict.fromkeys(loaded.hashes, GUIDE)
    if library:
        lib = load_paths(library)
        if not lib.hashes:
            # A library that yields nothing is a mistake worth stopping for (a wrong path).
            raise BadInput("no library material to ingest: " + ("; ".join(lib.problems) or "no files given"))
        _merge(loaded, lib)
        kinds.update(dict.fromkeys(lib.hashes, LIBRARY))
    if not loaded.hashes:
        raise BadInput("nothing to ingest: " + ("; ".join(loaded.problems) or "no files given"))
    for doc in loaded.documents:
        kind = kinds[doc.metadata["path"]]
        doc.metadata[KIND_KEY] = kind
        if kind == LIBRARY:
            doc.metadata.update(lesson_metadata(Path(doc.metadata["path"])))
    return loaded, kinds


def _changed_files(loaded: LoadResult, kinds: dict[str, str], indexed: dict[str, _FileState],
                   report: IngestReport) -> list[tuple[str, str, list[Document]]]:
    """(path, hash, chunks) of every file that is new or changed; unchanged files are counted."""
    docs_by_file: dict[str, list[Document]] = defaultdict(list)
    for doc in loaded.documents:
        docs_by_file[doc.metadata["path"]].append(doc)
    pending: list[tuple[str, str, list[Document]]] = []
    for path, digest in loaded.hashes.items():
        state = indexed.get(path)
        if state and state.is_complete(digest, kinds[path]):
            report.unchanged += 1
            continue
        chunks = chunk_documents(docs_by_file[path])
        if not chunks:
            report.problems.append(f"{path}: skipped, no text to index")
            continue
        if state:
            report.updated += 1
        else:
            report.added += 1
        pending.append((path, digest, chunks))
    return pending


def _write(collection: Any, pending: list[tuple[str, str, list[Document]]], vectors: list[list[float]],
           indexed: dict[str, _FileState], report: IngestReport) -> None:
    """Write each changed file's chunks, then drop its chunks that no longer exist."""
    files, offset = [], 0
    for path, digest, chunks in pending:
        files.append((path, digest, chunks, vectors[offset: offset + len(chunks)]))
        offset += len(chunks)
    for batch in _write_batches(files):
        _write_files(collection, batch)
        for path, _, chunks, _ in batch:
            report.chunks_embedded += len(chunks)
            stale = [i for i in indexed[path].ids if i not in {c.id for c in chunks}] if path in indexed else []
            if stale:
                collection.delete(ids=stale)
                report.chunks_deleted += len(stale)


def _prune(collection: Any, loaded: LoadResult, indexed: dict[str, _FileState], report: IngestReport) -> None:
    """Remove the chunks of files deleted from the folders that were ingested."""
    for path, state in indexed.items():
        if path in loaded.hashes or not _under(path, loaded.roots) or Path(path).exists():
            continue  # a file that failed to load this time keeps its chunks: lose nothing
        collection.delete(ids=state.ids)
        report.removed += 1
        report.chunks_deleted += len(state.ids)


@dataclass
class _FileState:
    ids: list[str] = field(default_factory=list)
    hashes: set[str] = field(default_factory=set)
    expected: int = -1
    kinds: set[str] = field(default_factory=set)

    def is_complete(self, digest: str, kind: str = GUIDE) -> bool:
        # One hash, the current one, and every chunk of it present: an interrupted
        # write (fewer chunks, or two versions side by side) counts as changed. A file
        # moved between guide and library is rewritten with its new kind.
        return self.hashes == {digest} and len(self.ids) == self.expected and self.kinds == {kind}


def _indexed_files(collection: Any) -> dict[str, _FileState]:
    files: dict[str, _FileState] = defaultdict(_FileState)
    try:
        got = collection.get(include=["metadatas"])
    except Exception as exc:
        raise IndexMissing(f"the index cannot be read ({type(exc).__name__}); rebuild it with "
                           "`career-assistant ingest --reset`") from None
    for chunk_id, meta in zip(got["ids"], got["metadatas"] or [], strict=False):
        meta = meta or {}
        state = files[str(meta.get("path", ""))]
        state.ids.append(chunk_id)
        state.hashes.add(str(meta.get("file_hash", "")))
        state.expected = int(meta.get("file_chunks", -1))
        state.kinds.add(source_kind(meta))
    return dict(files)


def _merge(into: LoadResult, other: LoadResult) -> None:
    """Add a second load pass (the library) to the first; a file in both counts once, as library."""
    into.documents = [d for d in into.documents if d.metadata["path"] not in other.hashes]
    into.documents.extend(other.documents)
    into.hashes.update(other.hashes)
    into.problems.extend(other.problems)
    into.roots.extend(other.roots)


def _embed(chunks: list[Document], embeddings: Embeddings, progress: bool) -> list[list[float]]:
    texts = [c.page_content for c in chunks]
    if not texts:
        return []
    bar = None
    if progress and len(texts) >= PROGRESS_FROM:
        from tqdm import tqdm

        bar = tqdm(total=len(texts), desc="embedding", unit="chunk", file=sys.stderr)
    # Longest first, as SentenceTransformer.encode orders a single call: each slice then
    # holds texts of similar length, so little of the encoder's work goes on padding.
    order = sorted(range(len(texts)), key=lambda i: -len(texts[i]))
    vectors: list[list[float]] = [[] for _ in texts]
    for start in range(0, len(order), EMBED_SLICE):
        positions = order[start: start + EMBED_SLICE]
        for position, vector in zip(positions, embeddings.embed_documents([texts[i] for i in positions]),
                                    strict=True):
            vectors[position] = vector
        if bar:
            bar.update(len(positions))
    if bar:
        bar.close()
    return vectors


_File = tuple[str, str, list[Document], list[list[float]]]  # path, hash, chunks, their vectors


def _write_batches(files: list[_File]) -> Iterator[list[_File]]:
    """Whole files, grouped up to WRITE_BATCH chunks: one Chroma call per group costs far
    less than one per file, and a file is never split across calls."""
    batch: list[_File] = []
    size = 0
    for item in files:
        if batch and size + len(item[2]) > WRITE_BATCH:
            yield batch
            batch, size = [], 0
        batch.append(item)
        size += len(item[2])
    if batch:
        yield batch


def _write_files(collection: Any, files: list[_File]) -> None:
    """Upsert the chunks of several files at once. Each chunk carries its file's hash and
    chunk count, so a write cut short is seen as incomplete on the next run."""
    ids, vectors, documents, metadatas = [], [], [], []
    for _, digest, chunks, file_vectors in files:
        for chunk, vector in zip(chunks, file_vectors, strict=True):
            meta = {k: v for k, v in chunk.metadata.items() if isinstance(v, str | int | float | bool)}
            meta.update(file_hash=digest, file_chunks=len(chunks))
            ids.append(chunk.id)
            vectors.append(vector)
            documents.append(chunk.page_content)
            metadatas.append(meta)
    collection.upsert(ids=ids, embeddings=vectors, documents=documents, metadatas=metadatas)


def _under(path: str, roots: list[Path]) -> bool:
    p = Path(path)
    return any(p == root or root in p.parents for root in roots)
