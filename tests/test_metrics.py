"""Tests for evals/metrics.py and the eval datasets (gold, smoke, quiz)."""

from __future__ import annotations

import importlib.util
import json
import math
import random
import re
from pathlib import Path

import pytest

from evals.metrics import (
    contains_fact,
    decline_precision_recall,
    extract_figures,
    fact_hits,
    hit_at_k,
    item_passes,
    ndcg_at_k,
    normalise_text,
    percentile,
    quiz_agreement,
    reciprocal_rank,
    relevant_ranks,
    source_key,
    summarise,
    unsupported_figures,
)

ROOT = Path(__file__).resolve().parents[1]
DATASETS = ROOT / "evals" / "datasets"
CORPUS_FORMAT = ROOT / "docs" / "corpus-format.md"

# ---------------------------------------------------------------------------
# normalisation and facts
# ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    ["£60,000", "60000", "60,000+", "$60,000", "€60,000", "£60k", "60\u202f000", "£60K"],
)
def test_figure_variants_match_the_full_figure(text: str) -> None:
    assert contains_fact(f"The range starts at {text} a year.", "60,000")
    assert contains_fact(f"The range starts at {text} a year.", "60000")


def test_normalise_text() -> None:
    assert normalise_text("UK: £60,000 – £130,000+") == "uk: 60000 - 130000+"
    assert normalise_text("  Data\u00a0Scientist’s  PAY ") == "data scientist's pay"
    assert normalise_text("$1.5 million") == "1500000"
    assert normalise_text("1.5k") == "1500"


def test_figures_do_not_match_inside_longer_numbers() -> None:
    assert not contains_fact("US: $160,000", "60,000")
    assert not contains_fact("US: $600,000", "60,000")
    assert not contains_fact("version 1.60000", "60000")
    assert not contains_fact("£60,0000", "60,000")
    assert contains_fact("£60,000.", "60,000")  # sentence full stop


def test_words_match_case_insensitively_as_substrings() -> None:
    assert contains_fact("You need STATISTICS and SQL.", "statistic")
    assert contains_fact("An AI PM doesn’t write code.", "n't write")  # curly apostrophe
    assert not contains_fact("You need statistics.", "PyTorch")


def test_fact_hits_counts_inner_lists() -> None:
    answer = "A Data Scientist in the UK earns £50,000 – £100,000 (2026 estimates) [1]."
    assert fact_hits(answer, [["50,000"], ["100,000"]]) == (2, 2)
    assert fact_hits(answer, [["50,000"], ["200,000", "100,000"], ["SQL"]]) == (2, 3)
    assert fact_hits(answer, []) == (0, 0)
    assert fact_hits("", [["x"]]) == (0, 1)


def test_item_passes_rules() -> None:
    answerable = {"kind": "answerable", "expected_facts": [["60,000"], ["130,000"]]}
    assert item_passes(answerable, "£60,000 – £130,000", declined=False)
    assert not item_passes(answerable, "£60,000 – £140,000", declined=False)
    assert not item_passes(answerable, "£60,000 – £130,000", declined=True)  # a decline is a miss
    oos = {"kind": "out_of_scope", "expected_facts": []}
    assert item_passes(oos, "I can only help with AI careers.", declined=True)
    assert not item_passes(oos, "Paris.", declined=False)
    honest = {"kind": "answerable", "expected_facts": [["does not", "doesn't"]], "accept_decline": True,
              "forbidden_facts": ["160,000"]}
    assert item_passes(honest, "", declined=True)
    assert item_passes(honest, "The guide doesn't give a figure for Singapore.", declined=False)
    assert not item_passes(honest, "It doesn't vary much: €70,000 – €160,000.", declined=False)
    assert not item_passes(honest, "About $120,000.", declined=False)


# ---------------------------------------------------------------------------
# retrieval metrics: hand-computed, then cross-checked against ranx
# ---------------------------------------------------------------------------


def test_source_key_forms() -> None:
    key = ("mlops / ai infrastructure engineer", "salary range")
    assert source_key("MLOps / AI Infrastructure Engineer / Salary range") == key
    assert source_key("Data Scientist > Salary Range") == ("data scientist", "salary range")
    assert source_key({"title": "mlops / ai infrastructure engineer", "section": "SALARY RANGE"}) == key
    assert source_key({"role": "MLOps / AI Infrastructure Engineer", "section": "Salary range"}) == key
    assert source_key(("MLOps / AI Infrastructure Engineer", "Salary range")) == key
    assert source_key("AI Safety & Ethics Researcher / Skills > Technical track") == (
        "ai safety & ethics researcher",
        "skills",
    )


