"""Which passages a question gets: the hybrid search (a question naming several roles gets each
role's best chunks), the relevance gate, and the context the model reads (by need, or within
the token budget)."""

from __future__ import annotations

from collections.abc import Mapping

from assistant.lexicon import TOPIC_SECTION
from assistant.retrieval import Hit, HybridSearch, fit_budget
from assistant.roles import LISTED_SECTION, RoleFacts
from assistant.understanding import Reading
from core.settings import Settings

SEARCH_K = 8
# Passages added after the asked section. Measured on the gold + dev questions that reach the
# model (48): with 2, every expected fact is in the prompt as often as with the 700-token
# budget (44) at 317 instead of 330 prompt tokens (p50); with 1, two PhD questions lose theirs.
NEED_EXTRA = 2


def retrieve(search: HybridSearch, roles: Mapping[str, RoleFacts], reading: Reading) -> list[Hit]:
    """Hybrid search; a question naming several roles gets each role's best chunks."""
    facts = roles.get(reading.role or "")
    section = TOPIC_SECTION.get(reading.topic or "") if facts and facts.detailed else None
    if facts is not None and not facts.detailed:
        section = LISTED_SECTION  # what the guide says of listed-only roles
    elif reading.kind == "path_request":
        section = "How to choose your path"
    if len(reading.roles) < 2:
        return search.search(reading.query, k=SEARCH_K, role=reading.role, section=section)
    per_role = [search.search(f"{r}: {reading.text}", k=SEARCH_K, role=r, section=section)
                for r in reading.roles[:3]]
    merged: list[Hit] = []
    for rank in range(SEARCH_K):
        for hits in per_role:
            if rank < len(hits) and hits[rank].chunk_id not in {h.chunk_id for h in merged}:
                merged.append(hits[rank])
    return merged


def context(reading: Reading, hits: list[Hit], settings: Settings, by_need: bool = True) -> list[Hit]:
    """What the model reads. A question about named roles gets each role's passage for the
    section asked about (or its best passage), plus the next NEED_EXTRA passages of those
    roles (the answer may sit in another of the role's sections than the one asked about).
    Anything else gets the best passages within the token budget. The model reads ~80 prompt
    tokens a second on 2 cores, so every passage costs time."""
    ranked = _close_to_best(hits)
    if not by_need or not reading.roles:
        return _with_general(ranked, settings)
    section = TOPIC_SECTION.get(reading.topic or "")
    asked = list(reading.roles[:3])
    chosen: list[Hit] = []
    for role in asked:
        own = [h for h in hits if h.metadata.get("role") == role]
        in_section = [h for h in own if section and _in_section(h, section)]
        chosen += in_section[:1] or own[:1]
    if not chosen:
        return fit_budget(ranked, settings.context_tokens, settings.top_k)
    extra = [h for h in hits if h not in chosen and h.metadata.get("role") in asked][:NEED_EXTRA]
    return fit_budget(chosen + extra, settings.context_tokens, settings.top_k)


def _with_general(ranked: list[Hit], settings: Settings) -> list[Hit]:
    """The best passages within the budget; for a question naming no role, a general passage of
    the guide (of no role) that the fusion ranked just out is read when it is nearer in meaning
    than a passage that made it: "why learn python first?" is answered by the line for every
    path, not by four roles' skill lists that match its keywords."""
    chosen = fit_budget(ranked, settings.context_tokens, settings.top_k)
    general = next((h for h in ranked if not h.metadata.get("role")), None)
    if general is None or not chosen or any(not h.metadata.get("role") for h in chosen):
        return chosen
    if general.dense < min(h.dense for h in chosen):
        return chosen
    others = [h for h in ranked if h is not general]
    with_it = fit_budget([general, *others], settings.context_tokens, settings.top_k)
    return sorted(with_it, key=ranked.index)


def relevant(reading: Reading, hits: list[Hit], threshold: float) -> bool:
    """The relevance gate: retrieval scores decide, never the model. A question about a
    role of the guide (asked or carried over from the conversation), or about one of the guide's
    topics (pay, skills, breaking in...) or a short form it spells out ("what does RAG stand for?"),
    and naming nothing the guide lacks, is in scope. (A term it only names, such as "AWS" or
    "Kubernetes", is no such key: "best aws region for low latency?" shares it.)"""
    if not hits:
        return False
    if reading.roles or ((reading.topic or reading.defined) and not reading.foreign):
        return True
    return max(h.dense for h in hits) >= threshold


def _close_to_best(hits: list[Hit], margin: float = 0.25) -> list[Hit]:
    """Drop hits far less similar than the best one: a shorter prompt is a faster answer."""
    if not hits:
        return hits
    best = max(h.dense for h in hits)
    return [h for h in hits if h.dense >= best - margin]


def _in_section(hit: Hit, section: str) -> bool:
    return any(str(hit.metadata.get(key, "")).startswith(section) for key in ("section", "citation"))


def own_passages(roles: set[str], context: list[Hit], general: bool = True) -> list[int]:
    """Numbers (from 1) of the passages a quote may come from: the roles' own and the guide's
    general ones (unless `general` is False), never another role's ("do AI PMs code?" is not
    answered by a researcher's line); all of them when no role is named."""
    every = list(range(1, len(context) + 1))
    if not roles:
        return every
    allowed = roles | {None, ""} if general else roles
    return [n for n in every if context[n - 1].metadata.get("role") in allowed] or every
