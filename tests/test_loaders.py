"""Tests for ingest/loaders.py: every format, its metadata, and one clear line per bad file."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from core.errors import BadInput
from ingest.loaders import load_file, load_paths, path_key

FIXTURES = Path(__file__).resolve().parent / "fixtures"
GOOD = ["guide.md", "career-paths.mdx", "notes.txt", "roles.html", "guide.pdf"]
# file -> words its one-line problem must contain
BAD = {
    "latin1.md": "not UTF-8",
    "binary.md": "binary",
    "empty.md": "empty",
    "cv.docx": "unsupported file type .docx",
}


def _one(path: Path):
    docs = load_file(path)
    assert len(docs) == 1
    return docs[0]


def _mixed_folder(tmp_path: Path) -> Path:
    folder = tmp_path / "mixed"
    folder.mkdir()
    for name in [*GOOD, *BAD]:
        shutil.copy(FIXTURES / name, folder / name)
    return folder


def test_markdown_keeps_front_matter_as_metadata():
    doc = _one(FIXTURES / "guide.md")
    assert doc.metadata["title"] == "Tiny career guide"
    assert doc.metadata["tags"] == "careers, testing"   # lists are flattened for Chroma
    assert doc.metadata["format"] == "md"
    assert doc.metadata["path"] == path_key(FIXTURES / "guide.md")
    assert not doc.page_content.startswith("---")
    assert "title:" not in doc.page_content
    assert "## Data Scientist" in doc.page_content
    assert "£50,000 – £100,000" in doc.page_content


def test_mdx_keeps_front_matter_and_drops_jsx():
    doc = _one(FIXTURES / "career-paths.mdx")
    meta = doc.metadata
    assert meta["title"] == "Mini AI Career Paths"
    assert meta["author"] == "Test Author"
    assert meta["tags"] == "ai-career, jobs"
    assert meta["published"] is True
    assert meta["format"] == "mdx"
    text = doc.page_content
    assert 'import Callout from "../components/Callout";' not in text
    assert "<Quiz" not in text
    assert "## 1. Data Scientist" in text
    assert "- US: $100,000 – $200,000" in text
    assert "decisions → action" in text


def test_mdx_keeps_import_lines_inside_code_blocks():
    text = _one(FIXTURES / "career-paths.mdx").page_content
    assert "import json" in text
    assert 'print(json.dumps({"role": "Prompt Engineer"}))' in text


def test_text_file_loads_with_title_from_file_name():
    doc = _one(FIXTURES / "notes.txt")
    assert doc.metadata["format"] == "txt"
    assert doc.metadata["title"] == "Notes"
    assert "Docker and Kubernetes" in doc.page_content


def test_html_becomes_markdown_without_scripts_or_styles():
    doc = _one(FIXTURES / "roles.html")
    text = doc.page_content
    assert doc.metadata["title"] == "AI roles at a glance"
    assert doc.metadata["format"] == "html"
    assert "HEAD_SCRIPT_TEXT" not in text
    assert "BODY_SCRIPT_TEXT" not in text
    assert "document.write" not in text
    assert "STYLE_TEXT" not in text
    assert "## MLOps Engineer" in text
    assert "Docker & Kubernetes" in text          # entities decoded
    assert "- Builds CI/CD pipelines" in text     # <li> -> bullet
    assert "<p>" not in text


def test_pdf_gives_one_document_per_page_with_text_and_page_number():
    docs = load_file(FIXTURES / "guide.pdf")
    assert [d.metadata["page"] for d in docs] == [1, 2]
    assert all(d.metadata["title"] == "Sample Career Guide" for d in docs)
    assert all(d.metadata["format"] == "pdf" for d in docs)
    assert "Salary range: UK 50,000 to 100,000 GBP." in docs[0].page_content
    assert "Machine Learning Engineer" in docs[1].page_content
    assert "Machine Learning Engineer" not in docs[0].page_content


@pytest.mark.parametrize("name, words", sorted(BAD.items()))
def test_bad_file_gives_one_line_naming_the_file(name, words):
    with pytest.raises(BadInput) as info:
        load_file(FIXTURES / name)
    message = str(info.value)
    assert "\n" not in message
    assert name in message
    assert words in message


def test_non_utf8_message_says_where_and_how_to_fix():
    with pytest.raises(BadInput, match=r"bad byte at offset \d+.*re-save it as UTF-8"):
        load_file(FIXTURES / "latin1.md")


def test_missing_file_gives_one_line(tmp_path):
    with pytest.raises(BadInput, match="cannot be read") as info:
        load_file(tmp_path / "nope.md")
    assert "nope.md" in str(info.value)
    assert "\n" not in str(info.value)


def test_unreadable_pdf_gives_one_line(tmp_path):
    bad = tmp_path / "broken.pdf"
    bad.write_bytes(b"%PDF-1.4\nthis is not really a PDF\n")
    with pytest.raises(BadInput) as info:
        load_file(bad)
    assert "broken.pdf" in str(info.value)
    assert "\n" not in str(info.value)


def test_pdf_with_damaged_info_dictionary_is_reported_not_fatal(tmp_path):
    data = (FIXTURES / "guide.pdf").read_bytes()
    assert b"/Info 8 0 R" in data
    (tmp_path / "damaged.pdf").write_bytes(data.replace(b"/Info 8 0 R", b"/Info [1 2]"))
    shutil.copy(FIXTURES / "guide.md", tmp_path / "guide.md")
    result = load_paths([tmp_path])
    assert path_key(tmp_path / "guide.md") in result.hashes
    assert any("damaged.pdf" in p for p in result.problems)


def test_folder_with_good_and_bad_files_loads_the_good_ones(tmp_path):
    folder = _mixed_folder(tmp_path)
    result = load_paths([folder])

    assert set(result.hashes) == {path_key(folder / name) for name in GOOD}
    loaded = {Path(d.metadata["path"]).name for d in result.documents}
    assert loaded == set(GOOD)
    assert len(result.problems) == len(BAD)
    for name, words in BAD.items():
        lines = [p for p in result.problems if name in p]
        assert len(lines) == 1, result.problems
        assert words in lines[0]
        assert "\n" not in lines[0]


def test_folder_without_supported_files_is_one_problem(tmp_path):
    (tmp_path / "only.docx").write_bytes(b"PK\x03\x04")
    result = load_paths([tmp_path])
    assert result.documents == []
    assert result.hashes == {}
    assert any("no supported files" in p and str(tmp_path) in p for p in result.problems)


def test_missing_path_is_one_problem_and_other_paths_still_load(tmp_path):
    result = load_paths([tmp_path / "missing", FIXTURES / "guide.md"])
    assert result.problems == [f"{tmp_path / 'missing'}: no such file or folder"]
    assert list(result.hashes) == [path_key(FIXTURES / "guide.md")]


def test_hidden_folders_and_readme_files_are_skipped(tmp_path):
    shutil.copy(FIXTURES / "guide.md", tmp_path / "guide.md")
    (tmp_path / ".git").mkdir()
    (tmp_path / ".git" / "notes.md").write_text("# Hidden\n\ntext\n", encoding="utf-8")
    (tmp_path / "README.md").write_text("# Readme\n\ntext\n", encoding="utf-8")
    result = load_paths([tmp_path])
    assert list(result.hashes) == [path_key(tmp_path / "guide.md")]
    assert result.problems == []


def test_same_bytes_give_the_same_hash_and_changed_bytes_another(tmp_path):
    target = tmp_path / "guide.md"
    shutil.copy(FIXTURES / "guide.md", target)
    first = load_paths([target]).hashes[path_key(target)]
    assert load_paths([target]).hashes[path_key(target)] == first
    target.write_text(target.read_text(encoding="utf-8") + "\nOne more line.\n", encoding="utf-8")
    assert load_paths([target]).hashes[path_key(target)] != first


def test_a_file_named_twice_is_loaded_once(tmp_path):
    shutil.copy(FIXTURES / "guide.md", tmp_path / "guide.md")
    result = load_paths([tmp_path, tmp_path / "guide.md"])
    assert len(result.documents) == 1