def test_retrieval_metrics_hand_computed() -> None:
    ranked = [
        "Data Scientist / Skills",
        "Machine Learning Engineer / Salary range",
        "Data Scientist / Skills",  # duplicate chunk of a section: counts once
        "data scientist / salary range",
        "Overview / x",
    ]
    expected = ["Data Scientist / Salary range", "Machine Learning Engineer / Salary range"]
    assert relevant_ranks(ranked, expected) == [2, 4]
    assert hit_at_k(ranked, expected, 1) == 0.0
    assert hit_at_k(ranked, expected, 2) == 1.0
    assert reciprocal_rank(ranked, expected) == 0.5
    dcg = 1 / math.log2(3) + 1 / math.log2(5)
    idcg = 1 + 1 / math.log2(3)
    assert ndcg_at_k(ranked, expected, 5) == pytest.approx(dcg / idcg)
    assert ndcg_at_k(ranked, expected, 3) == pytest.approx((1 / math.log2(3)) / idcg)
    assert ndcg_at_k(ranked, expected[:1], 5) == pytest.approx((1 / math.log2(5)) / 1)
    assert reciprocal_rank(ranked, ["Nope / Nothing"]) == 0.0
    assert ndcg_at_k(ranked, [], 5) == 0.0
    assert hit_at_k([], expected, 5) == 0.0


def test_retrieval_metrics_agree_with_ranx() -> None:
    ranx = pytest.importorskip("ranx")
    rng = random.Random(1234)
    docs = [f"Doc {i} / Section {j}" for i in range(6) for j in range(3)]
    qrels_dict: dict[str, dict[str, int]] = {}
    run_dict: dict[str, dict[str, float]] = {}
    metrics = ["hit_rate@1", "hit_rate@3", "hit_rate@5", "mrr", "ndcg@3", "ndcg@5"]
    ours: dict[str, list[float]] = {metric: [] for metric in metrics}
    for q in range(40):
        qid = f"q{q:02d}"  # ranx returns per-query scores in sorted id order
        expected = rng.sample(docs, rng.randint(1, 3))
        ranked = rng.sample(docs, rng.randint(1, 8))
        qrels_dict[qid] = {d: 1 for d in expected}
        run_dict[qid] = {d: float(len(ranked) - i) for i, d in enumerate(ranked)}
        for k in (1, 3, 5):
            ours[f"hit_rate@{k}"].append(hit_at_k(ranked, expected, k))
        ours["mrr"].append(reciprocal_rank(ranked, expected))
        ours["ndcg@5"].append(ndcg_at_k(ranked, expected, 5))
        ours["ndcg@3"].append(ndcg_at_k(ranked, expected, 3))
    scores = ranx.evaluate(
        ranx.Qrels(qrels_dict), ranx.Run(run_dict), list(ours), return_mean=False, make_comparable=True
    )
    assert len(scores["mrr"]) == 40
    for metric, values in ours.items():
        assert list(scores[metric]) == pytest.approx(values, abs=1e-6), metric


# ---------------------------------------------------------------------------
# declines
# ---------------------------------------------------------------------------


def test_decline_precision_recall() -> None:
    rows = [
        {"kind": "out_of_scope", "declined": True},  # TP
        {"kind": "out_of_scope", "declined": False},  # FN
        {"kind": "answerable", "declined": True},  # FP
        {"kind": "answerable", "declined": False},  # TN
        ("out_of_scope", True),  # TP
    ]
    assert decline_precision_recall(rows) == (pytest.approx(2 / 3), pytest.approx(2 / 3))


def test_decline_precision_recall_zero_denominators() -> None:
    assert decline_precision_recall([]) == (1.0, 1.0)
    # nothing declined: no wrong declines (precision 1.0) but every out-of-scope item missed
    assert decline_precision_recall([("out_of_scope", False), ("answerable", False)]) == (1.0, 0.0)
    # no out-of-scope items: recall vacuous (1.0), every decline wrong
    assert decline_precision_recall([("answerable", True), ("answerable", False)]) == (0.0, 1.0)
    assert decline_precision_recall([("answerable", False)]) == (1.0, 1.0)


