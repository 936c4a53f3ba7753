"""Answers made of the guide's own lines: the fallback when the model is down or its answer
fails the grounding checks, and the deciding sentences added to a short verdict."""

from __future__ import annotations

import re

from assistant import grounding, prompts
from assistant.regions import region_in_text
from assistant.retrieval import Hit, content_words

# A line of a passage about no one role ("Python: the common language of AI work"), for a question
# naming no role, outranks a line matching as many words in one role's profile.
GENERAL_FIRST = 0.5


def extractive_answer(question: str, context: list[Hit], max_lines: int = 6,
                      roles: tuple[str, ...] = ()) -> str:
    """An answer made only of the guide's own lines, each under its role and section, with its
    citation. With `roles`, only those roles' passages are quoted (when there are any)."""
    if not context:
        return prompts.EXTRACTIVE_INTRO + "\n\n(no passage found)"
    own = {n for n, hit in enumerate(context, start=1) if hit.metadata.get("role") in roles}
    wanted = content_words(question)
    region = region_in_text(question)
    scored: list[tuple[float, int, int, str]] = []
    seen: set[str] = set()  # a line two passages share (overlapping chunks) is quoted once, from the first
    for n, hit in enumerate(context, start=1):
        if own and n not in own:
            continue  # another role's passage: never quoted under this role's question
        for order, line in enumerate(raw.strip() for raw in hit.body.splitlines()):
            key = line.lstrip("- ").strip().lower()
            if not line or not re.search(r"[A-Za-z]", line) or key in seen:
                continue
            seen.add(key)
            overlap = len(wanted & content_words(line)) + len(wanted & content_words(hit.citation)) * 0.5
            if region and region_in_text(line) == region:
                overlap += 2
            if overlap >= 1 and not roles and not hit.metadata.get("role"):
                overlap += GENERAL_FIRST  # no role asked about: the guide's words for every path speak first
            scored.append((overlap + 0.5 / n, n, order, line))
    first = min((s[1] for s in scored), default=1)
    relevant = [s for s in scored if s[0] >= 1.0] or [s for s in scored if s[1] == first][:3]
    best = sorted(relevant, key=lambda s: (-s[0], s[1], s[2]))[:max_lines]
    best.sort(key=lambda s: (s[1], s[2]))
    lines: list[str] = []
    headed: set[int] = set()
    for _, n, _, line in best:  # grouped by source: each group under its role and section
        if n not in headed:
            headed.add(n)
            lines.append(f"From {context[n - 1].citation} [{n}]:")
        lines.append(f"> {line.lstrip('- ').strip()} [{n}]")
    return prompts.EXTRACTIVE_INTRO + "\n\n" + "\n".join(lines)


def with_evidence(answer: str, picks: list[tuple[int, str]]) -> str:
    """A short verdict ("No.", "The research track is the hardest [1].") gets the guide's own
    deciding lines `picks` (passage number, line), quoted and cited: the small model often gives
    its verdict without the reason the guide gives."""
    if len(grounding.claims(answer)) > 2:
        return answer
    quotes = [f"The guide: “{s.strip().rstrip('.')}.” [{n}]" for n, s in picks if s.strip().rstrip(".") not in answer]
    return answer if not quotes else answer.rstrip() + "\n\n" + "\n".join(quotes)
