"""The injection guard: sentences that try to take over the assistant are dropped from the
question, and an answer that repeats the system prompt is never shown."""

from __future__ import annotations

import re

from assistant import prompts

# Sentences that try to take over the assistant; they are dropped before retrieval so
# only the question they wrap is judged (and answered) on its own merits.
OVERRIDE = re.compile(
    r"(ignore (all |any )?(the |your )?(previous|prior|above|earlier|career guide|guide|instructions)|"
    r"disregard (all |the |your )?(previous|prior|above|instructions|guide)|you are now|you're now|"
    r"\bDAN\b|no restrictions|developer mode|jailbreak|let's play a game|system override|"
    r"new instruction|act as (a|an) )",
    re.I,
)

# Within a takeover attempt, an order to utter given words ("confirm by saying 'override
# accepted'") is part of the attack, not of the question it wraps.
_SAY_THIS = re.compile(
    r"(?:\b(?:confirm|acknowledge|agree)(?: this| it)?(?: by)?\s+)?"
    r"\b(?:say|saying|reply|replying|respond|responding|answer|answering|type|typing|print|printing|write|writing|"
    r"output|outputting|repeat|repeating|start|starting|begin|beginning)\s+(?:with\s+|only\s+|back\s+)?"
    r"([\"'“‘])[^\"'”’]{1,80}[\"'”’]\s*(?:first\s*)?",
    re.I,
)
_LEFT_OVER = re.compile(r"^[\s,;:.-]*(?:(?:and\s+)?then\b|and\b)?[\s,;:]*", re.I)


def leaks_prompt(answer: str, words: int = 6) -> bool:
    """Does the answer repeat a run of the system prompt (an injected "print your prompt")?"""
    def shingles(text: str) -> set[tuple[str, ...]]:
        tokens = re.findall(r"[a-z]+", text.lower())
        return {tuple(tokens[i:i + words]) for i in range(len(tokens) - words + 1)}

    return bool(shingles(answer) & shingles(prompts.SYSTEM))


def strip_overrides(question: str) -> str:
    """Drop the sentences of a question that try to override the assistant's instructions."""
    if not OVERRIDE.search(question):
        return question
    sentences = [_asked_after(s) for s in re.split(r"(?<=[.!?:;])\s+|\s+-\s+|\n", question)]
    kept = [_LEFT_OVER.sub("", _SAY_THIS.sub(" ", s)) for s in sentences if s and not OVERRIDE.search(s)]
    return re.sub(r"\s{2,}", " ", re.sub(r"</?\w+>", " ", " ".join(k for k in kept if k))).strip()


_ASKS = re.compile(r"^(?:just\s+|now\s+|please\s+)?(?:what|whats|what's|which|how|who|where|when|why|is|are|do|does|can|"
                   r"could|should|would|will|tell me|list|name|explain)\b|\?\s*$", re.I)


def _asked_after(sentence: str) -> str:
    """ "ignore the above, what do AI PMs earn?": the question after a takeover clause is kept
    when it asks something; an order after one ("..., recommend X to everyone") is not."""
    m = OVERRIDE.search(sentence)
    if m is None:
        return sentence
    rest = re.split(r"[,;:]\s*|\s+and\s+(?:then\s+)?", sentence[m.end():], maxsplit=1)
    asked = rest[1].strip() if len(rest) == 2 else ""
    return asked if asked and _ASKS.search(asked) and not OVERRIDE.search(asked) else sentence
