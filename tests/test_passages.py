"""Tests for assistant.passages: the context a question's passages make for the model."""

from __future__ import annotations

from assistant import passages
from assistant.retrieval import Hit
from assistant.understanding import Reading
from core.settings import Settings


def hit(name: str, role: str | None, dense: float, chars: int = 350) -> Hit:
    return Hit(chunk_id=name, text="x" * chars, metadata={"citation": name, "role": role or ""},
               dense=dense, bm25=1.0, fused=dense)


def general_question(text: str = "why does everyone say learn python first?") -> Reading:
    return Reading(question=text, kind="general", topic="skills", text=text, query=text)


def test_a_question_naming_no_role_reads_a_general_passage_that_ranked_below_the_budget() -> None:
    settings = Settings(top_k=4, context_tokens=700)
    hits = [hit("mle", "Machine Learning Engineer", 0.62), hit("pe", "Prompt Engineer", 0.61),
            hit("rs", "Research Scientist", 0.60), hit("ds", "Data Scientist", 0.59),
            hit("every path", None, 0.6)]  # ranked fifth by the fusion, nearer in meaning than "ds"

    chosen = passages.context(general_question(), hits, settings)

    assert [h.chunk_id for h in chosen] == ["mle", "pe", "rs", "every path"]


def test_the_general_passage_is_not_added_twice_nor_when_it_is_further_in_meaning() -> None:
    settings = Settings(top_k=4, context_tokens=700)
    roles_only = [hit(f"r{i}", f"Role {i}", 0.6 - i / 100) for i in range(5)]
    already = [hit("every path", None, 0.62), *roles_only]
    far = [*roles_only, hit("every path", None, 0.5)]  # less similar than every passage read

    def chosen(hits: list[Hit]) -> list[str]:
        return [h.chunk_id for h in passages.context(general_question(), hits, settings)]

    assert chosen(roles_only) == ["r0", "r1", "r2", "r3"]
    assert chosen(already) == ["every path", "r0", "r1", "r2"]
    assert chosen(far) == ["r0", "r1", "r2", "r3"]


def test_the_general_passage_stays_within_the_token_budget() -> None:
    settings = Settings(top_k=4, context_tokens=400)
    hits = [hit("mle", "Machine Learning Engineer", 0.62), hit("pe", "Prompt Engineer", 0.61),
            hit("every path", None, 0.7, chars=3500)]  # 1000 tokens: never fits

    assert [h.chunk_id for h in passages.context(general_question(), hits, settings)] == ["mle", "pe"]


def test_a_question_about_a_role_reads_that_role_not_a_general_passage() -> None:
    settings = Settings(top_k=4, context_tokens=700)
    mle = "Machine Learning Engineer"
    hits = [hit("mle skills", mle, 0.62), hit("mle tasks", mle, 0.6), hit("every path", None, 0.58)]
    reading = Reading(question="ml engineer skills?", kind="role_fact", roles=(mle,),
                      topic="skills", text="ml engineer skills?")

    assert "every path" not in [h.chunk_id for h in passages.context(reading, hits, settings)]
