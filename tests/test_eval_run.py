"""Tests for evals/run.py and evals/naive.py: the runner, its report, thresholds, the naive baseline."""

from __future__ import annotations

import argparse
import json
import re
from pathlib import Path
from typing import Any

import pytest

from core.errors import BadInput
from core.settings import Settings, load_settings
from evals import run
from evals.naive import CHUNK_OVERLAP, CHUNK_SIZE, is_decline, load_naive_chunks, section_spans

REPO = Path(__file__).resolve().parents[1]
DATASETS = REPO / "evals" / "datasets"

TINY = [
    {
        "id": "sal-mle-uk",
        "question": "What's the salary range for a Machine Learning Engineer in the UK?",
        "kind": "answerable",
        "category": "salary",
        "expected_facts": [["60,000"], ["130,000"]],
        "history": [],
        "expected_sources": ["Machine Learning Engineer / Salary range"],
    },
    {
        "id": "skills-ds",
        "question": "What skills does a data scientist need? Python, SQL, statistics?",
        "kind": "answerable",
        "category": "skills",
        "expected_facts": [["SQL"]],
        "history": [],
        "expected_sources": ["Data Scientist / Skills"],
    },
    {
        "id": "fu-us",
        "question": "And in the US?",
        "kind": "answerable",
        "category": "followup",
        "expected_facts": [["120,000"]],
        "history": [
            {"role": "user", "content": "What does a Machine Learning Engineer earn in the UK?"},
            {"role": "assistant", "content": "£60,000 – £130,000 [1]"},
        ],
        "expected_sources": ["Machine Learning Engineer / Salary range"],
    },
    {
        "id": "oos-bread",
        "question": "Give me a bread recipe with flour and yeast.",
        "kind": "out_of_scope",
        "category": "out_of_scope",
        "expected_facts": [],
        "history": [],
        "expected_sources": [],
    },
]
LENIENT = """
[answers]
unsupported = { max = 1000 }
[retrieval]
mrr = { min = 0.0 }
[quiz]
agreement = { min = 0.0 }
"""


def _dataset(tmp_path: Path, items: list[dict] | None = None) -> Path:
    path = tmp_path / "tiny.jsonl"
    path.write_text("".join(json.dumps(i) + "\n" for i in (items or TINY)), encoding="utf-8")
    return path


def _args(tmp_path: Path, **overrides: Any) -> argparse.Namespace:
    values = dict(
        dataset=_dataset(tmp_path),
        out=tmp_path / "out",
        config="both",
        limit=None,
        retrieval_only=False,
        quiz=False,
        haystack=None,
        no_haystack=True,
        thresholds=None,
    )
    values.update(overrides)
    return argparse.Namespace(**values)


