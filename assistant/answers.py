"""What an answer is, as callers see it: the final result in the JSON shape of
`career-assistant ask --json`, and the pieces of a streamed answer."""

from __future__ import annotations

from dataclasses import dataclass, field

from assistant.retrieval import Hit


@dataclass
class AnswerResult:
    """One answer, in the JSON shape of `career-assistant ask --json` (plus diagnostics)."""

    answer: str
    sources: list[dict]
    declined: bool
    latency_s: float
    ttft_s: float | None = None
    mode: str = "llm"  # llm | computed | extractive | declined | recommendation | fallback
    reason: str | None = None  # why it declined: out_of_scope | not_in_guide | meta
    query: str = ""
    notice: str = ""
    problems: list[str] = field(default_factory=list)
    retrieved: list[str] = field(default_factory=list)  # citations of the ranked hits
    reading: dict | None = None  # the question understanding's reading (diagnostics)

    def to_dict(self) -> dict:
        return {
            "answer": self.answer, "sources": self.sources, "declined": self.declined,
            "reason": self.reason, "latency_s": round(self.latency_s, 3),
            "ttft_s": None if self.ttft_s is None else round(self.ttft_s, 3),
            "mode": self.mode, "query": self.query, "notice": self.notice,
            "retrieved": self.retrieved, "reading": self.reading,
        }


@dataclass
class StreamEvent:
    """A piece of a streamed answer; the last event carries the result.

    `replace` is True when the text shown so far must be replaced by `token`
    (the grounding check swapped in an extractive answer).
    """

    token: str = ""
    replace: bool = False
    result: AnswerResult | None = None


def source_dict(n: int, hit: Hit) -> dict:
    return {"id": n, "source": str(hit.metadata.get("source", "")), "section": hit.citation, "text": hit.body}
