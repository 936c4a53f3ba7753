"""Tests for evals/bench.py: a quick run on a tiny library with the fake backends."""

from __future__ import annotations

import argparse
import json
import math
from pathlib import Path

import pytest

from core.errors import BadInput
from core.settings import Settings, load_settings
from evals import bench

FIXTURES = Path(__file__).resolve().parent / "fixtures"


@pytest.fixture
def library(tmp_path: Path) -> Path:
    folder = tmp_path / "library"
    folder.mkdir()
    for name in ("career-paths.mdx", "guide.md", "notes.txt"):
        (folder / name).write_bytes((FIXTURES / name).read_bytes())
    return folder


def test_quick_bench_writes_json_and_markdown_with_sane_ratios(
    tmp_path: Path, settings: Settings, library: Path
) -> None:
    args = argparse.Namespace(out=tmp_path / "bench", quick=True, library=library, thresholds=None)
    assert bench.run_bench_command(args, settings) == 0  # fake backends: nothing is checked

    data = json.loads((tmp_path / "bench" / "bench.json").read_text(encoding="utf-8"))
    assert set(data["ratios"]) == set(bench.RATIO_KEYS)
    for key in ("ingest", "reingest", "retrieval", "llm", "startup", "checks", "environment"):
        assert key in data, key

    ingest = data["ingest"]
    assert ingest["files"] == 3 + len(list(Path(settings.corpus_dir).glob("*.md")))
    assert ingest["chunks"] > 50 and ingest["ingest_s"] > 0 and ingest["encode_s"] > 0
    assert ingest["overhead"] == pytest.approx(ingest["ingest_s"] / ingest["encode_s"], rel=1e-3)
    assert 0 < ingest["ingest_embed_s"] + ingest["ingest_write_s"] <= ingest["ingest_s"]

    reingest = data["reingest"]
    assert reingest["chunks_embedded"] == 0  # unchanged input embeds nothing
    assert 0 < reingest["fraction_of_first_ingest"] < 1

    retrieval = data["retrieval"]
    assert retrieval["chunks"] == ingest["chunks"] and retrieval["queries"] == 30
    assert 0 < retrieval["search_p50_ms"] <= retrieval["search_p95_ms"]

    llm = data["llm"]
    assert len(llm["pairs"]) == 2 and [p["first"] for p in llm["pairs"]] == ["chain", "bare"]
    assert all(p["chain_tokens"] > 1 and p["bare_tokens"] > 1 for p in llm["pairs"])
    assert llm["ttft_overhead"] > 0 and math.isfinite(llm["ttft_overhead"])
    assert llm["chain_ttft_p50_s"] >= llm["chain_llm_ttft_p50_s"] > 0

    startup = data["startup"]
    assert "error" not in startup, startup
    assert startup["wall_s"] >= startup["in_process_total_s"] > 0
    assert startup["first_answer_mode"] == "llm"
    assert 50 < startup["peak_rss_mb"] < 8000

    assert [c["metric"] for c in data["checks"]] == list(bench.RATIO_KEYS)
    user = data["user_view"]
    assert set(user["sets"]) == {"gold", "dev"} and all(s["items"] == 4 for s in user["sets"].values())
    assert all(r["ours_ttft_s"] is not None and r["naive_ttft_s"] is not None for s in user["sets"].values() for r in s["rows"])
    assert not any(c["checked"] for c in data["checks"])  # fake backends prove nothing about speed

    md = (tmp_path / "bench" / "bench.md").read_text(encoding="utf-8")
    for heading in (
        "## Ingest vs raw encode",
        "## Unchanged re-ingest",
        "## Retrieval latency",
        "## Chain vs bare model",
        "## Start-up and memory",
        "## First token as a user sees it",
    ):
        assert heading in md


def test_bench_checks_ratios_on_the_real_backends(settings: Settings) -> None:
    real = load_settings(embedding_backend="local", llm_backend="local")
    ratios = {
        "ingest_overhead": 1.3,
        "reingest_fraction": 0.01,
        "ttft_overhead": 1.05,
        "retrieval_p50_ms": 30.0,
        "user_ttft_ratio": 0.3,
        "user_latency_p50_s": 2.0,
        "cards_ttft_p50_s": 0.5,
        "app_peak_rss_mb": 2500.0,
    }
    checks = {c["metric"]: c for c in bench._checks(ratios, real, None)}
    assert all(c["checked"] for c in checks.values()) and set(checks) == set(bench.RATIO_KEYS)
    assert {m for m, c in checks.items() if not c["passed"]} == {"ingest_overhead", "retrieval_p50_ms",
                                                                   "user_ttft_ratio"}
    fake = {c["metric"]: c for c in bench._checks(ratios, settings, None)}
    assert not any(c["checked"] for c in fake.values())
    assert fake["ttft_overhead"]["why"] == "fake backend, not llama.cpp"


def test_bench_refuses_a_missing_library(tmp_path: Path, settings: Settings) -> None:
    args = argparse.Namespace(
        out=tmp_path / "bench", quick=True, library=tmp_path / "nowhere", thresholds=None
    )
    with pytest.raises(BadInput, match="is missing"):
        bench.run_bench_command(args, settings)