def _thresholds(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "thresholds.toml"
    path.write_text(text, encoding="utf-8")
    return path


def _rows(out: Path) -> list[dict]:
    return [json.loads(line) for line in (out / "results.jsonl").read_text(encoding="utf-8").splitlines()]


# --------------------------------------------------------------------------- the runner, fake backends


def test_eval_writes_results_and_both_reports(
    tmp_path: Path, settings: Settings, capsys: pytest.CaptureFixture[str]
) -> None:
    args = _args(tmp_path, thresholds=_thresholds(tmp_path, LENIENT))
    assert run.run_eval_command(args, settings) == 0

    out = tmp_path / "out"
    rows = _rows(out)
    answers = [r for r in rows if r["part"] == "answers"]
    assert sorted({r["config"] for r in answers}) == ["naive", "ours"]
    assert len(answers) == 2 * len(TINY)
    for row in answers:
        for key in ("answer", "sources", "declined", "latency_s", "passed", "fact_hits", "unsupported"):
            assert key in row, key
    assert {r["part"] for r in rows} == {"answers", "retrieval", "quiz"}
    assert len([r for r in rows if r["part"] == "quiz"]) == 48

    md = (out / "report.md").read_text(encoding="utf-8")
    assert "| metric | ours | naive | target (ours) |" in md
    assert "fact accuracy" in md and "## Retrieval (no LLM)" in md and "## Quiz" in md
    page = (out / "report.html").read_text(encoding="utf-8")
    assert page.count('src="data:image/png;base64,') >= 3  # charts inlined
    assert not re.search(r"""(src|href)=["']https?:""", page)  # nothing fetched from elsewhere
    printed = capsys.readouterr().out
    assert "answers [ours]" in printed and "answers [naive]" in printed and "PASSED" in printed


def test_eval_exits_nonzero_naming_the_metrics_under_target(
    tmp_path: Path, settings: Settings, capsys: pytest.CaptureFixture[str]
) -> None:
    strict = _thresholds(
        tmp_path, "[answers]\nanswerable_accuracy = { min = 1.01 }\n[quiz]\nagreement = { min = 1.0 }\n"
    )
    code = run.run_eval_command(_args(tmp_path, thresholds=strict, config="ours"), settings)
    assert code == 1
    failed = [line for line in capsys.readouterr().out.splitlines() if line.startswith("FAILED:")]
    assert len(failed) == 1
    assert "answers.answerable_accuracy" in failed[0] and "quiz.agreement" not in failed[0]
    assert "**NO**" in (tmp_path / "out" / "report.md").read_text(encoding="utf-8")


def test_naive_config_runs_alone_with_the_same_dataset(tmp_path: Path, settings: Settings) -> None:
    options = run.options_from_args(_args(tmp_path, config="naive"), settings)
    options.retrieval = options.quiz = False
    report = run.run_eval(options, settings)
    assert list(report.answers) == ["naive"]
    assert not report.versus_naive
    rows = report.answer_rows["naive"]
    assert [r["id"] for r in rows] == [i["id"] for i in TINY]
    assert all(r["mode"] == "naive" and len(r["sources"]) <= 4 for r in rows)
    # The naive retrieval is scored too: its 1000-character chunks carry the sections they overlap.
    assert any(r["relevant_ranks"] for r in rows)
    assert report.answers["naive"]["decline_precision"] is not None


def test_retrieval_only_scores_answerable_items_and_skips_out_of_scope(
    tmp_path: Path, settings: Settings
) -> None:
    options = run.options_from_args(_args(tmp_path, retrieval_only=True), settings)
    assert (options.answers, options.retrieval, options.quiz) == (False, True, False)
    report = run.run_eval(options, settings)
    rows = report.retrieval_rows["ours"]
    assert [r["id"] for r in rows] == ["sal-mle-uk", "skills-ds", "fu-us"]
    follow_up = next(r for r in rows if r["id"] == "fu-us")
    assert "Machine Learning Engineer" in follow_up["query"]  # resolved like the chain does
    assert report.retrieval["ours"]["retrieval_n"] == 3
    assert not report.answers and not report.quiz


def test_haystack_index_mixes_the_library_with_our_corpus(tmp_path: Path, settings: Settings) -> None:
    library = tmp_path / "library"
    library.mkdir()
    (library / "unrelated.md").write_text(
        "# Bread\n\n## Recipe\n\nFlour, water, yeast and salt.\n", encoding="utf-8"
    )
    args = _args(tmp_path, retrieval_only=True, no_haystack=False, haystack=library)
    report = run.run_eval(run.options_from_args(args, settings), settings)
    assert set(report.retrieval) == {"ours", "haystack"}
    assert report.retrieval["haystack"]["documents"] == report.retrieval["ours"]["documents"] + 1


def test_missing_default_library_skips_the_haystack_with_a_note(
    tmp_path: Path, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(run, "default_library", lambda s: tmp_path / "nowhere")
    options = run.options_from_args(_args(tmp_path, retrieval_only=True, no_haystack=False), settings)
    report = run.run_eval(options, settings)
    assert set(report.retrieval) == {"ours"}
    assert any("haystack skipped" in n for n in report.notes)


def test_quiz_agreement_is_one_on_the_quiz_dataset(tmp_path: Path, settings: Settings) -> None:
    options = run.options_from_args(_args(tmp_path, quiz=True), settings)
    report = run.run_eval(options, settings)
    assert report.quiz["n"] == 48
    assert report.quiz["agreement"] == 1.0


def test_eval_reuses_its_indexes_when_nothing_changed(tmp_path: Path, settings: Settings) -> None:
    options = run.options_from_args(_args(tmp_path, retrieval_only=True), settings)
    run.run_eval(options, settings)
    folder = Path(settings.data_dir) / run.INDEX_FOLDER / "ours"
    assert folder.is_dir()
    _, again = run.build_eval_index(settings, folder, [Path(settings.corpus_dir)], progress=False)
    assert again.chunks_embedded == 0
    assert again.unchanged == len(list(Path(settings.corpus_dir).glob("*.md")))


def test_limit_and_bad_dataset_lines(tmp_path: Path) -> None:
    path = _dataset(tmp_path)
    assert [i["id"] for i in run.load_dataset(path, limit=2)] == ["sal-mle-uk", "skills-ds"]
    bad = tmp_path / "bad.jsonl"
    bad.write_text(json.dumps(TINY[0]) + "\n{not json\n", encoding="utf-8")
    with pytest.raises(BadInput, match=r"bad.jsonl:2"):
        run.load_dataset(bad)
    with pytest.raises(BadInput, match="no such file"):
        run.load_dataset(tmp_path / "missing.jsonl")


def test_cli_eval_retrieval_only_and_quiz(tmp_path: Path, run_cli: Any) -> None:
    result = run_cli(
        "eval",
        "--retrieval-only",
        "--quiz",
        "--no-haystack",
        "--dataset",
        _dataset(tmp_path),
        "--out",
        tmp_path / "cli-out",
        "--thresholds",
        _thresholds(tmp_path, LENIENT),
    )
    assert result.returncode == 0, result.stderr
    assert "retrieval [ours]" in result.stdout and "quiz n=48: agreement 1.000" in result.stdout
    assert (tmp_path / "cli-out" / "report.html").is_file()


def test_cli_eval_rejects_an_unknown_config(tmp_path: Path, run_cli: Any) -> None:
    result = run_cli("eval", "--config", "fancy")
    assert result.returncode == 2 and "invalid choice" in result.stderr


# --------------------------------------------------------------------------- scoring pieces


def test_section_match_accepts_a_longer_section_name_of_the_same_title() -> None:
    assert run.section_matches(
        "AI Safety & Ethics Researcher / Day-to-day tasks (technical track)",
        "AI Safety & Ethics Researcher / Day-to-day tasks",
    )
    assert run.section_matches(
        "machine learning engineer / SALARY RANGE", "Machine Learning Engineer / Salary range"
    )
    assert run.section_matches(
        "MLOps / AI Infrastructure Engineer / Skills > Tools", "MLOps / AI Infrastructure Engineer / Skills"
    )
    assert not run.section_matches(
        "Data Scientist / Salary range", "Machine Learning Engineer / Salary range"
    )
    assert not run.section_matches("Data Scientist / Skills", "Data Scientist / Salary range")


def test_the_published_guides_own_sections_count_as_the_corpus_sections_written_from_them() -> None:
    published = f"{run.PUBLISHED_GUIDE} / What's your current background?"
    assert run.section_matches(published, "How to choose your path / Your current background")
    assert not run.section_matches(
        published, "How to choose your path / Do you love writing code for its own sake?"
    )
    assert not run.section_matches(
        "Some other article / What's your current background?",
        "How to choose your path / Your current background",
    )


def test_match_ranks_counts_each_expected_source_once_and_reads_multi_section_chunks() -> None:
    ranked = ["A / Summary", "A / Salary range (part 2)", "A / Salary range", ["B / Skills", "A / Skills"]]
    assert run.match_ranks(ranked, ["A / Salary range"]) == [2]
    assert run.match_ranks(ranked, ["A / Skills", "B / Skills"]) == [4, 4]
    assert run.match_ranks(ranked, ["C / Skills"]) == []


def test_score_answer_reports_missing_facts_and_unsupported_figures() -> None:
    item = TINY[0]
    scores = run.score_answer(
        item,
        "UK: £60,000 to £150,000 [1]",
        False,
        ["UK: £60,000 – £130,000"],
        ["Machine Learning Engineer / Salary range"],
    )
    assert scores["passed"] is False
    assert scores["missing_facts"] == [["130,000"]]
    assert scores["unsupported"] == ["£150,000"]
    assert scores["relevant_ranks"] == [1] and scores["n_expected"] == 1
    out_of_scope = run.score_answer(TINY[3], "I can only help with AI careers.", True, [], ["X / Y"])
    assert out_of_scope["passed"] is True and out_of_scope["relevant_ranks"] is None


def test_false_declines_leave_out_items_that_accept_a_decline() -> None:
    rows = [
        {"kind": "answerable", "passed": True, "declined": False},
        {"kind": "answerable", "passed": True, "declined": True, "accept_decline": True},
        {"kind": "answerable", "passed": False, "declined": True},
        {"kind": "out_of_scope", "passed": True, "declined": True},
    ]
    summary = run.summarise_rows(rows)
    assert summary["false_decline_rate"] == pytest.approx(0.5)  # 1 of the 2 that must be answered
    assert summary["out_of_scope_accuracy"] == 1.0


def test_thresholds_min_max_above_below_and_unmeasured_metrics() -> None:
    rules = {
        "answers": {"accuracy": {"min": 0.9}, "unsupported": {"max": 0}, "missing": {"min": 1}},
        "versus_naive": {"gain": {"above": 0.0}},
        "haystack": {"hit@5": {"min": 0.9}},
    }
    measured = {
        "answers": {"accuracy": 0.9, "unsupported": 1, "missing": None},
        "versus_naive": {"gain": 0.0},
    }
    checks = {c.name: c.passed for c in run.evaluate_checks(rules, measured)}
    assert checks == {"answers.accuracy": True, "answers.unsupported": False, "versus_naive.gain": False}


def test_the_shipped_thresholds_file_holds_the_issue_targets() -> None:
    rules = run.load_thresholds(run.THRESHOLDS)
    assert rules["retrieval"]["hit@3"] == {"min": 0.95} and rules["retrieval"]["mrr"] == {"min": 0.85}
    assert rules["haystack"]["hit@5"] == {"min": 0.90}
    assert rules["answers"]["answerable_accuracy"] == {"min": 0.90}
    assert rules["answers"]["out_of_scope_accuracy"] == {"min": 0.95}
    assert rules["answers"]["false_decline_rate"] == {"max": 0.05}
    assert rules["answers"]["unsupported"] == {"max": 0}
    assert rules["quiz"]["agreement"] == {"min": 1.0}
    assert rules["bench"] == {
        "ingest_overhead": {"max": 1.15},
        "reingest_fraction": {"max": 0.02},
        "ttft_overhead": {"max": 1.05},
        "retrieval_p50_ms": {"max": 25.0},
        "user_ttft_ratio": {"max": 0.25},
        "user_latency_p50_s": {"max": 4.0},
        "cards_ttft_p50_s": {"max": 1.0},
        "app_peak_rss_mb": {"max": 3000},
    }


def test_bad_thresholds_file_is_a_one_line_error(tmp_path: Path) -> None:
    with pytest.raises(BadInput, match="needs min, max, above or below"):
        run.load_thresholds(_thresholds(tmp_path, "[answers]\naccuracy = 0.9\n"))


# --------------------------------------------------------------------------- the naive baseline


def test_naive_chunks_are_1000_200_splits_of_the_raw_files(project_corpus: Path) -> None:
    chunks = load_naive_chunks(project_corpus)
    assert all(len(c.page_content) <= CHUNK_SIZE for c in chunks)
    assert any(c.page_content.startswith("---") for c in chunks)  # front matter and all, like a TextLoader
    by_file: dict[str, list] = {}
    for c in chunks:
        by_file.setdefault(c.metadata["source"], []).append(c)
    mle = sorted(by_file["corpus/machine-learning-engineer.md"], key=lambda c: c.metadata["start_index"])
    first, second = mle[0], mle[1]
    overlap = first.metadata["start_index"] + len(first.page_content) - second.metadata["start_index"]
    assert 0 < overlap <= CHUNK_OVERLAP
    assert all(c.metadata["citations"] for c in chunks)


def test_naive_section_spans_follow_the_headings() -> None:
    text = "---\nrole: Data Scientist\n---\n\n# Data Scientist\n\n## Skills\n\nSQL\n\n## Salary range\n\nUK\n"
    spans = section_spans(text, "x")
    assert [c for _, _, c in spans] == [
        "Data Scientist / Introduction",
        "Data Scientist / Skills",
        "Data Scientist / Salary range",
    ]
    assert text[spans[2][0] :].startswith("## Salary range")


@pytest.mark.parametrize(
    "answer",
    [
        "I don't know.",
        "I do not know the answer.",
        "I'm sorry, but I cannot answer that from the context.",
        "The context does not mention Data Engineers.",
        "I could not find this in the guide.",
        "",
    ],
)
def test_naive_counts_not_knowing_as_a_decline(answer: str) -> None:
    assert is_decline(answer)


@pytest.mark.parametrize(
    "answer",
    [
        "ML engineers in the UK earn £60,000 – £130,000.",
        "Here is a quicksort in Python: def quicksort(xs): ...",
        "Data scientists need SQL, and it doesn't hurt to know Python.",
    ],
)
def test_naive_answers_are_not_declines(answer: str) -> None:
    assert not is_decline(answer)


def test_naive_pipeline_uses_the_plain_prompt_and_four_chunks(tmp_path: Path, settings: Settings) -> None:
    from assistant.llm import ScriptedChatModel
    from core.embeddings import make_embeddings
    from core.store import make_chroma_client
    from evals.naive import PROMPT, build_naive

    model = ScriptedChatModel(replies=["I don't know."])
    s = load_settings(chroma_dir=tmp_path / "naive")
    pipeline = build_naive(Path(settings.corpus_dir), make_chroma_client(s), make_embeddings(s), model)
    result = pipeline.answer(
        "What does a data scientist earn in the UK?",
        [{"role": "user", "content": "hi"}, {"role": "assistant", "content": "hello"}],
    )
    system, *turns = model.prompts[-1]
    assert system.text.startswith(PROMPT + "\n\nContext:\n")
    assert [m.type for m in turns] == ["human", "ai", "human"]
    assert len(result.sources) == 4 and result.declined is True and result.ttft_s is not None
    again = build_naive(Path(settings.corpus_dir), make_chroma_client(s), make_embeddings(s), model)
    assert len(again.vectorstore.get(include=[])["ids"]) == len(load_naive_chunks(Path(settings.corpus_dir)))


# --------------------------------------------------------------------------- integration: real models


@pytest.fixture(scope="session")
def real_retrieval(tmp_path_factory: pytest.TempPathFactory, shared_corpus: Path) -> run.EvalReport:
    """Retrieval-only eval on gold.jsonl with the real embeddings: our corpus and the haystack
    (the haystack index takes a few minutes to build; once per session)."""
    base = tmp_path_factory.mktemp("real-retrieval")
    s = Settings(
        _env_file=None,
        data_dir=base / "data",
        corpus_dir=REPO / "corpus",
        embedding_backend="local",
        llm_backend="fake",
    )
    options = run.EvalOptions(
        dataset=DATASETS / "gold.jsonl",
        out=base / "out",
        answers=False,
        retrieval=True,
        quiz=False,
        haystack=shared_corpus,
        progress=False,
    )
    report = run.run_eval(options, s)
    run.write_report(report, options.out)
    return report


def _misses(report: run.EvalReport, index: str, k: int) -> list[str]:
    return [
        f"{r['id']} (first hit {r['first_rank']})"
        for r in report.retrieval_rows[index]
        if not r["first_rank"] or r["first_rank"] > k
    ]


@pytest.mark.integration
def test_retrieval_mrr_on_our_corpus_meets_its_target(real_retrieval: run.EvalReport) -> None:
    summary = real_retrieval.retrieval["ours"]
    assert summary["retrieval_n"] >= 90
    assert summary["mrr"] >= 0.85


@pytest.mark.integration
def test_retrieval_hit_at_3_on_our_corpus_meets_its_target(real_retrieval: run.EvalReport) -> None:
    assert real_retrieval.retrieval["ours"]["hit@3"] >= 0.95, _misses(real_retrieval, "ours", 3)


@pytest.mark.integration
def test_retrieval_in_the_haystack_meets_its_target(real_retrieval: run.EvalReport) -> None:
    summary = real_retrieval.retrieval["haystack"]
    assert summary["chunks"] > 10 * real_retrieval.retrieval["ours"]["chunks"]  # really a haystack
    assert summary["hit@5"] >= 0.90, _misses(real_retrieval, "haystack", 5)


@pytest.mark.integration
def test_small_answer_eval_on_the_real_default_model(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Four smoke items (salary, skills, a follow-up, out of scope) through ours and naive on the
    default local model: it runs and writes a well-formed report (the accuracy targets are
    asserted on the full gold set)."""
    pytest.importorskip("llama_cpp")
    monkeypatch.setenv("CAREER_LLM_BACKEND", "local")
    monkeypatch.setenv("CAREER_EMBEDDING_BACKEND", "local")
    monkeypatch.setenv("CAREER_DATA_DIR", str(REPO / "data"))  # the assembled model lives there
    s = load_settings()
    items = run.load_dataset(DATASETS / "smoke.jsonl")
    picked = [i for i in items if i["id"] in {"sal-mle-uk", "skills-mlops", "fu-ds-us", "oos-france"}]
    assert len(picked) == 4
    dataset = _dataset(tmp_path, picked)
    options = run.EvalOptions(
        dataset=dataset, out=tmp_path / "out", retrieval=False, quiz=False, haystack=None, progress=False
    )
    report = run.run_eval(options, s)
    run.write_report(report, options.out)
    for config in ("ours", "naive"):
        rows = report.answer_rows[config]
        assert [r["id"] for r in rows] == [i["id"] for i in picked]
        assert all(isinstance(r["answer"], str) and isinstance(r["declined"], bool) for r in rows)
        assert all(r["latency_s"] and r["latency_s"] > 0 for r in rows)
        assert report.answers[config]["n_items"] == len(picked)
    assert "local" in report.environment["llm backend"]
    assert any(c.section == "versus_naive" for c in report.checks)
    assert (tmp_path / "out" / "report.html").stat().st_size > 10_000
