"""The targets in evals/thresholds.toml and the checks of measured metrics against them."""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from core.errors import BadInput
from evals.aggregate import format_value
from evals.dataset import EVALS_DIR

THRESHOLDS = EVALS_DIR / "thresholds.toml"


@dataclass
class Check:
    """One metric against its target."""

    section: str
    metric: str
    value: float | None
    rule: str
    passed: bool

    @property
    def name(self) -> str:
        return f"{self.section}.{self.metric}"

    def line(self) -> str:
        return f"{self.name} = {format_value(self.metric, self.value)} (target {self.rule})"


def load_thresholds(path: Path) -> dict[str, dict[str, dict[str, float]]]:
    """{section: {metric: {min|max|above|below: value}}} from the TOML file."""
    try:
        data = tomllib.loads(Path(path).read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise BadInput(f"thresholds file {path} not found") from None
    except tomllib.TOMLDecodeError as exc:
        raise BadInput(f"{path}: invalid TOML ({exc})") from None
    for section, table in data.items():
        for metric, rule in table.items():
            if not isinstance(rule, dict) or not set(rule) <= {"min", "max", "above", "below"} or not rule:
                raise BadInput(f"{path}: {section}.{metric} needs min, max, above or below")
    return data


def evaluate_checks(
    thresholds: Mapping[str, Mapping[str, Mapping[str, float]]], measured: Mapping[str, Mapping[str, Any]]
) -> list[Check]:
    """Each target whose metric was measured, as a Check; unmeasured metrics are skipped."""
    checks = []
    for section, rules in thresholds.items():
        values = measured.get(section)
        if values is None:
            continue
        for metric, rule in rules.items():
            value = values.get(metric)
            if value is None:
                continue
            checks.append(
                Check(section, metric, float(value), rule_text(rule), rule_passes(float(value), rule))
            )
    return checks


def rule_passes(value: float, rule: Mapping[str, float]) -> bool:
    eps = 1e-9
    return all(
        (
            "min" not in rule or value >= rule["min"] - eps,
            "max" not in rule or value <= rule["max"] + eps,
            "above" not in rule or value > rule["above"] + eps,
            "below" not in rule or value < rule["below"] - eps,
        )
    )


def rule_text(rule: Mapping[str, float]) -> str:
    symbols = {"min": ">=", "max": "<=", "above": ">", "below": "<"}
    return " and ".join(f"{symbols[k]} {v:g}" for k, v in rule.items())
