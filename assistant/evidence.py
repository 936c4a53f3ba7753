"""The sentences of the guide that decide a yes/no question, found by meaning.

"Do I need a PhD to be a research scientist?" shares more words with "labs get thousands
of applications from PhD holders" than with "getting in without a PhD is possible but
hard", which is the sentence that answers it. So the sentences of the passages in the
prompt are ranked by the embedder already loaded for retrieval (cosine to the question),
with word overlap only breaking near-ties, and the model decides its verdict from the best
few: a short prompt whose every line bears on the question.
"""

from __future__ import annotations

import logging
import math
import re
from collections.abc import Sequence
from typing import Any

from assistant.grounding import claims
from assistant.retrieval import content_words
from core.embeddings import cosine

logger = logging.getLogger(__name__)

# Each word the sentence shares with the question (role names aside) adds this to its
# cosine: meaning ranks, the question's own words break what meaning leaves close.
OVERLAP = 0.05
# A paragraph up to this many words is quoted whole when one of its sentences is picked.
PARAGRAPH_WORDS = 60
_CACHE_LIMIT = 4096


class EvidencePicker:
    """Ranks passage sentences against a question. Sentence vectors are cached by text,
    so the guide's sentences are embedded once per process."""

    def __init__(self, embeddings: Any) -> None:
        self.embeddings = embeddings
        self._vectors: dict[str, list[float]] = {}

    def pick(self, question: str, passages: Sequence[str], limit: int = 3,
             ignore: Sequence[str] = ()) -> list[tuple[int, str]]:
        """The `limit` passage pieces that best answer `question`, as (passage number from 1,
        piece), best first. A piece is a bullet item, or a short paragraph ranked by its best
        sentence (so "X suits Y. For X, Z matters more than W." keeps its second sentence).
        Words of `ignore` (the roles asked about) do not count as shared words. Empty if the
        embedder fails (the caller then lets the model answer)."""
        candidates = [(n, piece, s) for n, text in enumerate(passages, start=1) for piece, s in units(text)]
        if not candidates or self.embeddings is None:
            return []
        try:
            q = self.embeddings.embed_query(question)
            vectors = self._embed([s for _, _, s in candidates])
        except Exception as exc:  # an answer must not fail because the embedder did
            logger.warning("evidence picking failed: %s", exc)
            return []
        asked = _stems(" ".join(content_words(question))) - _stems(" ".join(ignore))
        weight = _rarity(asked, [s for _, _, s in candidates])
        scored = sorted(((cosine(q, v) + OVERLAP * sum(weight[w] for w in asked & _stems(s)), n, piece)
                         for (n, piece, s), v in zip(candidates, vectors, strict=True)), key=lambda t: -t[0])
        best = dict.fromkeys((n, piece) for _, n, piece in scored)  # each piece once, at its best
        return list(best)[:limit]

    def prime(self, passages: Sequence[str]) -> int:
        """Embed the sentences of `passages` ahead of questions (at warm-up), so the first yes/no
        question does not wait for them; returns how many sentences were embedded."""
        texts = [s for text in passages for _, s in units(text)]
        before = len(self._vectors)
        if texts and self.embeddings is not None:
            self._embed(texts)
        return len(self._vectors) - before

    def _embed(self, texts: list[str]) -> list[list[float]]:
        missing = [t for t in dict.fromkeys(texts) if t not in self._vectors]
        if missing:
            if len(self._vectors) + len(missing) > _CACHE_LIMIT:
                self._vectors.clear()
            self._vectors.update(zip(missing, self.embeddings.embed_documents(missing), strict=True))
        return [self._vectors[t] for t in texts]


def units(passage: str) -> list[tuple[str, str]]:
    """A passage's (piece, sentence) pairs: each sentence with the piece it is quoted in,
    its paragraph when that is short, else itself. Headings and lead-in lines ("...:") and
    fragments under four words (two for a bullet item) are left out."""
    out = []
    for line in passage.splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        shortest = 2 if line.startswith(("-", "*", "•")) else 4  # a bullet item may be short ("Docker and Kubernetes")
        said = [s for s in claims(line) if len(s.split()) >= shortest and not s.rstrip().endswith(":")]
        whole = line.lstrip("-*• ").strip()
        for s in said:
            out.append((whole if len(whole.split()) <= PARAGRAPH_WORDS else s.strip(), s.strip()))
    return out


def _rarity(words: set[str], pieces: Sequence[str]) -> dict[str, float]:
    """How much each asked word says, by how few pieces share it: in "is k8s a must?" the one
    bullet naming Kubernetes is the answer, not the paragraphs sharing "MLOps" or "skills"."""
    stems = [_stems(p) for p in pieces]
    return {w: 1.0 + math.log(len(stems) / max(1, sum(w in s for s in stems))) for w in words}


def _stems(text: str) -> set[str]:
    return {w.removesuffix("s")[:5] for w in re.findall(r"[a-z][a-z0-9+#/-]+", text.lower()) if len(w) >= 3}
