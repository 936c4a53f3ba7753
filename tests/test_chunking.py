"""Tests for ingest/chunking.py: one chunk per section, with the metadata evals and citations use."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml
from langchain_core.documents import Document

from ingest.chunking import MAX_CHARS, chunk_body, chunk_documents
from ingest.loaders import load_file, load_paths

FIXTURES = Path(__file__).resolve().parent / "fixtures"
ROLES = [
    "Machine Learning Engineer",
    "Data Scientist",
    "AI/ML Research Scientist",
    "MLOps / AI Infrastructure Engineer",
    "AI Product Manager",
    "Prompt Engineer / AI Solutions Specialist",
    "AI Safety & Ethics Researcher",
]
CORE_SECTIONS = ["Summary", "Day-to-day tasks", "Skills", "Salary range"]


def _outline(path: Path) -> tuple[str, str, list[str]]:
    """(title, front-matter role, `##` headings) read straight from the file, not via ingest."""
    text = path.read_text(encoding="utf-8")
    front = yaml.safe_load(text.split("---")[1]) if text.startswith("---") else {}
    title = re.search(r"^# (.+)$", text, re.M).group(1).strip()
    return title, str(front.get("role") or ""), re.findall(r"^## (.+?)\s*$", text, re.M)


@pytest.fixture(scope="module")
def corpus_chunks() -> list[Document]:
    corpus = Path(__file__).resolve().parents[1] / "corpus"
    return chunk_documents(load_paths([corpus]).documents)


@pytest.fixture(scope="module")
def guide_chunks(shared_corpus) -> list[Document]:
    guide = shared_corpus / "blog" / "en" / "ai-career-paths.mdx"
    if not guide.is_file():
        pytest.skip(f"published guide not found at {guide}")
    return chunk_documents(load_file(guide))


def test_every_corpus_file_gives_one_chunk_per_h2_section(project_corpus, corpus_chunks):
    files = sorted(project_corpus.glob("*.md"))
    assert len(files) == 10
    for path in files:
        title, role, headings = _outline(path)
        chunks = [c for c in corpus_chunks if Path(c.metadata["path"]).name == path.name]
        assert [c.metadata["section"] for c in chunks] == headings, path.name
        for chunk, heading in zip(chunks, headings, strict=True):
            meta = chunk.metadata
            assert meta["role"] == role
            assert meta["title"] == title
            assert meta["heading_path"] == f"{title} > {heading}"
            assert meta["citation"] == f"{title} / {heading}"


def test_heading_path_is_prefixed_to_the_chunk_text(corpus_chunks):
    for chunk in corpus_chunks:
        heading_path = chunk.metadata["heading_path"]
        assert chunk.page_content.startswith(heading_path + "\n")
        assert chunk_body(chunk) == chunk.page_content[len(heading_path) + 1:]
        assert not chunk_body(chunk).startswith(heading_path)


def test_h3_stays_inside_its_h2_chunk(corpus_chunks):
    tasks = [c for c in corpus_chunks
             if c.metadata["citation"] == "AI Safety & Ethics Researcher / Day-to-day tasks"]
    assert len(tasks) == 1
    assert "### Technical track" in tasks[0].page_content
    assert "### Policy and ethics track" in tasks[0].page_content


def test_corpus_salary_chunk_holds_all_its_figures(corpus_chunks):
    (salary,) = [c for c in corpus_chunks if c.metadata["citation"] == "Data Scientist / Salary range"]
    assert salary.page_content.startswith("Data Scientist > Salary range\n")
    assert "£50,000 – £100,000" in salary.page_content
    assert "$100,000 – $200,000" in salary.page_content


def test_chunk_ids_are_unique_and_stable_across_runs(project_corpus, corpus_chunks):
    again = chunk_documents(load_paths([project_corpus]).documents)
    assert [c.id for c in again] == [c.id for c in corpus_chunks]
    assert len({c.id for c in corpus_chunks}) == len(corpus_chunks)
    assert all(c.id == c.metadata["chunk_id"] for c in corpus_chunks)


def test_changing_one_section_changes_only_its_chunk_id(project_corpus):
    (doc,) = load_file(project_corpus / "data-scientist.md")
    before = chunk_documents([doc])
    edited = Document(
        page_content=doc.page_content.replace("- UK: £50,000 – £100,000", "- UK: £55,000 – £100,000"),
        metadata=dict(doc.metadata),
    )
    after = chunk_documents([edited])
    changed = [(b.metadata["section"], b.id != a.id) for b, a in zip(before, after, strict=True)]
    assert [section for section, differs in changed if differs] == ["Salary range"]


def test_same_text_in_another_file_gets_another_id(tmp_path):
    text = (FIXTURES / "guide.md").read_text(encoding="utf-8")
    (tmp_path / "a.md").write_text(text, encoding="utf-8")
    (tmp_path / "b.md").write_text(text, encoding="utf-8")
    chunks = chunk_documents(load_paths([tmp_path]).documents)
    assert len(chunks) == 4
    assert len({c.id for c in chunks}) == 4


def test_a_long_section_is_split_into_numbered_parts():
    paragraphs = [f"Paragraph {i}: " + "A Data Scientist analyses data for the business. " * 6
                  for i in range(12)]
    doc = Document(page_content="# Long guide\n\n## Skills\n\n" + "\n\n".join(paragraphs),
                   metadata={"path": "/virtual/long.md", "source": "long.md", "title": "Long guide"})
    chunks = chunk_documents([doc])
    sections = [c.metadata["section"] for c in chunks]
    assert len(chunks) > 2
    assert sections == ["Skills"] + [f"Skills (part {n})" for n in range(2, len(chunks) + 1)]
    assert [c.metadata["citation"] for c in chunks] == [f"Long guide / {s}" for s in sections]
    for chunk in chunks:
        assert len(chunk_body(chunk)) <= MAX_CHARS
        assert chunk.page_content.startswith(f"Long guide > {chunk.metadata['section']}\n")
    joined = "\n".join(chunk_body(c) for c in chunks)
    assert all(p.strip() in joined for p in paragraphs)   # nothing lost at the cuts


def test_a_long_section_with_h3_is_split_at_the_h3_headings():
    body = "\n\n".join(f"### Track {t}\n\n" + "- An AI Safety task for this track.\n" * 25 for t in "AB")
    doc = Document(page_content=f"# Safety\n\n## Day-to-day tasks\n\n{body}",
                   metadata={"path": "/virtual/safety.md", "source": "safety.md", "title": "Safety"})
    sections = [c.metadata["section"] for c in chunk_documents([doc])]
    assert sections == ["Day-to-day tasks: Track A", "Day-to-day tasks: Track B"]


def test_fixture_markdown_sections_become_chunks():
    chunks = chunk_documents(load_file(FIXTURES / "guide.md"))
    assert [c.metadata["citation"] for c in chunks] == [
        "Tiny career guide / Data Scientist", "Tiny career guide / Prompt Engineer"]
    assert chunks[0].metadata["tags"] == "careers, testing"   # front matter reaches the chunks


def test_published_style_mdx_gives_role_and_section_from_bold_labels():
    chunks = chunk_documents(load_file(FIXTURES / "career-paths.mdx"))
    by_citation = {c.metadata["citation"]: c for c in chunks}
    assert {
        "Data Scientist / Summary", "Data Scientist / Day-to-day tasks", "Data Scientist / Skills",
        "Data Scientist / Salary range", "Prompt Engineer / AI Solutions Specialist / Summary",
        "Prompt Engineer / AI Solutions Specialist / Salary range",
    } <= set(by_citation)
    salary = by_citation["Data Scientist / Salary range"]
    assert salary.metadata["role"] == "Data Scientist"
    assert salary.metadata["heading_path"] == "Mini AI Career Paths > Data Scientist > Salary range"
    assert "- UK: £50,000 – £100,000" in salary.page_content
    assert "- US: $100,000 – $200,000" in salary.page_content
    assert "Prompt Engineer" not in salary.page_content   # one role's figures per chunk


def test_published_guide_data_scientist_salary_chunk_has_uk_and_us_figures(guide_chunks):
    salary = [c for c in guide_chunks if c.metadata["citation"] == "Data Scientist / Salary range"]
    assert len(salary) == 1
    text = salary[0].page_content
    assert "£50,000 – £100,000" in text
    assert "$100,000 – $200,000" in text
    assert salary[0].metadata["role"] == "Data Scientist"
    assert "Machine Learning Engineer" not in text and "Research" not in text


def test_published_guide_has_core_sections_for_each_of_the_seven_roles(guide_chunks):
    assert sorted({c.metadata["role"] for c in guide_chunks} - {""}) == sorted(ROLES)
    for role in ROLES:
        sections = [c.metadata["section"] for c in guide_chunks if c.metadata["role"] == role]
        for wanted in CORE_SECTIONS:
            # AI Safety splits tasks and skills by track: "Skills (technical track)" counts.
            assert any(s == wanted or s.startswith(f"{wanted} (") for s in sections), (role, wanted, sections)


def test_published_guide_salary_chunks_hold_only_their_own_role(guide_chunks):
    salaries = {c.metadata["role"]: c.page_content for c in guide_chunks
                if c.metadata["section"] == "Salary range"}
    assert set(salaries) == set(ROLES)
    assert "£60,000 – £130,000" in salaries["Machine Learning Engineer"]
    title = "AI Career Paths in 2026: Which Role Is Right for You?"
    for role, text in salaries.items():
        assert text.startswith(f"{title} > {role} > Salary range\n")
        body = text.split("\n", 1)[1]
        assert "## " not in body and "**" not in body   # it stops at the next label
        assert len(re.findall(r"^- UK: ", body, re.M)) <= 1
