"""Retrieval: dense (Chroma) + BM25 (bm25s), fused by reciprocal rank, within a token budget."""

from __future__ import annotations

import logging
import math
import re
import threading
from dataclasses import dataclass, replace
from typing import Any

from langchain_core.callbacks import CallbackManagerForRetrieverRun
from langchain_core.documents import Document
from langchain_core.embeddings import Embeddings
from langchain_core.retrievers import BaseRetriever
from pydantic import ConfigDict, PrivateAttr

from core.errors import BackendUnavailable, IndexMissing
from ingest.chunking import chunk_body
from ingest.library import GUIDE, KIND_KEY, LIBRARY, source_kind

logger = logging.getLogger(__name__)

RRF_K = 60          # the constant of reciprocal rank fusion (Cormack et al.)
CANDIDATES = 20     # how deep each retriever looks before fusion
CHARS_PER_TOKEN = 3.5  # conservative for English prose with Qwen's tokenizer


@dataclass(frozen=True)
class Hit:
    """One retrieved chunk with its scores."""

    chunk_id: str
    text: str          # the chunk as embedded (heading path + body)
    metadata: dict
    dense: float       # cosine similarity to the query (0 when dense did not return it)
    bm25: float
    fused: float

    @property
    def body(self) -> str:
        return chunk_body(Document(page_content=self.text, metadata=self.metadata))

    @property
    def citation(self) -> str:
        return str(self.metadata.get("citation", ""))


def estimate_tokens(text: str) -> int:
    """A conservative token count for Qwen's tokenizer.

    Prose runs ~4 characters a token, but Qwen reads every digit and most non-ASCII
    symbols ("£", "–") as tokens of their own, so those are counted one each.
    """
    digits = sum(c.isdigit() for c in text)
    symbols = sum(not c.isascii() for c in text)
    return math.ceil((len(text) - digits - symbols) / CHARS_PER_TOKEN) + digits + symbols


def fit_budget(hits: list[Hit], max_tokens: int, max_chunks: int) -> list[Hit]:
    """The best hits whose text fits the context budget, in rank order."""
    chosen: list[Hit] = []
    used = 0
    for hit in hits:
        if len(chosen) >= max_chunks:
            break
        cost = estimate_tokens(hit.text)
        if used + cost > max_tokens:
            continue  # a smaller, lower-ranked chunk may still fit
        chosen.append(hit)
        used += cost
    if hits and not chosen:
        # Nothing fits whole: send the best chunk's beginning rather than no source at all.
        keep = int(len(hits[0].text) * max_tokens / estimate_tokens(hits[0].text))
        return [replace(hits[0], text=hits[0].text[:keep])]
    return chosen


