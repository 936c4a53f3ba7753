"""Tests for learning plans: library ingest, library-only retrieval, the plan and where it shows."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from assistant.plan import (
    NO_LIBRARY,
    NOTHING_FOUND,
    Library,
    build_library,
    flatten,
    guide_originals,
    is_lesson_request,
    plan_answer,
    skill_query,
)
from assistant.retrieval import HybridSearch
from core.embeddings import KeywordEmbeddings
from core.settings import load_settings
from core.store import get_collection, make_chroma_client
from ingest.index import ingest_paths

REPO = Path(__file__).resolve().parents[1]
FIXTURES = Path(__file__).resolve().parent / "fixtures"
# The CLI in a subprocess must import this checkout (a worktree), not wherever the package is installed from.
HERE = {"PYTHONPATH": str(REPO)}
LIBRARY = FIXTURES / "library"
SQL = "programs/data-basics/lessons/en/sql-queries.md"
SQL_ADVANCED = "programs/ship-it/lessons/en/sql-at-scale.md"
DOCKER = "programs/ship-it/lessons/en/docker-containers.md"
STATS = "programs/data-basics/lessons/en/statistics-basics.md"


@pytest.fixture
def indexed(tmp_path, project_corpus):
    """The project's guide plus the tiny fake library, keyword embeddings, a real Chroma folder."""
    library = tmp_path / "library"
    shutil.copytree(LIBRARY, library)
    s = load_settings(corpus_dir=project_corpus)
    client = make_chroma_client(s)
    embeddings = KeywordEmbeddings()
    report = ingest_paths([project_corpus], client=client, settings=s, embeddings=embeddings, progress=False,
                          library=[library])
    collection = get_collection(client, s, embeddings, create=False)
    return s, client, embeddings, collection, library, report


def _rel(step, root: Path) -> str:
    return str(Path(step.source).resolve().relative_to(root.resolve()))


def test_sql_skill_gets_both_sql_lessons_easiest_level_first(indexed):
    s, *_, library_root, _ = indexed
    steps = build_library(s).lessons_for("SQL, which the guide calls absolutely essential")
    assert [_rel(st, library_root) for st in steps] == [SQL, SQL_ADVANCED]
    assert [st.level for st in steps] == [1, 3]


@pytest.mark.parametrize(("skill", "lesson"), [("Docker and Kubernetes", DOCKER),
                                                ("Probability and statistics", STATS)])
def test_each_skill_gets_the_lesson_that_teaches_it(indexed, skill, lesson):
    s, *_, library_root, _ = indexed
    steps = build_library(s).lessons_for(skill)
    assert steps and _rel(steps[0], library_root) == lesson
    assert all("bread" not in st.source for st in steps)


def test_reason_is_a_sentence_quoted_from_the_lesson(indexed):
    s, *_, library_root, _ = indexed
    step = build_library(s).lessons_for("Docker and Kubernetes")[0]
    text = (library_root / DOCKER).read_text(encoding="utf-8")
    assert step.why in text and "Docker" in step.why
    assert step.title == "Packaging a model with Docker" and step.section == "Build an image"
    assert set(step.to_dict()) == {"skill", "title", "source", "section", "why"}


def test_a_skill_nothing_teaches_gets_no_step_and_says_so(indexed):
    s, *_ = indexed
    plans = build_library(s).plan(["Grounding in philosophy", "Docker and Kubernetes"])
    assert plans[0].steps == [] and plans[0].note == NOTHING_FOUND
    assert plans[1].steps and plans[1].note == ""


def test_plan_is_ordered_by_level_across_skills(indexed):
    s, *_ = indexed
    plans = build_library(s).plan(["Docker and Kubernetes", "Probability and statistics"])
    assert [st.level for st in flatten(plans)] == [1, 3]  # statistics (level 1) before docker (level 3)


def test_career_search_never_sees_library_chunks_and_plan_never_sees_guide(indexed):
    _, _, embeddings, collection, _, _ = indexed
    guide = HybridSearch(collection, embeddings)
    hits = guide.search("SQL docker statistics bread recipe", k=20)
    assert hits and all(h.metadata.get("source_kind") == "guide" for h in hits)
    library = HybridSearch(collection, embeddings, kind="library")
    hits = library.search("data scientist SQL statistics salary", k=20)
    assert hits and all(h.metadata.get("source_kind") == "library" for h in hits)
    assert guide.chunk_count() + library.chunk_count() == collection.count()


