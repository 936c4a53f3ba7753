"""Tests for ingest/index.py: idempotent, incremental ingest into a real Chroma folder."""

from __future__ import annotations

import hashlib
import os
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from langchain_core.embeddings import Embeddings

from core.embeddings import KeywordEmbeddings, embedding_model_id
from core.errors import BadInput, IndexMissing
from core.settings import load_settings
from core.store import get_collection, make_chroma_client
from ingest.chunking import chunk_documents
from ingest.index import ingest_paths
from ingest.loaders import find_files, load_paths, path_key

REPO = Path(__file__).resolve().parents[1]
FIXTURES = Path(__file__).resolve().parent / "fixtures"


class CountingEmbeddings(Embeddings):
    """A spy: passes calls to the wrapped embeddings and counts them."""

    def __init__(self, inner: Embeddings) -> None:
        self.inner = inner
        self.model_id = embedding_model_id(inner)
        self.calls = 0
        self.texts = 0

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        self.calls += 1
        self.texts += len(texts)
        return self.inner.embed_documents(texts)

    def embed_query(self, text: str) -> list[float]:
        self.calls += 1
        return self.inner.embed_query(text)


class OtherModel(KeywordEmbeddings):
    model_id = "other-model"


def _ingest(index, paths=None, embeddings=None, **kwargs):
    return ingest_paths(paths or [index.corpus], client=index.client, settings=index.settings,
                        embeddings=embeddings or index.embeddings, progress=False, **kwargs)


def _snapshot(collection) -> dict[str, tuple[str, dict]]:
    got = collection.get(include=["documents", "metadatas"])
    return {i: (d, m) for i, d, m in zip(got["ids"], got["documents"], got["metadatas"], strict=True)}


def _ids_by_file(collection) -> dict[str, set[str]]:
    out: dict[str, set[str]] = {}
    for chunk_id, (_, meta) in _snapshot(collection).items():
        out.setdefault(Path(meta["path"]).name, set()).add(chunk_id)
    return out


def _expected_chunks(*paths: Path):
    return chunk_documents(load_paths(list(paths)).documents)


# --- first ingest, re-ingest -------------------------------------------------------------------


def test_first_ingest_adds_every_file_and_chunk(keyword_index):
    report, col = keyword_index.report, keyword_index.collection
    expected = _expected_chunks(keyword_index.corpus)
    assert (report.added, report.updated, report.unchanged, report.removed) == (10, 0, 0, 0)
    assert report.problems == []
    assert report.chunks_embedded == report.chunks_total == col.count() == len(expected) > 0
    stored = _snapshot(col)
    assert set(stored) == {c.id for c in expected}
    for chunk in expected:
        document, meta = stored[chunk.id]
        assert document == chunk.page_content
        assert meta["citation"] == chunk.metadata["citation"]
        digest = hashlib.sha256(Path(meta["path"]).read_bytes()).hexdigest()
        assert meta["file_hash"] == digest
    assert col.metadata["embedding_model"] == "keyword-fake"
    assert col.metadata["hnsw:space"] == "cosine"


def test_keyword_index_ranks_the_salary_chunk_first(keyword_index):
    emb = keyword_index.embeddings
    hits = keyword_index.collection.query(query_embeddings=[emb.embed_query("data scientist salary uk")],
                                          n_results=3, include=["metadatas"])
    assert hits["metadatas"][0][0]["citation"] == "Data Scientist / Salary range"


class RecordingEmbeddings(CountingEmbeddings):
    """A spy that also keeps each embed_documents call's texts."""

    def __init__(self, inner: Embeddings) -> None:
        super().__init__(inner)
        self.batches: list[list[str]] = []

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        self.batches.append(list(texts))
        return super().embed_documents(texts)