# ---------------------------------------------------------------------------
# grounding of figures
# ---------------------------------------------------------------------------

SOURCES = [
    "Machine Learning Engineer > Salary range\n- UK: £60,000 – £130,000\n- US: $120,000 – $250,000+\n"
    "The figures are the guide's 2026 estimates.",
    "How to choose your path > Do you love writing code for its own sake?\n- Yes: ML Engineer, MLOps",
]


def test_unsupported_figures_catches_invented_money() -> None:
    answer = "In the US an ML Engineer earns $120,000 – $999,000 [1]."
    assert unsupported_figures(answer, SOURCES) == ["$999,000"]


def test_unsupported_figures_accepts_supported_figures_citations_and_ordinals() -> None:
    answer = (
        "1. In the UK: £60k – £130,000 [1][2]\n2. In the US: 120000 to $250,000+ [2, 3]\n"
        "These are 2026 estimates; there are 3 regions."
    )
    assert unsupported_figures(answer, SOURCES) == []
    assert unsupported_figures("See [2].", SOURCES) == []


def test_unsupported_figures_flags_years_and_small_money_not_in_sources() -> None:
    assert unsupported_figures("As of 2024 the pay is £60,000.", SOURCES) == ["2024"]
    assert unsupported_figures("A course costs $5.", SOURCES) == ["$5"]
    assert unsupported_figures("Qwen2.5 and S3 are names, not figures.", SOURCES) == []
    # the same invented figure is reported once, as written first
    assert unsupported_figures("$999,000 or even $999,000", SOURCES) == ["$999,000"]


def test_extract_figures_values() -> None:
    text = "£60k, $1.5 million, 2026, [4] and €70\u202f000"
    values = [(w, float(v), m) for w, v, m in extract_figures(text)]
    assert values == [
        ("£60k", 60000.0, True),
        ("$1.5 million", 1500000.0, True),
        ("2026", 2026.0, False),
        ("€70\u202f000", 70000.0, True),
    ]


# ---------------------------------------------------------------------------
# aggregation
# ---------------------------------------------------------------------------


def test_percentile_matches_linear_interpolation() -> None:
    assert percentile([3.0], 95) == 3.0
    assert percentile([1, 2, 3, 4], 50) == 2.5
    assert percentile([4, 1, 3, 2], 95) == pytest.approx(3.85)
    assert percentile(list(range(1, 101)), 95) == pytest.approx(95.05)
    with pytest.raises(ValueError):
        percentile([], 50)
    with pytest.raises(ValueError):
        percentile([1.0], 101)


def test_quiz_agreement() -> None:
    results = [
        {"expected_top": ["Data Scientist"], "top": "data scientist"},
        {"expected_top": ["Machine Learning Engineer", "MLOps / AI Infrastructure Engineer"],
         "roles": [{"role": "MLOps / AI Infrastructure Engineer", "score": 3.0}]},
        {"expected_top": ["AI Product Manager"], "predicted_top": "Data Scientist"},
        {"expected_top": ["AI Product Manager"], "roles": []},
    ]
    assert quiz_agreement(results) == 0.5
    assert quiz_agreement([]) == 0.0