def test_chunks_indexed_before_kinds_existed_count_as_guide(indexed):
    _, _, embeddings, collection, _, _ = indexed
    vector = embeddings.embed_documents(["docker kubernetes docker"])[0]
    collection.upsert(ids=["old-chunk"], embeddings=[vector], documents=["docker kubernetes docker"],
                      metadatas=[{"source": "old.md", "citation": "Old / Docker"}])
    assert "old-chunk" in [h.chunk_id for h in HybridSearch(collection, embeddings).search("docker kubernetes")]
    assert "old-chunk" not in [h.chunk_id for h in
                               HybridSearch(collection, embeddings, kind="library").search("docker kubernetes")]


def test_ingest_records_kind_and_level_and_stays_incremental(indexed, project_corpus):
    s, client, embeddings, collection, library_root, first = indexed
    metas = collection.get(include=["metadatas"])["metadatas"]
    lesson = next(m for m in metas if m["path"].endswith("sql-at-scale.md"))
    assert (lesson["source_kind"], lesson["level"], lesson["program"], lesson["track"]) == (
        "library", 3, "ship-it", "engineering")
    blog = next(m for m in metas if m["path"].endswith("baking-bread.md"))
    assert blog["source_kind"] == "library" and "level" not in blog
    assert first.added == len(list(project_corpus.glob("*.md"))) + 5
    again = ingest_paths([], client=client, settings=s, embeddings=embeddings, progress=False, library=[library_root])
    assert again.chunks_embedded == 0 and again.unchanged == 5 and again.removed == 0
    (library_root / DOCKER).write_text((library_root / DOCKER).read_text() + "\nDocker layers cache builds.\n")
    changed = ingest_paths([], client=client, settings=s, embeddings=embeddings, progress=False, library=[library_root])
    assert (changed.updated, changed.unchanged) == (1, 4)


def test_a_file_moved_from_guide_to_library_is_rewritten_with_its_new_kind(tmp_path):
    s = load_settings()
    client, embeddings = make_chroma_client(s), KeywordEmbeddings()
    folder = tmp_path / "lessons"
    folder.mkdir()
    (folder / "sql.md").write_text("# SQL\n\n## Joins\nSQL joins tables.\n")
    ingest_paths([folder], client=client, settings=s, embeddings=embeddings, progress=False)
    report = ingest_paths([], client=client, settings=s, embeddings=embeddings, progress=False, library=[folder])
    assert report.updated == 1
    metas = get_collection(client, s, embeddings, create=False).get(include=["metadatas"])["metadatas"]
    assert {m["source_kind"] for m in metas} == {"library"}


def test_no_library_indexed_means_no_steps_and_a_note(keyword_index):
    library = build_library(keyword_index.settings)
    assert library is not None and not library.available


def test_guide_originals_are_not_lessons(indexed, tmp_path):
    s, client, embeddings, collection, library_root, _ = indexed
    assert guide_originals("retells the article (ai-career-paths.mdx) by ...") == ["ai-career-paths.mdx"]
    search = HybridSearch(collection, embeddings, kind="library")
    assert Library(search).lessons_for("Docker and Kubernetes")
    assert Library(search, exclude=["docker-containers.md"]).lessons_for("Docker and Kubernetes") == []


def test_skill_query_drops_how_much_words():
    assert skill_query("SQL, which the guide calls absolutely essential") == "SQL"
    assert skill_query("A strong background in ML") == "machine learning"
    assert skill_query("Docker and Kubernetes") == "Docker and Kubernetes"


@pytest.mark.parametrize("question", [
    "which lessons should I take to become an MLOps engineer?",
    "What courses should I do for data science?",
    "Give me a learning plan for prompt engineering",
    "what should I learn to be an ML engineer",
])
def test_lesson_requests_are_recognised(question):
    assert is_lesson_request(question)


@pytest.mark.parametrize("question", ["What does an MLOps engineer earn in the UK?",
                                      "Which role suits me?", "What skills does a data scientist need?"])
def test_other_questions_are_not_lesson_requests(question):
    assert not is_lesson_request(question)


def test_plan_answer_cites_the_guide_skills_and_the_lessons(indexed):
    from assistant.roles import load_roles

    s, *_ = indexed
    roles = load_roles(s.corpus_dir)
    text, sources = plan_answer("MLOps / AI Infrastructure Engineer", roles, build_library(s))
    assert sources[0]["kind"] == "guide" and sources[0]["section"].endswith("Skills")
    lessons = [src for src in sources if src["kind"] == "library"]
    assert any(src["source"].endswith("docker-containers.md") for src in lessons)
    assert "Packaging a model with Docker" in text
    for src in lessons:
        assert f"[{src['id']}]" in text
    assert "Nothing in the library teaches" in text  # e.g. CI/CD tools: the fake library has none


def test_plan_answer_without_a_library_says_how_to_add_one(keyword_index):
    from assistant.roles import load_roles

    roles = load_roles(keyword_index.settings.corpus_dir)
    text, sources = plan_answer("Data Scientist", roles, None)
    assert NO_LIBRARY in text and "SQL" in text and [s["kind"] for s in sources] == ["guide"]
    text, _ = plan_answer("Data Scientist", roles, build_library(keyword_index.settings))
    assert NO_LIBRARY in text


