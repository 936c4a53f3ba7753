"""Thumbs up/down on answers, kept in SQLite, exported as eval dataset items."""

from __future__ import annotations

import json
import logging
import re
import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

from core.errors import BadInput

logger = logging.getLogger(__name__)

MAX_COMMENT_CHARS = 4000
BUSY_TIMEOUT_MS = 10_000
SCHEMA = """
CREATE TABLE IF NOT EXISTS feedback (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    created_at  TEXT    NOT NULL,
    updated_at  TEXT    NOT NULL,
    question    TEXT    NOT NULL,
    answer      TEXT    NOT NULL,
    sources     TEXT    NOT NULL,  -- JSON: [{"id", "source", "section", "text"}]
    history     TEXT    NOT NULL,  -- JSON: [{"role", "content"}] before the question
    rating      INTEGER NOT NULL CHECK (rating IN (-1, 1)),
    comment     TEXT    NOT NULL DEFAULT '',
    mode        TEXT    NOT NULL DEFAULT ''
);
CREATE INDEX IF NOT EXISTS feedback_rating ON feedback (rating);
"""
_CITATION = re.compile(r"\[(\d{1,3})\]")


class FeedbackStore:
    """A SQLite file of ratings. WAL mode and a busy timeout make concurrent writers
    (several UI workers, or the UI and the `feedback` export) safe; each call opens its
    own connection, so one store can be shared by threads."""

    def __init__(self, db_path: Path | str) -> None:
        self.db_path = Path(db_path)
        self._ready = False
        self._init_lock = threading.Lock()

    def add(self, question: str, answer: str, sources: list[dict], rating: int, comment: str = "",
            history: list[dict] | None = None, mode: str = "") -> int:
        """Store one rating of one answer; returns its id."""
        rating = _rating(rating)
        now = _now()
        with self._connect() as db:
            cur = db.execute(
                "INSERT INTO feedback (created_at, updated_at, question, answer, sources, history, rating,"
                " comment, mode) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (now, now, str(question), str(answer),
                 json.dumps(_clean_sources(sources), ensure_ascii=False),
                 json.dumps(_clean_history(history or []), ensure_ascii=False),
                 rating, _comment(comment), str(mode)),
            )
            return int(cur.lastrowid or 0)

    def update(self, feedback_id: int, *, rating: int | None = None, comment: str | None = None) -> None:
        """Change the rating (the person clicked the other thumb) or add a comment."""
        sets, values = [], []
        if rating is not None:
            sets.append("rating = ?")
            values.append(_rating(rating))
        if comment is not None:
            sets.append("comment = ?")
            values.append(_comment(comment))
        if not sets:
            return
        with self._connect() as db:
            cur = db.execute(f"UPDATE feedback SET {', '.join(sets)}, updated_at = ? WHERE id = ?",
                             (*values, _now(), int(feedback_id)))
            if cur.rowcount == 0:
                raise BadInput(f"no feedback with id {feedback_id}")

    def remove(self, feedback_id: int) -> None:
        """Forget a rating (the person clicked the same thumb again to undo it)."""
        with self._connect() as db:
            db.execute("DELETE FROM feedback WHERE id = ?", (int(feedback_id),))

    def get(self, feedback_id: int) -> dict | None:
        with self._connect() as db:
            row = db.execute("SELECT * FROM feedback WHERE id = ?", (int(feedback_id),)).fetchone()
        return _row(row) if row else None

    def all(self) -> list[dict]:
        """Every stored rating, oldest first."""
        with self._connect() as db:
            return [_row(r) for r in db.execute("SELECT * FROM feedback ORDER BY id")]

    def export_eval_items(self, include_positive: bool = False) -> list[dict]:
        """Thumbs-down answers (all answers with `include_positive`) as eval dataset lines.

        `expected_facts` is left empty and `expected_sources` holds the sections the answer
        cited: the maintainer fills in the facts and corrects the sources, then moves the
        line into a dataset.
        """
        if not self.db_path.exists():
            return []
        where = "" if include_positive else "WHERE rating < 0"
        with self._connect() as db:
            rows = [_row(r) for r in db.execute(f"SELECT * FROM feedback {where} ORDER BY id")]
        return [_eval_item(r) for r in rows]

    # ------------------------------------------------------------------ internals

    @contextmanager
    def _connect(self) -> Iterator[sqlite3.Connection]:
        self._ensure_schema()
        db = self._open()
        try:
            with db:  # commit, or roll back on error
                yield db
        finally:
            db.close()

    def _open(self) -> sqlite3.Connection:
        db = sqlite3.connect(self.db_path, timeout=BUSY_TIMEOUT_MS / 1000, check_same_thread=False)
        db.row_factory = sqlite3.Row
        db.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        return db

    def _ensure_schema(self) -> None:
        if self._ready:
            return
        with self._init_lock:
            if self._ready:
                return
            self.db_path.parent.mkdir(parents=True, exist_ok=True)
            db = self._open()
            try:
                # WAL lets readers and one writer work at once; the mode is stored in the file.
                mode = db.execute("PRAGMA journal_mode = WAL").fetchone()[0]
                if str(mode).lower() != "wal":
                    logger.warning("feedback database %s is in %s mode, not WAL", self.db_path, mode)
                db.execute("PRAGMA synchronous = NORMAL")
                db.executescript(SCHEMA)
                db.commit()
            finally:
                db.close()
            self._ready = True


def _eval_item(row: dict) -> dict:
    cited = {int(n) for n in _CITATION.findall(row["answer"])}
    chosen = [s for s in row["sources"] if s.get("id") in cited] or row["sources"]
    sections: list[str] = []
    for s in chosen:
        section = str(s.get("section", ""))
        if section and section not in sections:
            sections.append(section)
    return {
        "id": f"feedback-{row['id']}",
        "question": row["question"],
        "kind": "answerable",
        "expected_facts": [],
        "history": row["history"],
        "expected_sources": sections,
        "feedback": {
            "rating": row["rating"],
            "comment": row["comment"],
            "answer": row["answer"],
            "mode": row["mode"],
            "sources": row["sources"],
            "created_at": row["created_at"],
        },
    }


def _row(row: sqlite3.Row) -> dict:
    data = dict(row)
    data["sources"] = json.loads(data["sources"] or "[]")
    data["history"] = json.loads(data["history"] or "[]")
    return data


def _rating(value: object) -> int:
    if isinstance(value, bool) or value not in (1, -1):
        raise BadInput(f"a rating is +1 (thumbs up) or -1 (thumbs down), not {value!r}")
    return int(value)  # type: ignore[call-overload]


def _comment(value: object) -> str:
    text = "" if value is None else str(value).strip()
    return text[:MAX_COMMENT_CHARS]


def _clean_sources(sources: list[dict]) -> list[dict]:
    return [{"id": s.get("id"), "source": str(s.get("source", "")), "section": str(s.get("section", "")),
             "text": str(s.get("text", ""))} for s in sources or []]


def _clean_history(history: list[dict]) -> list[dict]:
    return [{"role": str(m.get("role", "")), "content": str(m.get("content", ""))}
            for m in history if m.get("role") in ("user", "assistant")]


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")
