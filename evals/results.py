"""What one eval run is asked to do (EvalOptions) and what it measured (EvalReport)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from evals.dataset import DEFAULT_DATASET, QUIZ_DATASET
from evals.thresholds import THRESHOLDS, Check

CONFIGS = ("ours", "naive")


@dataclass
class EvalOptions:
    """What one `eval` invocation runs."""

    dataset: Path = DEFAULT_DATASET
    out: Path = Path("evals/out")
    configs: tuple[str, ...] = CONFIGS
    answers: bool = True
    retrieval: bool = True
    quiz: bool = True
    haystack: Path | None = None  # the library mixed into the haystack index; None = skip
    quiz_dataset: Path = QUIZ_DATASET
    limit: int | None = None
    thresholds: Path = THRESHOLDS
    progress: bool | None = None  # None: a progress bar on a terminal only


@dataclass
class EvalReport:
    """Everything one eval run measured."""

    options: EvalOptions
    started: str
    seconds: float = 0.0
    environment: dict[str, str] = field(default_factory=dict)
    answers: dict[str, dict[str, Any]] = field(default_factory=dict)  # config -> summary
    answer_rows: dict[str, list[dict]] = field(default_factory=dict)  # config -> rows
    retrieval: dict[str, dict[str, Any]] = field(default_factory=dict)  # index -> summary
    retrieval_rows: dict[str, list[dict]] = field(default_factory=dict)
    quiz: dict[str, Any] = field(default_factory=dict)
    quiz_rows: list[dict] = field(default_factory=list)
    versus_naive: dict[str, Any] = field(default_factory=dict)
    checks: list[Check] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def failures(self) -> list[Check]:
        return [c for c in self.checks if not c.passed]
