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

from assistant import lexicon, phrasing
from assistant.background import BACKGROUND_MEANING
from assistant.meaning import NearestAsking
from assistant.roles import RoleFacts

# Below this cosine to every role's description, what the person said points to no role.
NEAREST_ROLE_MIN = 0.25
# Below this cosine to every way of saying a background, the text says none of them.
BACKGROUND_MIN = 0.35
_SECTIONS = (lexicon.TOPIC_SECTION["suits"], lexicon.TOPIC_SECTION["summary"])
# One reader per embedder and set of examples, dropped with the embedder (an id could be reused).
_READERS: weakref.WeakKeyDictionary[Any, dict[tuple, NearestAsking]] = weakref.WeakKeyDictionary()


def nearest_roles(text: str, roles: Mapping[str, RoleFacts], embeddings: Any) -> list[str]:
    """The profiled roles ordered by how near their descriptions are to the person's statements
    (the sentences that do not ask); [] without an embedder or when none is near enough."""
    if embeddings is None:
        return []
    examples = {f.title: tuple(f.sections[s] for s in _SECTIONS if f.sections.get(s))
                for f in roles.values() if f.detailed}
    scores = _reader(embeddings, examples).scores(told(text) or text)
    return sorted((t for t in scores if scores[t] >= NEAREST_ROLE_MIN), key=lambda t: -scores[t])


def background_meaning_agrees(text: str, background: str, embeddings: Any) -> bool:
    """Is `background` one of the two nearest in meaning to the text's statements about the person
    (True without an embedder: the model's guess then stands alone)?"""
    if embeddings is None or background not in BACKGROUND_MEANING:
        return embeddings is None
    scores = _reader(embeddings, BACKGROUND_MEANING).scores(told(text) or text)
    if not scores:
        return True  # the embedder failed: no evidence either way
    top_two = sorted(scores, key=lambda k: -scores[k])[:2]
    return background in top_two and scores[background] >= BACKGROUND_MIN


def told(text: str) -> str:
    """What the person tells of themselves: the text without the clauses that ask ("which roles
    does the guide point people like me to?" says nothing about working with people)."""
    clauses = re.split(r"(?<=[.!?;,])\s+", text.strip())
    # the last clause asks without its "?" too ("... is there room for me or is it only for developers")
    return " ".join(c for n, c in enumerate(clauses, start=1)
                    if not ((c.rstrip().endswith("?") or n == len(clauses))
                            and phrasing.opens_as_question(c)))


def _reader(embeddings: Any, examples: Mapping[str, tuple[str, ...]]) -> NearestAsking:
    key = tuple((label, tuple(texts)) for label, texts in examples.items())
    try:
        readers = _READERS.setdefault(embeddings, {})
    except TypeError:  # an embedder that cannot be weakly referenced: read without the cache
        return NearestAsking(embeddings, examples, 0.0)
    if key not in readers:
        readers[key] = NearestAsking(embeddings, examples, 0.0)
    return readers[key]
