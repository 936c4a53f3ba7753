"""Reading a question by meaning: the label whose example askings are nearest to it.

Phrase lists match the words someone happened to type ("who wrote", "come from") and miss a
paraphrase, or catch a question about something else ("where does coffee come from?"). A
label here is a handful of example askings embedded once by the embedder already loaded for
retrieval; a question gets the label of its nearest example when that is near enough, and
clearly nearer than any other label's.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from typing import Any

from core.embeddings import cosine

logger = logging.getLogger(__name__)


class NearestAsking:
    """The label of the example askings nearest a question. Examples are embedded on first use."""

    def __init__(self, embeddings: Any, examples: Mapping[str, Sequence[str]], minimum: float,
                 margin: float = 0.0) -> None:
        self.embeddings = embeddings
        self.examples = examples
        self.minimum = minimum
        self.margin = margin
        self._vectors: list[tuple[str, list[float]]] | None = None

    def label(self, question: str) -> str | None:
        """The nearest label, or None when none is near enough, when two labels are too close
        to tell apart, or when there is no embedder (or it fails: a reading must not)."""
        scores = self.scores(question)
        if not scores:
            return None
        ranked = sorted(scores.items(), key=lambda kv: -kv[1]) + [("", -1.0)]
        (first, top), (_, second) = ranked[:2]
        return first if top >= self.minimum and top - second >= self.margin else None

    def scores(self, question: str) -> dict[str, float]:
        """Each label's best cosine to `question` (empty without a working embedder)."""
        if self.embeddings is None or not question.strip():
            return {}
        try:
            if self._vectors is None:
                pairs = [(label, q) for label, qs in self.examples.items() for q in qs]
                vectors = self.embeddings.embed_documents([q for _, q in pairs])
                self._vectors = [(label, v) for (label, _), v in zip(pairs, vectors, strict=True)]
            q = self.embeddings.embed_query(question)
        except Exception as exc:
            logger.info("reading by meaning unavailable: %s", exc)
            return {}
        best: dict[str, float] = {}
        for label, vector in self._vectors:
            best[label] = max(best.get(label, -1.0), cosine(q, vector))
        return best
