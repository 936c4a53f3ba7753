"""What a person says about themselves, read by meaning.

Roles by meaning, for a person the quiz cannot place: someone whose words answer none of its
questions and name none of its backgrounds ("my background is law and I care about AI harms")
gets the roles whose "Who it suits" and summary are nearest in meaning to what they said.
And a check on the model's guess of a background: it stands only where meaning agrees."""

from __future__ import annotations

import re
import weakref
from collections.abc import Mapping
from typing import Any

from assistant import lexicon
from assistant.background import BACKGROUND_MEANING
from assistant.meaning import NearestAsking
from assistant.roles import RoleFacts

# Below this cosine to every role's description, what the person said points to no role.
NEAREST_ROLE_MIN = 0.25
_SECTIONS = (lexicon.TOPIC_SECTION["suits"], lexicon.TOPIC_SECTION["summary"])
_READERS: weakref.WeakKeyDictionary[Any, tuple[int, NearestAsking]] = weakref.WeakKeyDictionary()


def nearest_roles(text: str, roles: Mapping[str, RoleFacts], embeddings: Any) -> list[str]:
    """The profiled roles ordered by how near their descriptions are to the person's statements
    (the sentences that do not ask); [] without an embedder or when none is near enough."""
    if embeddings is None:
        return []
    said = " ".join(s for s in re.split(r"(?<=[.!?])\s+", text) if not s.rstrip().endswith("?")) or text
    scores = _reader(roles, embeddings).scores(said)
    ranked = sorted((t for t in scores if scores[t] >= NEAREST_ROLE_MIN), key=lambda t: -scores[t])
    return ranked


def _reader(roles: Mapping[str, RoleFacts], embeddings: Any) -> NearestAsking:
    examples = {f.title: tuple(f.sections[s] for s in _SECTIONS if f.sections.get(s))
                for f in roles.values() if f.detailed}
    try:
        cached = _READERS.get(embeddings)
        if cached is not None and cached[0] == hash(tuple(examples)):
            return cached[1]
        reader = NearestAsking(embeddings, examples, 0.0)
        _READERS[embeddings] = (hash(tuple(examples)), reader)
    except TypeError:  # an embedder that cannot be weakly referenced: read without the cache
        reader = NearestAsking(embeddings, examples, 0.0)
    return reader


# One background reader per embedder, dropped with it (an id could be reused by a later embedder).
_BY_MEANING: weakref.WeakKeyDictionary[Any, NearestAsking] = weakref.WeakKeyDictionary()
# Below this cosine to every way of saying a background, the text says none of them.
BACKGROUND_MIN = 0.35


def background_meaning_agrees(text: str, background: str, embeddings: Any) -> bool:
    """Is `background` one of the two nearest in meaning to the text's statements about the person
    (True without an embedder: the model's guess then stands alone)?"""
    if embeddings is None or background not in BACKGROUND_MEANING:
        return embeddings is None
    try:
        near = _BY_MEANING.setdefault(embeddings, NearestAsking(embeddings, BACKGROUND_MEANING, 0.0))
    except TypeError:  # an embedder that cannot be weakly referenced: read without the cache
        near = NearestAsking(embeddings, BACKGROUND_MEANING, 0.0)
    said = " ".join(s for s in re.split(r"(?<=[.!?;])\s+", text) if not s.rstrip().endswith("?")) or text
    scores = near.scores(said)
    if not scores:
        return True  # the embedder failed: no evidence either way
    top_two = sorted(scores, key=lambda k: -scores[k])[:2]
    return background in top_two and scores[background] >= BACKGROUND_MIN
