"""The local embedder's query cache: a question is encoded once however many readers embed it."""

from __future__ import annotations

import numpy as np

from core.embeddings import SentenceTransformerEmbeddings


class CountingModel:
    """Stands in for the loaded SentenceTransformer: a vector per text, and a count of texts encoded."""

    def __init__(self) -> None:
        self.encoded: list[str] = []

    def encode(self, texts, **_: object) -> np.ndarray:
        self.encoded.extend(texts)
        return np.array([[float(len(t)), 1.0] for t in texts])


def embedder(cache: int = 256) -> tuple[SentenceTransformerEmbeddings, CountingModel]:
    emb = SentenceTransformerEmbeddings(query_cache=cache)
    emb._loaded = model = CountingModel()
    return emb, model


def test_the_same_query_is_encoded_once_and_each_caller_gets_its_own_copy():
    emb, model = embedder()
    first = emb.embed_query("ml engineer salary uk")
    first.append(99.0)  # a caller that changes its vector must not change the cached one
    again = emb.embed_query("ml engineer salary uk")
    assert model.encoded == ["ml engineer salary uk"]
    assert again == [21.0, 1.0]


def test_the_cache_is_bounded_and_evicts_the_least_recently_used_query():
    emb, model = embedder(cache=2)
    emb.embed_query("a")
    emb.embed_query("bb")
    emb.embed_query("a")  # "a" is now the most recent
    emb.embed_query("ccc")  # evicts "bb"
    emb.embed_query("a")
    emb.embed_query("bb")
    assert model.encoded == ["a", "bb", "ccc", "bb"]


def test_documents_are_never_cached():
    emb, model = embedder()
    emb.embed_documents(["x", "y"])
    emb.embed_documents(["x"])
    assert model.encoded == ["x", "y", "x"]