class HybridSearch:
    """Dense search in a Chroma collection plus BM25 over the same chunks, fused by RRF.

    It sees one kind of source only: the career guide by default (chunks indexed before
    kinds existed count as guide), or the course library (`kind="library"`), so lessons
    never crowd the guide out of a career answer.
    """

    def __init__(self, collection: Any, embeddings: Embeddings, store_name: str = "", kind: str = GUIDE) -> None:
        self._store_name = store_name  # e.g. "Chroma server at host:port", for error messages
        self._kind = kind
        # $ne also matches chunks without the field: the guide of an index built before kinds.
        self._where = {KIND_KEY: {"$ne": LIBRARY}} if kind == GUIDE else {KIND_KEY: kind}
        self._collection = collection
        self._embeddings = embeddings
        self._lock = threading.Lock()
        self._bm25: Any = None
        self._vocab: set[str] = set()
        self._known: set[str] = set()
        self._ids: list[str] = []
        self._docs: list[str] = []
        self._metas: list[dict] = []
        self._count = -1

    def search(self, query: str, k: int = 8, role: str | None = None, section: str | None = None) -> list[Hit]:
        """Top-k chunks for `query`; a named role's chunks, and chunks of the section the
        question asks about ("Skills", or a citation prefix such as "How to choose your path"),
        get a boost in the fusion."""
        try:
            return self._search(query, k, role, section)
        except (BackendUnavailable, IndexMissing):
            raise
        except Exception as exc:  # chromadb and httpx raise many types for a lost store
            self._count = -1  # rebuild the caches once the store is back
            if self._store_name:
                raise BackendUnavailable(
                    f"{self._store_name} is unreachable ({type(exc).__name__}): start it again or "
                    "unset CAREER_CHROMA_HOST") from None
            raise IndexMissing(f"the index cannot be read ({type(exc).__name__}); rebuild it with "
                               "`career-assistant ingest --reset`") from None

    def _search(self, query: str, k: int, role: str | None, section: str | None) -> list[Hit]:
        self._refresh()
        if not self._ids:
            return []
        vector = self._embeddings.embed_query(query)
        dense = self._collection.query(query_embeddings=[vector], n_results=min(CANDIDATES, len(self._ids)),
                                       include=["distances"], where=self._where)
        dense_ids = dense["ids"][0]
        if any(i not in self._known for i in dense_ids):
            # Another process re-ingested with the same chunk count: rebuild the caches.
            self._count = -1
            self._refresh()
            dense_ids = [i for i in dense_ids if i in self._known]
        distances = dict(zip(dense["ids"][0], dense["distances"][0], strict=True))
        dense_sim = {i: 1.0 - distances[i] for i in dense_ids}
        bm25_ranked = self._bm25_search(query)
        fused: dict[str, float] = {}
        for rank, chunk_id in enumerate(dense_ids):
            fused[chunk_id] = fused.get(chunk_id, 0.0) + 1.0 / (RRF_K + rank + 1)
        for rank, (chunk_id, _) in enumerate(bm25_ranked):
            fused[chunk_id] = fused.get(chunk_id, 0.0) + 1.0 / (RRF_K + rank + 1)
        position = {i: n for n, i in enumerate(self._ids)}
        for chunk_id in fused:
            meta = self._metas[position[chunk_id]]
            if role and meta.get("role") == role:
                fused[chunk_id] += 1.0 / RRF_K / 2
            if section and (str(meta.get("section", "")).startswith(section)
                            or str(meta.get("citation", "")).startswith(section)):
                fused[chunk_id] += 1.0 / RRF_K / 2
        bm25_score = dict(bm25_ranked)
        missing = [i for i in fused if i not in dense_sim]
        if missing:  # BM25-only hits still need a dense score for the relevance gate
            dense_sim.update(self._similarities(vector, missing))
        order = sorted(fused, key=lambda i: (-fused[i], i))[:k]
        return [
            Hit(chunk_id=i, text=self._docs[position[i]], metadata=self._metas[position[i]],
                dense=float(dense_sim.get(i, 0.0)), bm25=float(bm25_score.get(i, 0.0)), fused=fused[i])
            for i in order
        ]

    @property
    def embeddings(self) -> Embeddings:
        return self._embeddings

    def citations(self) -> list[str]:
        """The "<document> / <section>" citation of every indexed chunk (what the index covers)."""
        self._refresh()
        return [str(m.get("citation", "")) for m in self._metas]

    def chunk_count(self) -> int:
        self._refresh()
        return len(self._ids)

    def chunks(self) -> list[tuple[dict, str]]:
        """(metadata, text) of every chunk this search sees (its kind only)."""
        self._refresh()
        return list(zip(self._metas, self._docs, strict=True))

    def _refresh(self) -> None:
        """(Re)build the BM25 index when the collection changed (another process ingested)."""
        count = self._collection.count()
        if count == self._count:
            return
        with self._lock:
            if count == self._count:
                return
            import bm25s

            logging.getLogger("bm25s").setLevel(logging.WARNING)
            got = self._collection.get(include=["documents", "metadatas"])
            ids, docs, metas = got["ids"], got["documents"], got["metadatas"]
            order = sorted((n for n in range(len(ids)) if source_kind(metas[n] or {}) == self._kind),
                           key=lambda n: ids[n])
            self._ids = [ids[n] for n in order]
            self._docs = [docs[n] or "" for n in order]
            self._metas = [metas[n] or {} for n in order]
            self._known = set(self._ids)
            if self._ids:
                bm25 = bm25s.BM25()
                corpus = bm25s.tokenize(self._docs, stopwords="en", show_progress=False)
                bm25.index(corpus, show_progress=False)
                self._bm25 = bm25
                self._vocab = set(corpus.vocab)
            self._count = count

    def _bm25_search(self, query: str) -> list[tuple[str, float]]:
        import bm25s

        words = bm25s.tokenize([query], stopwords="en", return_ids=False, show_progress=False)[0]
        known = [w for w in words if w in self._vocab]
        if not known:
            return []
        tokens = [known]
        k = min(CANDIDATES, len(self._ids))
        results, scores = self._bm25.retrieve(tokens, k=k, show_progress=False, n_threads=1)
        return [(self._ids[int(n)], float(s)) for n, s in zip(results[0], scores[0], strict=True) if s > 0]

    def _similarities(self, vector: list[float], ids: list[str]) -> dict[str, float]:
        got = self._collection.get(ids=ids, include=["embeddings"])
        sims = {}
        for chunk_id, emb in zip(got["ids"], got["embeddings"], strict=True):
            sims[chunk_id] = float(sum(a * b for a, b in zip(vector, emb, strict=True)))
        return sims


class GuideRetriever(BaseRetriever):
    """The hybrid search as a LangChain retriever (Documents carry their scores in metadata)."""

    model_config = ConfigDict(arbitrary_types_allowed=True)
    search_k: int = 8
    max_tokens: int = 700
    max_chunks: int = 4
    _search: HybridSearch = PrivateAttr()

    def __init__(self, search: HybridSearch, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._search = search

    def _get_relevant_documents(self, query: str, *, run_manager: CallbackManagerForRetrieverRun) -> list[Document]:
        hits = fit_budget(self._search.search(query, k=self.search_k), self.max_tokens, self.max_chunks)
        return [hit_to_document(h) for h in hits]


def hit_to_document(hit: Hit) -> Document:
    meta = dict(hit.metadata, dense_score=hit.dense, bm25_score=hit.bm25, fused_score=hit.fused)
    return Document(page_content=hit.text, metadata=meta, id=hit.chunk_id)


_WORD = re.compile(r"[a-z0-9]+")


def content_words(text: str) -> set[str]:
    """Lower-case words of 3+ letters, minus common stop words (for overlap scoring)."""
    return {w for w in _WORD.findall(text.lower()) if len(w) > 2 and w not in STOP_WORDS}


STOP_WORDS = frozenset(
    ["the", "and", "for", "are", "but", "not", "you", "your", "with", "what", "which", "who", "how", "does", "from", "that", "this", "have", "has", "was", "were", "can", "will", "into", "about", "their", "they", "them", "than", "then", "there", "these", "those", "its", "also", "any", "all", "our", "out", "get", "much", "many", "more", "most", "some", "such", "very", "just", "like", "would", "should", "could"]
)