def test_summarise_aggregates() -> None:
    results = [
        {"kind": "answerable", "passed": True, "declined": False, "fact_hits": 2, "fact_total": 2,
         "relevant_ranks": [1], "n_expected": 1, "latency_s": 1.0, "ttft_s": 0.5, "unsupported": []},
        {"kind": "answerable", "passed": False, "declined": False, "fact_hits": 1, "fact_total": 2,
         "sources": [{"title": "A", "section": "x"}, {"title": "B", "section": "y"}],
         "expected_sources": ["B / y"], "latency_s": 3.0, "ttft_s": 1.5, "unsupported": ["$999,000"]},
        {"kind": "answerable", "passed": False, "declined": True, "fact_hits": 0, "fact_total": 1,
         "relevant_ranks": [], "n_expected": 2, "latency_s": 2.0, "ttft_s": None, "unsupported": 0},
        {"kind": "out_of_scope", "passed": True, "declined": True, "latency_s": 0.2},
        {"kind": "out_of_scope", "passed": False, "declined": False, "latency_s": 4.0, "unsupported": 2},
    ]
    s = summarise(results)
    assert (s["n_items"], s["n_answerable"], s["n_out_of_scope"]) == (5, 3, 2)
    assert s["accuracy"] == pytest.approx(2 / 5)
    assert s["answerable_accuracy"] == pytest.approx(1 / 3)
    assert s["out_of_scope_accuracy"] == pytest.approx(1 / 2)
    assert s["fact_recall"] == pytest.approx(3 / 5)
    assert s["decline_precision"] == pytest.approx(1 / 2)
    assert s["decline_recall"] == pytest.approx(1 / 2)
    assert s["false_decline_rate"] == pytest.approx(1 / 3)
    assert s["retrieval_n"] == 3
    assert s["hit@1"] == pytest.approx(1 / 3)
    assert s["hit@3"] == pytest.approx(2 / 3)
    assert s["hit@5"] == pytest.approx(2 / 3)
    assert s["mrr"] == pytest.approx((1 + 0.5 + 0) / 3)
    assert s["ndcg@5"] == pytest.approx((1 + 1 / math.log2(3) + 0) / 3)
    assert s["latency_p50"] == pytest.approx(2.0)
    assert s["latency_p95"] == pytest.approx(percentile([0.2, 1.0, 2.0, 3.0, 4.0], 95))
    assert s["ttft_p50"] == pytest.approx(1.0)
    assert s["unsupported"] == 3
    assert s["items_with_unsupported"] == 2


def test_summarise_empty() -> None:
    s = summarise([])
    assert s["n_items"] == 0
    assert s["accuracy"] is None and s["mrr"] is None and s["latency_p50"] is None
    assert s["unsupported"] == 0


# ---------------------------------------------------------------------------
# datasets
# ---------------------------------------------------------------------------

GOLD_FIELDS = {"id", "question", "kind", "expected_facts", "history", "expected_sources", "category"}
CATEGORIES = {
    "salary", "skills", "tasks", "suits", "break_in", "comparison", "background", "quiz", "overview",
    "followup", "unanswerable", "out_of_scope", "injection",
}
ROLE_TITLES = {
    "Machine Learning Engineer", "Data Scientist", "AI/ML Research Scientist",
    "MLOps / AI Infrastructure Engineer", "AI Product Manager", "Prompt Engineer / AI Solutions Specialist",
    "AI Safety & Ethics Researcher", "NLP / LLM Engineer",
}


def load_jsonl(path: Path) -> list[dict]:
    rows = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        assert line.strip(), f"{path.name}:{number} is empty"
        row = json.loads(line)
        assert isinstance(row, dict), f"{path.name}:{number}"
        rows.append(row)
    return rows


def corpus_sections() -> set[tuple[str, str]]:
    """(title, section) pairs from the file table in docs/corpus-format.md."""
    pairs = set()
    for line in CORPUS_FORMAT.read_text(encoding="utf-8").splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) != 3 or not cells[0].startswith("`") or not cells[0].endswith(".md`"):
            continue
        title = cells[1].split("(")[0].strip()
        for section in cells[2].split(";"):
            section = re.sub(r"\s*\(.*\)\s*$", "", section).strip()
            pairs.add(source_key((title, section)))
    return pairs


def test_corpus_format_table_parses() -> None:
    sections = corpus_sections()
    assert ("data scientist", "salary range") in sections
    assert ("how to choose your path", "your current background") in sections
    assert ("ai safety & ethics researcher", "day-to-day tasks") in sections
    assert len({t for t, _ in sections}) == 10


@pytest.mark.parametrize("name", ["gold.jsonl", "smoke.jsonl"])
def test_qa_dataset_is_valid(name: str) -> None:
    rows = load_jsonl(DATASETS / name)
    sections = corpus_sections()
    ids = [row["id"] for row in rows]
    assert len(ids) == len(set(ids)), "duplicate ids"
    for row in rows:
        where = f"{name}:{row.get('id')}"
        assert row.keys() >= GOLD_FIELDS, where
        assert isinstance(row["id"], str) and row["id"], where
        assert isinstance(row["question"], str) and row["question"].strip(), where
        assert row["kind"] in {"answerable", "out_of_scope"}, where
        assert row["category"] in CATEGORIES, where
        for turn in row["history"]:
            assert turn.keys() == {"role", "content"} and turn["role"] in {"user", "assistant"}, where
        assert all(isinstance(alt, str) and alt for inner in row["expected_facts"] for alt in inner), where
        for source in row["expected_sources"]:
            assert source_key(source) in sections, f"{where}: unknown source {source!r}"
        if row["kind"] == "answerable":
            assert 1 <= len(row["expected_facts"]) <= 3 and all(row["expected_facts"]), where
            assert row["expected_sources"], where
        else:
            assert row["expected_facts"] == [] and row["expected_sources"] == [], where
        if row["category"] == "followup":
            assert row["history"], where


