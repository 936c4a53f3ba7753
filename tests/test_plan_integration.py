"""Learning plans with the real embedder and the publisher's real library (../shared)."""

from __future__ import annotations

from pathlib import Path

import pytest

from core.settings import load_settings

pytestmark = pytest.mark.integration

REPO = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def real_library(tmp_path_factory, shared_corpus, real_embeddings):
    """The guide plus the English lessons and blog, indexed once for the module (~3 min on 2 cores)."""
    from assistant.plan import build_library
    from core.store import make_chroma_client
    from evals.plan import library_paths
    from ingest.index import ingest_paths

    folder = tmp_path_factory.mktemp("plan-index")
    s = load_settings(data_dir=folder, corpus_dir=REPO / "corpus", embedding_backend="local", llm_backend="fake")
    ingest_paths([s.corpus_dir], client=make_chroma_client(s), settings=s, embeddings=real_embeddings,
                 progress=False, library=library_paths(shared_corpus))
    library = build_library(s, embeddings=real_embeddings)
    assert library is not None and library.available
    return s, library


def test_each_profiled_role_gets_three_steps_all_library_files(real_library, shared_corpus):
    from assistant.roles import load_roles

    s, library = real_library
    root = shared_corpus.resolve()
    roles = {t: f for t, f in load_roles(s.corpus_dir).items() if f.detailed}
    assert len(roles) == 7
    for title, facts in roles.items():
        steps = [st for p in library.plan(list(facts.skills)) for st in p.steps]
        assert len(steps) >= 3, f"{title}: {len(steps)} steps"
        for st in steps:
            path = Path(st.source).resolve()
            assert root in path.parents and path.is_file(), st.source
            assert path.name != "ai-career-paths.mdx"  # the guide's own original is not a lesson
            assert st.why and st.why in " ".join(path.read_text(encoding="utf-8").split()) or st.why in st.passage


def test_plan_precision_on_the_hand_labels(real_library, shared_corpus):
    from evals.plan import PRECISION_TARGET, load_labels, score_plan

    _, library = real_library
    labels = load_labels()
    steps = {item["skill"]: [st.to_dict() for st in library.lessons_for(item["skill"])] for item in labels}
    result = score_plan(labels, steps, shared_corpus)
    assert result["labelled_pairs"] >= 30
    assert result["precision"] >= PRECISION_TARGET, result["precision"]
    assert result["says_so"] >= 0.8


def test_career_answers_never_retrieve_library_chunks(real_library):
    from assistant.chain import build_assistant

    s, _ = real_library
    assistant = build_assistant(s)
    for question in ["What skills does a data scientist need?", "How do I learn Python for machine learning?",
                     "What is RAG?", "How much does an MLOps engineer earn in the UK?"]:
        _, hits = assistant.retrieve(question)
        assert all(h.metadata.get("source_kind") == "guide" for h in hits), question


def test_chat_plan_answer_for_mlops_cites_lessons(real_library):
    from assistant.plan import find_role, is_lesson_request, plan_answer
    from assistant.roles import load_roles

    s, library = real_library
    roles = load_roles(s.corpus_dir)
    question = "which lessons should I take to become an MLOps engineer?"
    assert is_lesson_request(question)
    role = find_role(question, roles)
    assert role == "MLOps / AI Infrastructure Engineer"
    text, sources = plan_answer(role, roles, library)
    assert sum(src["kind"] == "library" for src in sources) >= 2
    assert "Docker and Kubernetes" in text  # named as a skill the library does not teach
