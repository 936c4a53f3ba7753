"""Eval datasets: JSONL items (one question with its labels a line), loaded and checked."""

from __future__ import annotations

import json
from pathlib import Path

from core.errors import BadInput

EVALS_DIR = Path(__file__).resolve().parent
DEFAULT_DATASET = EVALS_DIR / "datasets" / "gold.jsonl"
QUIZ_DATASET = EVALS_DIR / "datasets" / "quiz.jsonl"


def load_dataset(path: Path, limit: int | None = None) -> list[dict]:
    """Dataset items from a JSONL file (blank lines skipped); BadInput names a bad line."""
    try:
        lines = Path(path).read_text(encoding="utf-8").splitlines()
    except FileNotFoundError:
        raise BadInput(f"--dataset {path}: no such file") from None
    items: list[dict] = []
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            item = json.loads(line)
        except json.JSONDecodeError as exc:
            raise BadInput(f"{path}:{number}: not valid JSON ({exc.msg})") from None
        if not isinstance(item, dict) or "id" not in item:
            raise BadInput(f"{path}:{number}: expected an object with an id")
        items.append(item)
        if limit and len(items) >= limit:
            break
    if not items:
        raise BadInput(f"{path}: no items")
    return items
