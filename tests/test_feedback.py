"""Feedback store: SQLite in WAL mode, safe for concurrent writers, exported as eval items."""

from __future__ import annotations

import json
import sqlite3
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import pytest

from assistant.feedback import FeedbackStore
from core.errors import BadInput

SOURCES = [
    {"id": 1, "source": "corpus/machine-learning-engineer.md",
     "section": "Machine Learning Engineer / Salary range", "text": "- UK: £60,000 – £130,000"},
    {"id": 2, "source": "corpus/data-scientist.md", "section": "Data Scientist / Salary range",
     "text": "- UK: £50,000 – £100,000"},
]
HISTORY = [{"role": "user", "content": "What does an ML engineer earn in the UK?"},
           {"role": "assistant", "content": "£60,000 – £130,000 [1]"}]
EVAL_KEYS = {"id", "question", "kind", "expected_facts", "history", "expected_sources", "feedback"}


def test_add_stores_question_answer_sources_rating_comment_and_history(tmp_path: Path) -> None:
    store = FeedbackStore(tmp_path / "fb.sqlite3")

    first = store.add("And in the US?", "$120,000 – $250,000+ [1]", SOURCES, -1, "wrong region", HISTORY)
    second = store.add("Skills?", "Python [2]", SOURCES, 1)

    assert second > first > 0
    row = store.get(first)
    assert row is not None
    assert (row["question"], row["answer"], row["rating"], row["comment"]) == (
        "And in the US?", "$120,000 – $250,000+ [1]", -1, "wrong region")
    assert row["sources"] == SOURCES
    assert row["history"] == HISTORY
    assert [r["id"] for r in store.all()] == [first, second]


def test_the_database_is_in_wal_mode(tmp_path: Path) -> None:
    path = tmp_path / "fb.sqlite3"
    FeedbackStore(path).add("q", "a", [], 1)

    with sqlite3.connect(path) as db:
        assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


@pytest.mark.parametrize("rating", [0, 2, -2, True, "1", None])
def test_a_rating_must_be_plus_or_minus_one(tmp_path: Path, rating: object) -> None:
    store = FeedbackStore(tmp_path / "fb.sqlite3")
    with pytest.raises(BadInput, match="rating"):
        store.add("q", "a", [], rating)  # type: ignore[arg-type]
    assert store.all() == []


def test_update_changes_rating_and_comment_and_remove_forgets(tmp_path: Path) -> None:
    store = FeedbackStore(tmp_path / "fb.sqlite3")
    fid = store.add("q", "a [1]", SOURCES, 1)

    store.update(fid, rating=-1)
    store.update(fid, comment="  the figure is for the UK  ")
    row = store.get(fid)
    assert row is not None and (row["rating"], row["comment"]) == (-1, "the figure is for the UK")

    store.remove(fid)
    assert store.get(fid) is None
    with pytest.raises(BadInput):
        store.update(fid, comment="gone")


def test_export_gives_thumbs_down_as_eval_dataset_lines(tmp_path: Path) -> None:
    store = FeedbackStore(tmp_path / "fb.sqlite3")
    bad = store.add("And in the US?", "The guide gives $100,000 – $200,000 [2].", SOURCES, -1,
                    "that is DS pay", HISTORY, mode="llm")
    store.add("Skills?", "Python [1]", SOURCES, 1)

    items = store.export_eval_items()

    assert len(items) == 1
    item = items[0]
    assert set(item) == EVAL_KEYS
    assert item["id"] == f"feedback-{bad}"
    assert item["question"] == "And in the US?"
    assert item["kind"] == "answerable"
    assert item["expected_facts"] == []
    assert item["history"] == HISTORY
    # The sections the answer cited, for the maintainer to correct.
    assert item["expected_sources"] == ["Data Scientist / Salary range"]
    assert item["feedback"]["rating"] == -1
    assert item["feedback"]["comment"] == "that is DS pay"
    assert item["feedback"]["answer"].startswith("The guide gives")
    assert item["feedback"]["sources"] == SOURCES
    json.dumps(items)  # one JSON line each


def test_export_with_positive_includes_thumbs_up(tmp_path: Path) -> None:
    store = FeedbackStore(tmp_path / "fb.sqlite3")
    store.add("a", "x", [], -1)
    store.add("b", "y", SOURCES, 1)

    items = store.export_eval_items(include_positive=True)

    assert [i["question"] for i in items] == ["a", "b"]
    assert items[1]["expected_sources"] == [s["section"] for s in SOURCES]  # no [n]: every source


def test_export_without_a_database_is_empty_and_creates_nothing(tmp_path: Path) -> None:
    path = tmp_path / "none" / "fb.sqlite3"
    assert FeedbackStore(path).export_eval_items() == []
    assert not path.exists()


def _write_many(args: tuple[str, int, int]) -> list[int]:
    path, worker, count = args
    store = FeedbackStore(path)
    return [store.add(f"q{worker}-{n}", "a", SOURCES, 1 if n % 2 else -1, history=HISTORY)
            for n in range(count)]


def test_concurrent_writers_in_several_processes_lose_nothing(tmp_path: Path) -> None:
    path = str(tmp_path / "fb.sqlite3")
    FeedbackStore(path).add("first", "a", [], 1)  # the schema exists before the race

    with ProcessPoolExecutor(max_workers=4) as pool:
        ids = [i for batch in pool.map(_write_many, [(path, w, 40) for w in range(4)]) for i in batch]

    assert len(ids) == len(set(ids)) == 160
    rows = FeedbackStore(path).all()
    assert len(rows) == 161
    assert {r["question"] for r in rows} >= {f"q{w}-{n}" for w in range(4) for n in range(40)}


def test_feedback_cli_exports_jsonl(run_cli, settings, tmp_path: Path) -> None:
    store = FeedbackStore(settings.feedback_db)
    store.add("What do MLOps engineers earn?", "A lot [1]", SOURCES, -1, "no figure", [])
    store.add("Fine answer", "ok [1]", SOURCES, 1)

    out = tmp_path / "feedback.jsonl"
    run = run_cli("feedback", "--out", out)
    assert run.returncode == 0, run.stderr
    lines = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert [item["question"] for item in lines] == ["What do MLOps engineers earn?"]
    assert set(lines[0]) == EVAL_KEYS

    run = run_cli("feedback", "--all")
    assert run.returncode == 0, run.stderr
    assert len(run.stdout.splitlines()) == 2