def test_cards_show_learn_next_with_links_to_the_lesson_passage(indexed):
    from assistant import webapp
    from assistant.roles import load_roles

    s, *_ = indexed
    view = webapp.quiz_view(load_roles(s.corpus_dir), "Yes", "No", "No", "Data analyst", "", None,
                            library=build_library(s))
    data_scientist = next(i for i, c in enumerate(view.cards) if c.role == "Data Scientist")
    card = view.cards_html[data_scientist]
    assert "Learn next" in card and "Your first SQL queries" in card
    anchor = card.split('class="lesson" href="#')[1].split('"')[0]
    assert f'id="{anchor}"' in view.sources_html
    assert "SELECT statement" in view.sources_html.split(f'id="{anchor}"')[1]
    assert any(step["title"] == "Your first SQL queries" for step in view.data["plan"])


def test_cards_without_a_library_say_how_to_add_one(keyword_index):
    from assistant import webapp
    from assistant.roles import load_roles

    view = webapp.quiz_view(load_roles(keyword_index.settings.corpus_dir), "Yes", "No", "No", "Data analyst",
                            "", None, library=build_library(keyword_index.settings))
    assert all(NO_LIBRARY.replace("`", "&#x60;") in h or "ingest --library" in h for h in view.cards_html)
    assert view.data["plan"] == [] and view.data["plan_note"] == NO_LIBRARY


def test_recommend_json_has_the_plan(run_cli, indexed):
    s, *_ = indexed
    env = {**HERE, "CAREER_DATA_DIR": str(s.data_dir), "CAREER_CORPUS_DIR": str(s.corpus_dir)}
    out = run_cli("recommend", "--code", "yes", "--research", "no", "--stakeholders", "no",
                  "--background", "data analyst", "--json", env=env)
    assert out.returncode == 0, out.stderr
    data = json.loads(out.stdout)
    assert data["plan"] and all(set(step) == {"skill", "title", "source", "section", "why"} for step in data["plan"])
    assert any(step["source"].endswith("sql-queries.md") for step in data["plan"])
    assert all("/library/" in step["source"] for step in data["plan"])


def test_recommend_json_without_a_library_has_an_empty_plan(run_cli, keyword_index):
    env = {**HERE, "CAREER_DATA_DIR": str(keyword_index.settings.data_dir)}
    out = run_cli("recommend", "--code", "yes", "--research", "no", "--stakeholders", "no", "--json", env=env)
    assert out.returncode == 0, out.stderr
    data = json.loads(out.stdout)
    assert data["plan"] == [] and "ingest --library" in data["plan_note"]
    plain = run_cli("recommend", "--code", "yes", "--research", "no", "--stakeholders", "no", env=env)
    assert "Learn next:** " + NO_LIBRARY in plain.stdout


@pytest.mark.parametrize("make", ["missing", "empty"])
def test_bad_library_path_is_a_one_line_error(run_cli, tmp_path, make):
    path = tmp_path / "lib"
    if make == "empty":
        path.mkdir()
    out = run_cli("ingest", "--library", path, env=HERE)
    assert out.returncode == 2
    assert out.stderr.strip().count("\n") == 0 and "library" in out.stderr and "Traceback" not in out.stderr


def test_ingest_library_cli_adds_the_library_without_reindexing_the_guide(run_cli, tmp_path, project_corpus):
    first = run_cli("ingest", project_corpus, "--quiet", env=HERE)
    assert first.returncode == 0, first.stderr
    out = run_cli("ingest", "--library", LIBRARY, "--quiet", env=HERE)
    assert out.returncode == 0, out.stderr
    assert "added 5, updated 0, unchanged 0, removed 0" in out.stdout
    again = run_cli("ingest", "--library", LIBRARY, "--quiet", env=HERE)
    assert "added 0, updated 0, unchanged 5, removed 0 files; embedded 0 chunks" in again.stdout


def test_every_plan_label_names_a_skill_bullet_of_its_role() -> None:
    """The plan eval's labels follow the corpus: a reworded bullet must take its label with it."""
    from assistant.roles import load_roles

    roles = load_roles(REPO / "corpus")
    for line in (REPO / "evals" / "datasets" / "plan_labels.jsonl").read_text(encoding="utf-8").splitlines():
        label = json.loads(line)
        facts = roles[label["role"]]
        bullets = {*facts.skills, *(s for track in facts.skill_tracks.values() for s in track)}
        assert label["skill"] in bullets, f"{label['role']}: {label['skill']!r} is no skill bullet of the corpus"
