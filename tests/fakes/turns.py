"""A conversation to follow up on, without running the assistant."""

from __future__ import annotations


def history(question: str) -> list[dict]:
    """One earlier turn: the question and a stand-in for its cited answer."""
    return [{"role": "user", "content": question}, {"role": "assistant", "content": "(an answer) [1]"}]