def test_gold_coverage() -> None:
    rows = load_jsonl(DATASETS / "gold.jsonl")
    assert len(rows) >= 90
    by_category: dict[str, int] = {}
    for row in rows:
        by_category[row["category"]] = by_category.get(row["category"], 0) + 1
    assert sum(1 for r in rows if r["category"] == "out_of_scope") >= 12
    assert by_category.get("injection", 0) >= 6
    assert sum(1 for r in rows if r["history"] and r["kind"] == "answerable") >= 6
    assert set(by_category) == CATEGORIES


def test_smoke_is_a_copy_of_gold_items() -> None:
    gold = {row["id"]: row for row in load_jsonl(DATASETS / "gold.jsonl")}
    smoke = load_jsonl(DATASETS / "smoke.jsonl")
    assert len(smoke) == 12
    assert all(gold[row["id"]] == row for row in smoke)
    categories = [row["category"] for row in smoke]
    assert categories.count("out_of_scope") >= 2
    assert "followup" in categories and "injection" in categories


def test_quiz_dataset_is_valid_and_generated() -> None:
    rows = load_jsonl(DATASETS / "quiz.jsonl")
    assert len(rows) == 48
    ids = [row["id"] for row in rows]
    assert len(ids) == len(set(ids))
    combos = set()
    for row in rows:
        assert {"id", "answers", "expected_top"} <= row.keys()
        answers = row["answers"]
        assert answers.keys() == {"code", "research", "stakeholders", "background"}
        assert all(isinstance(answers[k], bool) for k in ("code", "research", "stakeholders"))
        assert row["expected_top"] and set(row["expected_top"]) <= ROLE_TITLES, row["id"]
        combos.add(tuple(answers[k] for k in ("code", "research", "stakeholders", "background")))
    assert len(combos) == 48
    spec = importlib.util.spec_from_file_location("make_quiz", DATASETS / "make_quiz.py")
    module = importlib.util.module_from_spec(spec)
    assert spec.loader is not None
    spec.loader.exec_module(module)
    assert (DATASETS / "quiz.jsonl").read_text(encoding="utf-8") == module.render()
    if module.DEFAULT_GUIDE.exists():
        assert module.guide_lists(module.DEFAULT_GUIDE.read_text(encoding="utf-8")) == module.QUESTIONS


def test_quiz_rule_examples() -> None:
    rows = {row["id"]: row["expected_top"] for row in load_jsonl(DATASETS / "quiz.jsonl")}
    # the named background wins over the yes/no answers
    both = ["MLOps / AI Infrastructure Engineer", "Machine Learning Engineer"]
    assert rows["quiz-c0-r1-s1-software-engineer"] == both
    assert rows["quiz-c1-r0-s0-data-analyst"] == ["Data Scientist"]
    # "other": code yes + research no + stakeholders no -> ML Engineer and MLOps in all three lists
    assert rows["quiz-c1-r0-s0-other"] == ["MLOps / AI Infrastructure Engineer", "Machine Learning Engineer"]
    # code no + research yes + stakeholders no -> Research Scientist (2) ties with AI Safety (2)
    assert rows["quiz-c0-r1-s0-other"] == ["AI Safety & Ethics Researcher", "AI/ML Research Scientist"]


def test_gold_answerable_items_pass_on_the_guide_figures() -> None:
    """Sanity check: a salary item's facts are all present in the published guide's text."""
    guide = ROOT.parent / "shared" / "corpus" / "ai-educademy" / "blog" / "en" / "ai-career-paths.mdx"
    if not guide.exists():
        pytest.skip("published guide not available")
    text = guide.read_text(encoding="utf-8")
    for row in load_jsonl(DATASETS / "gold.jsonl"):
        if row["category"] in {"salary"} or row["id"].startswith("inj-fake"):
            assert fact_hits(text, row["expected_facts"])[0] == len(row["expected_facts"]), row["id"]
