"""The eval report: report.md and report.html from an EvalReport, and the terminal summary."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from evals.aggregate import format_value
from evals.charts import bar_chart, category_chart, hit_curve_chart, latency_chart
from evals.report_doc import ReportDoc
from evals.results import EvalReport
from evals.scoring import PUBLISHED_GUIDE, RETRIEVAL_DEPTH

ANSWER_TABLE = (
    ("answerable_accuracy", "fact accuracy (answerable items passed)"),
    ("accuracy", "accuracy, all items"),
    ("fact_recall", "expected facts found"),
    ("out_of_scope_accuracy", "out-of-scope declined"),
    ("not_in_guide_accuracy", "not-in-guide said plainly"),
    ("declines_handled", "out-of-scope and not-in-guide handled"),
    ("false_decline_rate", "false declines"),
    ("decline_precision", "decline precision"),
    ("unsupported", "unsupported figures (total)"),
    ("items_with_unsupported", "answers with unsupported figures"),
    ("hit@3", "retrieval hit@3 (as answered)"),
    ("mrr", "retrieval MRR (as answered)"),
    ("understanding_kind", "understanding: kind"),
    ("understanding_roles", "understanding: roles"),
    ("understanding_region", "understanding: region"),
    ("latency_p50", "latency p50 (s)"),
    ("latency_p95", "latency p95 (s)"),
    ("ttft_p50", "time to first token p50 (s)"),
    ("ttft_p95", "time to first token p95 (s)"),
)
RETRIEVAL_TABLE = (
    ("hit@1", "hit@1"),
    ("hit@3", "hit@3"),
    ("hit@5", "hit@5"),
    ("mrr", "MRR"),
    ("ndcg@5", "nDCG@5"),
    ("retrieval_n", "items scored"),
    ("chunks", "chunks indexed"),
    ("documents", "files indexed"),
    ("latency_p50_ms", "search p50 (ms)"),
    ("latency_p95_ms", "search p95 (ms)"),
)


def write_report(report: EvalReport, out: Path) -> list[Path]:
    """report.md and report.html in `out` (results.jsonl was written during the run)."""
    doc = build_report_doc(report)
    out.mkdir(parents=True, exist_ok=True)
    md, page = out / "report.md", out / "report.html"
    md.write_text(doc.to_markdown(), encoding="utf-8")
    page.write_text(doc.to_html(), encoding="utf-8")
    return [out / "results.jsonl", md, page]


def build_report_doc(report: EvalReport) -> ReportDoc:
    doc = ReportDoc("Career assistant: eval report")
    failed = report.failures
    verdict = (
        f"**FAILED**: {len(failed)} of {len(report.checks)} targets missed"
        if failed
        else f"**PASSED**: all {len(report.checks)} targets met"
    )
    doc.para(f"{verdict}. Run {report.started}, {report.seconds:.0f} s.")
    doc.table(
        ["", ""],
        [
            [k, f"`{v}`" if k in ("dataset", "git commit", "haystack library") else v]
            for k, v in report.environment.items()
        ],
    )
    if report.checks:
        doc.heading("Targets (evals/thresholds.toml)")
        doc.table(
            ["metric", "value", "target", "met"],
            [
                [f"`{c.name}`", format_value(c.metric, c.value), c.rule, "yes" if c.passed else "**NO**"]
                for c in report.checks
            ],
        )
    for note in report.notes:
        doc.para(f"Note: {note}")
    if report.answers:
        _answers_section(doc, report)
    if report.retrieval:
        _retrieval_section(doc, report)
    if report.quiz:
        _quiz_section(doc, report)
    _method_section(doc, report)
    return doc


def summary_text(report: EvalReport) -> str:
    """A few lines for the terminal."""
    lines = []
    for config, s in report.answers.items():
        lines.append(
            f"answers [{config}] n={s['n_items']}: "
            f"fact accuracy {format_value('answerable_accuracy', s['answerable_accuracy'])}, "
            f"out-of-scope declined {format_value('out_of_scope_accuracy', s['out_of_scope_accuracy'])}, "
            f"false declines {format_value('false_decline_rate', s['false_decline_rate'])}, "
            f"unsupported figures {s['unsupported']}, "
            f"latency p50 {format_value('latency_p50', s['latency_p50'])} s"
        )
    for name, s in report.retrieval.items():
        lines.append(
            f"retrieval [{name}] n={s['retrieval_n']} ({s['chunks']} chunks): "
            + ", ".join(f"{m} {format_value(m, s.get(m))}" for m in ("hit@1", "hit@3", "hit@5", "mrr"))
            + f", search p50 {format_value('latency_p50_ms', s.get('latency_p50_ms'))} ms"
        )
    if report.quiz:
        lines.append(
            f"quiz n={report.quiz['n']}: agreement {format_value('agreement', report.quiz['agreement'])}"
        )
    verdict = "some missed" if report.failures else "PASSED"
    lines.append(f"targets met: {len(report.checks) - len(report.failures)}/{len(report.checks)} ({verdict})")
    return "\n".join(lines)


def _answers_section(doc: ReportDoc, report: EvalReport) -> None:
    configs = list(report.answers)
    doc.heading("Answers" + (": ours vs naive" if len(configs) > 1 else f" ({configs[0]})"))
    thresholds = {c.metric: c.rule for c in report.checks if c.section == "answers"}
    rows = []
    for metric, label in ANSWER_TABLE:
        rows.append(
            [
                label,
                *[format_value(metric, report.answers[c].get(metric)) for c in configs],
                thresholds.get(metric, ""),
            ]
        )
    counts = report.answers[configs[0]]
    doc.para(
        f"{counts['n_items']} items: {counts['n_answerable']} answerable, "
        f"{counts['n_out_of_scope']} out of scope, {counts.get('n_not_in_guide', 0)} not in the guide."
    )
    doc.table(["metric", *configs, "target (ours)"], rows)
    if report.versus_naive:
        v = report.versus_naive
        doc.para(
            f"Ours minus naive: fact accuracy {_signed(v['answerable_accuracy_gain'])}, "
            f"accuracy over all items {_signed(v['accuracy_gain'])}; unsupported figures "
            f"{report.answers['naive']['unsupported']} (naive) vs "
            f"{report.answers['ours']['unsupported']} (ours)."
        )
    doc.chart(bar_chart(report), "Ours vs naive, metric by metric")
    _category_section(doc, report, configs)
    doc.chart(latency_chart(report), "Latency and time to first token per answer")
    modes = {}
    for c in configs:
        for r in report.answer_rows[c]:
            modes.setdefault(c, {}).setdefault(r.get("mode", "?"), 0)
            modes[c][r.get("mode", "?")] += 1
    doc.para(
        "How answers were produced: "
        + "; ".join(
            f"{c}: " + ", ".join(f"{m} {n}" for m, n in sorted(ms.items())) for c, ms in modes.items()
        )
    )
    for c in configs:
        failed = [r for r in report.answer_rows[c] if not r["passed"] or r.get("unsupported")]
        doc.heading(f"Items failed or with unsupported figures ({c}): {len(failed)}", 3)
        doc.table(
            ["id", "question", "answer (start)", "why"],
            [
                [f"`{r['id']}`", _clip(r["question"], 90), _clip(r.get("answer", ""), 160), _why(r)]
                for r in failed
            ],
        )


def _category_section(doc: ReportDoc, report: EvalReport, configs: list[str]) -> None:
    categories = sorted({r.get("category") or "-" for rows_ in report.answer_rows.values() for r in rows_})
    if len(categories) > 1:
        doc.heading("By category", 3)
        table = []
        for cat in categories:
            cells = []
            for c in configs:
                subset = [r for r in report.answer_rows[c] if (r.get("category") or "-") == cat]
                passed = sum(1 for r in subset if r["passed"])
                cells.append(f"{passed}/{len(subset)}")
            table.append([cat, *cells])
        doc.table(["category", *configs], table)
        doc.chart(category_chart(report, categories), "Items passed by category")


def _retrieval_section(doc: ReportDoc, report: EvalReport) -> None:
    names = list(report.retrieval)
    doc.heading("Retrieval (no LLM)")
    labels = {"ours": "our corpus", "haystack": "haystack (library + ours)"}
    thresholds = {
        (c.section, c.metric): c.rule for c in report.checks if c.section in ("retrieval", "haystack")
    }
    rows = []
    for metric, label in RETRIEVAL_TABLE:
        targets = [
            f"{labels[n].split(' (')[0]} {thresholds[(s, metric)]}"
            for n in names
            for s in (("retrieval" if n == "ours" else n),)
            if (s, metric) in thresholds
        ]
        rows.append(
            [
                label,
                *[format_value(metric, report.retrieval[n].get(metric)) for n in names],
                "; ".join(targets),
            ]
        )
    doc.table(["metric", *[labels.get(n, n) for n in names], "target"], rows)
    doc.chart(hit_curve_chart(report), "Share of questions with an expected section in the top k")
    for name in names:
        k = 3 if name == "ours" else 5
        misses = [r for r in report.retrieval_rows[name] if not r["first_rank"] or r["first_rank"] > k]
        doc.heading(
            f"Questions without an expected section in the top {k} ({labels.get(name, name)}): {len(misses)}",
            3,
        )
        doc.table(
            ["id", "question", "expected", "first hit", "retrieved (top 5)"],
            [
                [
                    f"`{r['id']}`",
                    _clip(r["question"], 80),
                    "; ".join(r["expected_sources"]),
                    r["first_rank"] or "-",
                    "; ".join(r["retrieved"][:5]),
                ]
                for r in misses
            ],
        )


def _quiz_section(doc: ReportDoc, report: EvalReport) -> None:
    q = report.quiz
    doc.heading("Quiz")
    doc.para(
        f"{q['n']} answer combinations scored by `assistant.quiz.score_roles`: agreement "
        f"{format_value('agreement', q['agreement'])} ({q['disagreements']} disagreements)."
    )
    wrong = [r for r in report.quiz_rows if not r["passed"]]
    if wrong:
        doc.table(
            ["id", "expected #1", "got #1", "top 3"],
            [
                [f"`{r['id']}`", " or ".join(r["expected_top"]), r["top"], "; ".join(r["ranking"])]
                for r in wrong
            ],
        )


def _method_section(doc: ReportDoc, report: EvalReport) -> None:
    doc.heading("How this was measured")
    notes = [
        "An answerable item passes when every group of expected facts has one alternative in the answer "
        "(numbers compared with separators and currency symbols normalised) and no forbidden fact appears; "
        "an out-of-scope item passes when declined (evals/metrics.py).",
        "False declines: answerable items declined, leaving out the items whose dataset entry accepts a "
        "decline (the guide does not say).",
        "Unsupported figures: numbers in an answer that none of the sources given with that answer contain "
        '(citation markers and bare 1-10 ignored; on the quiz path, the cards\' computed "N% fit" scores '
        "are not figures from the guide and are left out).",
        "Retrieval: a retrieved section matches an expected one when the title is the same and its section "
        "name equals or starts with the expected one. In the haystack, the published guide's role sections "
        "carry the same citations as ours; its quiz, cross-cutting skills and overview sections (under its "
        f'own title, "{PUBLISHED_GUIDE}") count as the corpus sections written from them '
        "(evals/run.py PUBLISHED_EQUIVALENTS). Out-of-scope items are not scored.",
    ]
    if report.retrieval:
        notes.append(
            f"Retrieval-only runs the chain's own retrieval step (follow-up resolution, hybrid "
            f"dense+BM25 search, per-role merging) to depth {RETRIEVAL_DEPTH}, without the LLM; "
            "search time is measured per question, after the index is loaded."
        )
    if report.answers:
        notes.append(
            "Answers: configurations run interleaved, item by item, with the same chat model object. "
            "'Retrieval as answered' uses the chain's ranked hits; quiz-path answers count the "
            "sections of their recommendation cards; refused meta questions are not scored."
        )
    if "naive" in report.answers:
        notes.append(
            "Naive: RecursiveCharacterTextSplitter 1000/200 over corpus/ files, dense top-4 in its own "
            "Chroma collection, the prompt \"Answer the question using the context. If you don't know, "
            "say you don't know.\", no gate, no grounding check. It counts as declined when the answer "
            "says it does not know or cannot answer. A naive chunk spans several sections: it counts as "
            "a retrieval hit when it overlaps an expected section."
        )
    doc.bullets(notes)


def _why(row: Mapping[str, Any]) -> str:
    reasons = []
    if row.get("error"):
        reasons.append(f"error: {row['error']}")
    if row.get("kind") in ("out_of_scope", "not_in_guide") and not row.get("passed"):
        reasons.append("not declined")
    elif (row.get("declined") and row.get("kind", "answerable") == "answerable"
          and not row.get("accept_decline")):
        reasons.append("declined")
    if row.get("missing_facts") and not row.get("declined"):
        reasons.append("missing " + "; ".join(" / ".join(alts) for alts in row["missing_facts"]))
    if row.get("forbidden_found"):
        reasons.append("forbidden " + ", ".join(row["forbidden_found"]))
    if row.get("unsupported"):
        reasons.append("unsupported figures " + ", ".join(row["unsupported"]))
    if row.get("mode") not in (None, "llm", "naive"):
        reasons.append(f"mode {row['mode']}")
    return "; ".join(reasons) or "-"


def _clip(text: str, limit: int) -> str:
    text = " ".join(str(text).split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _signed(value: float | None) -> str:
    return "n/a" if value is None else f"{value:+.3f}"