def test_slices_are_length_sorted_and_each_chunk_keeps_its_own_vector(settings, project_corpus, monkeypatch):
    import ingest.index

    monkeypatch.setattr(ingest.index, "EMBED_SLICE", 8)
    inner = KeywordEmbeddings()
    spy = RecordingEmbeddings(inner)
    client = make_chroma_client(settings)
    report = ingest_paths([project_corpus], client=client, settings=settings, embeddings=spy, progress=False)
    assert report.chunks_embedded > 16 and len(spy.batches) == -(-report.chunks_embedded // 8)
    lengths = [len(t) for batch in spy.batches for t in batch]
    assert lengths == sorted(lengths, reverse=True)  # longest first, across slices
    got = get_collection(client, settings, inner, create=False).get(include=["documents", "embeddings"])
    for document, vector in zip(got["documents"], got["embeddings"], strict=True):
        assert list(vector) == pytest.approx(inner.embed_documents([document])[0])


def test_writes_group_whole_files_up_to_the_batch_size(settings, project_corpus, monkeypatch):
    import ingest.index

    monkeypatch.setattr(ingest.index, "WRITE_BATCH", 12)
    calls: list[list[int]] = []
    real = ingest.index._write_files

    def record(collection, files):
        calls.append([len(chunks) for _, _, chunks, _ in files])
        real(collection, files)

    monkeypatch.setattr(ingest.index, "_write_files", record)
    client = make_chroma_client(settings)
    report = ingest_paths([project_corpus], client=client, settings=settings, embeddings=KeywordEmbeddings(),
                          progress=False)
    assert sum(map(len, calls)) == report.added == 10
    assert 1 < len(calls) < 10  # grouped, not one call per file
    assert all(sum(sizes) <= 12 or len(sizes) == 1 for sizes in calls)
    assert report.write_seconds > 0 and report.embed_seconds > 0
    expected = _expected_chunks(project_corpus)
    assert set(_snapshot(get_collection(client, settings, KeywordEmbeddings(), create=False))) == {
        c.id for c in expected}


def test_unchanged_reingest_embeds_nothing(keyword_index):
    before = _snapshot(keyword_index.collection)
    spy = CountingEmbeddings(keyword_index.embeddings)
    report = _ingest(keyword_index, embeddings=spy)
    assert (report.added, report.updated, report.unchanged, report.removed) == (0, 0, 10, 0)
    assert report.chunks_embedded == 0 and report.chunks_deleted == 0
    assert spy.calls == 0
    assert _snapshot(keyword_index.collection) == before


def test_changed_file_replaces_exactly_its_chunks(keyword_index):
    before = _ids_by_file(keyword_index.collection)
    target = keyword_index.corpus / "data-scientist.md"
    text = target.read_text(encoding="utf-8")
    text = text.replace("- UK: £50,000 – £100,000", "- UK: £52,000 – £100,000")
    text = text[: text.index("## How it differs from ML Engineer")]   # one section fewer
    target.write_text(text, encoding="utf-8")
    new_chunks = _expected_chunks(target)

    spy = CountingEmbeddings(keyword_index.embeddings)
    report = _ingest(keyword_index, embeddings=spy)

    assert (report.added, report.updated, report.unchanged, report.removed) == (0, 1, 9, 0)
    assert spy.texts == report.chunks_embedded == len(new_chunks) == len(before["data-scientist.md"]) - 1
    after = _ids_by_file(keyword_index.collection)
    assert after["data-scientist.md"] == {c.id for c in new_chunks}
    stale = before["data-scientist.md"] - after["data-scientist.md"]
    assert len(stale) == 2   # the salary chunk's old version and the dropped section
    assert keyword_index.collection.get(ids=list(stale))["ids"] == []
    assert {k: v for k, v in after.items() if k != "data-scientist.md"} == \
        {k: v for k, v in before.items() if k != "data-scientist.md"}
    salary = [d for d, m in _snapshot(keyword_index.collection).values()
              if m["citation"] == "Data Scientist / Salary range"]
    assert len(salary) == 1 and "£52,000" in salary[0]


def test_deleted_file_chunks_are_removed(keyword_index):
    before = _ids_by_file(keyword_index.collection)
    (keyword_index.corpus / "prompt-engineer.md").unlink()
    spy = CountingEmbeddings(keyword_index.embeddings)
    report = _ingest(keyword_index, embeddings=spy)
    assert (report.added, report.updated, report.unchanged, report.removed) == (0, 0, 9, 1)
    assert spy.calls == 0
    after = _ids_by_file(keyword_index.collection)
    assert "prompt-engineer.md" not in after
    assert after == {k: v for k, v in before.items() if k != "prompt-engineer.md"}


def test_ingesting_one_file_leaves_the_other_files_alone(keyword_index):
    before = _snapshot(keyword_index.collection)
    report = _ingest(keyword_index, paths=[keyword_index.corpus / "data-scientist.md"])
    assert (report.added, report.unchanged, report.removed) == (0, 1, 0)
    assert _snapshot(keyword_index.collection) == before


def test_a_file_that_no_longer_loads_keeps_its_chunks(keyword_index):
    before = _snapshot(keyword_index.collection)
    shutil.copy(FIXTURES / "latin1.md", keyword_index.corpus / "overview.md")
    report = _ingest(keyword_index)
    assert (report.added, report.updated, report.unchanged, report.removed) == (0, 0, 9, 0)
    assert len(report.problems) == 1 and "overview.md" in report.problems[0]
    assert _snapshot(keyword_index.collection) == before


def test_reset_rebuilds_the_index_from_scratch(keyword_index):
    spy = CountingEmbeddings(keyword_index.embeddings)
    report = _ingest(keyword_index, paths=[FIXTURES / "guide.md"], embeddings=spy, reset=True)
    assert (report.added, report.updated, report.unchanged, report.removed) == (1, 0, 0, 0)
    col = get_collection(keyword_index.client, keyword_index.settings, keyword_index.embeddings, create=False)
    assert set(_snapshot(col)) == {c.id for c in _expected_chunks(FIXTURES / "guide.md")}
    assert spy.texts == col.count() == 2

    again = CountingEmbeddings(keyword_index.embeddings)
    report = _ingest(keyword_index, embeddings=again, reset=True)
    assert report.added == 10
    assert again.texts == report.chunks_total == len(_expected_chunks(keyword_index.corpus))


# --- the embedding model recorded in the index -------------------------------------------------


def test_query_with_another_embedding_model_is_refused(keyword_index):
    with pytest.raises(IndexMissing) as info:
        get_collection(keyword_index.client, keyword_index.settings, OtherModel(), create=False)
    message = str(info.value)
    assert "'keyword-fake'" in message and "'other-model'" in message
    assert "ingest --reset" in message
    assert "\n" not in message


def test_ingest_with_another_model_needs_reset(keyword_index):
    before = _snapshot(keyword_index.collection)
    with pytest.raises(IndexMissing, match="other-model"):
        _ingest(keyword_index, embeddings=OtherModel())
    assert _snapshot(keyword_index.collection) == before

    report = _ingest(keyword_index, embeddings=OtherModel(), reset=True)
    assert report.added == 10
    col = get_collection(keyword_index.client, keyword_index.settings, OtherModel(), create=False)
    assert col.metadata["embedding_model"] == "other-model"


def test_query_before_any_ingest_says_how_to_build_the_index(settings):
    client = make_chroma_client(settings)
    with pytest.raises(IndexMissing, match="career-assistant ingest") as info:
        get_collection(client, settings, KeywordEmbeddings(), create=False)
    assert str(settings.chroma_path) in str(info.value)


# --- bad input never costs the existing index anything -----------------------------------------


@pytest.mark.parametrize("reset", [False, True])
def test_empty_folder_is_bad_input_and_leaves_the_index_untouched(keyword_index, tmp_path, reset):
    before = _snapshot(keyword_index.collection)
    empty = tmp_path / "empty"
    empty.mkdir()
    with pytest.raises(BadInput, match="nothing to ingest") as info:
        _ingest(keyword_index, paths=[empty], reset=reset)
    assert str(empty) in str(info.value)
    col = get_collection(keyword_index.client, keyword_index.settings, keyword_index.embeddings, create=False)
    assert _snapshot(col) == before


@pytest.mark.parametrize("reset", [False, True])
def test_folder_of_only_bad_files_is_bad_input_and_leaves_the_index_untouched(keyword_index, tmp_path, reset):
    before = _snapshot(keyword_index.collection)
    bad = tmp_path / "bad"
    bad.mkdir()
    for name in ["latin1.md", "binary.md", "empty.md", "cv.docx"]:
        shutil.copy(FIXTURES / name, bad / name)
    with pytest.raises(BadInput) as info:
        _ingest(keyword_index, paths=[bad], reset=reset)
    message = str(info.value)
    assert all(name in message for name in ["latin1.md", "binary.md", "empty.md", "cv.docx"])
    col = get_collection(keyword_index.client, keyword_index.settings, keyword_index.embeddings, create=False)
    assert _snapshot(col) == before


def test_missing_path_is_bad_input(keyword_index, tmp_path):
    with pytest.raises(BadInput, match="no such file or folder"):
        _ingest(keyword_index, paths=[tmp_path / "nowhere"])
    assert keyword_index.collection.count() == keyword_index.report.chunks_total


# --- a damaged Chroma folder, through the CLI --------------------------------------------------


def _one_line_error(run) -> str:
    assert run.returncode != 0
    assert "Traceback" not in run.stderr
    lines = run.stderr.strip().splitlines()
    assert len(lines) == 1, run.stderr
    assert lines[0].startswith("error: ")
    return lines[0]


def test_corrupted_chroma_database_gives_one_line_error(run_cli, settings, project_corpus):
    assert run_cli("ingest", "--quiet", project_corpus).returncode == 0
    database = settings.chroma_path / "chroma.sqlite3"
    garbage = b"this is not a database " * 500
    database.write_bytes(garbage)

    line = _one_line_error(run_cli("ingest", "--quiet", project_corpus))
    assert str(settings.chroma_path) in line
    assert database.read_bytes() == garbage   # the failed run destroyed nothing further


def test_reset_recovers_from_a_corrupted_chroma_database(run_cli, settings, project_corpus):
    assert run_cli("ingest", "--quiet", project_corpus).returncode == 0
    (settings.chroma_path / "chroma.sqlite3").write_bytes(b"this is not a database " * 500)
    run = run_cli("ingest", "--quiet", "--reset", project_corpus)
    assert run.returncode == 0, run.stderr
    assert "added 10, updated 0, unchanged 0, removed 0" in run.stdout


def test_corrupted_vector_segment_gives_one_line_error(run_cli, settings, tmp_path):
    # Chroma writes its HNSW files once a collection passes ~1000 vectors.
    guides = tmp_path / "guides"
    guides.mkdir()
    for f in range(4):
        sections = "".join(f"## Section {i}\n\nA data scientist note {i} in guide {f}.\n\n"
                           for i in range(300))
        (guides / f"guide-{f}.md").write_text(f"# Guide {f}\n\n{sections}", encoding="utf-8")
    first = run_cli("ingest", "--quiet", guides)
    assert first.returncode == 0, first.stderr
    segments = list(settings.chroma_path.glob("*/data_level0.bin"))
    assert segments and segments[0].stat().st_size > 0
    for path in segments[0].parent.glob("*.bin"):
        path.write_bytes(os.urandom(100))

    line = _one_line_error(run_cli("ingest", "--quiet", guides))
    assert "ingest --reset" in line


# --- integration: the real model over the whole library ----------------------------------------


@dataclass
class LibraryIndex:
    settings: Any
    client: Any
    embeddings: CountingEmbeddings
    report: Any
    files: list[Path]


@pytest.fixture(scope="session")
def library_index(tmp_path_factory, real_embeddings, shared_corpus) -> LibraryIndex:
    """corpus/ and the whole shared library, embedded once with the real model (a few minutes)."""
    data = tmp_path_factory.mktemp("library-index")
    # Session scope runs before the autouse env fixture: pin every setting used here.
    s = load_settings(_env_file=None, data_dir=data, chroma_dir=data / "chroma", chroma_host=None,
                      collection="career_guide", corpus_dir=REPO / "corpus")
    paths = [REPO / "corpus", shared_corpus]
    spy = CountingEmbeddings(real_embeddings)
    client = make_chroma_client(s)
    report = ingest_paths(paths, client=client, settings=s, embeddings=spy, progress=False)
    files, _, _ = find_files(paths)
    return LibraryIndex(s, client, spy, report, files)


def _library_collection(index: LibraryIndex):
    return get_collection(index.client, index.settings, index.embeddings, create=False)


@pytest.mark.integration
def test_library_ingest_indexes_every_file_without_problems(library_index):
    report = library_index.report
    assert report.problems == []
    assert report.added == len(library_index.files) >= 240
    assert report.chunks_total == report.chunks_embedded == library_index.embeddings.texts
    got = _library_collection(library_index).get(include=["metadatas"])
    assert len(set(got["ids"])) == len(got["ids"]) == report.chunks_total
    assert {m["path"] for m in got["metadatas"]} == {path_key(p) for p in library_index.files}


@pytest.mark.integration
def test_library_index_holds_the_published_data_scientist_salary_chunk(library_index, shared_corpus):
    guide = shared_corpus / "blog" / "en" / "ai-career-paths.mdx"
    got = _library_collection(library_index).get(
        where={"$and": [{"path": path_key(guide)}, {"citation": "Data Scientist / Salary range"}]},
        include=["documents"])
    assert len(got["documents"]) == 1
    assert "£50,000 – £100,000" in got["documents"][0]
    assert "$100,000 – $200,000" in got["documents"][0]


@pytest.mark.integration
def test_dense_query_finds_the_data_scientist_salary_in_the_top_3(library_index, real_embeddings):
    vector = real_embeddings.embed_query("How much does a data scientist earn in the UK?")
    hits = _library_collection(library_index).query(query_embeddings=[vector], n_results=3,
                                                     include=["metadatas"])
    citations = [m["citation"] for m in hits["metadatas"][0]]
    assert "Data Scientist / Salary range" in citations, citations


@pytest.mark.integration
def test_unchanged_library_reingest_embeds_nothing_and_is_fast(library_index, shared_corpus):
    spy = CountingEmbeddings(library_index.embeddings.inner)
    report = ingest_paths([REPO / "corpus", shared_corpus], client=library_index.client,
                          settings=library_index.settings, embeddings=spy, progress=False)
    assert report.unchanged == library_index.report.added
    assert (report.added, report.updated, report.removed) == (0, 0, 0)
    assert spy.calls == 0
    assert report.chunks_total == library_index.report.chunks_total
    first = library_index.report.seconds
    assert report.seconds < 0.05 * first, (report.seconds, first)
