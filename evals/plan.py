"""The learning-plan eval: hand-labelled skill -> lesson pairs, steps per role, and no dilution.

`python -m evals.plan` indexes the guide plus the publisher's library (programs/*/lessons/en
and blog/en under ../shared/corpus/ai-educademy) with the real embedder into
`--index` (incremental: a re-run embeds nothing), asks the library for every skill of the
seven profiled roles, and scores the steps against `evals/datasets/plan_labels.jsonl`:

- precision: steps whose lesson is labelled as teaching the skill / all steps (a step on an
  unlabelled lesson counts as wrong);
- says-so: skills labelled with no lesson that indeed get no step;
- coverage: skills with a labelled lesson that get at least one right step;
- steps per role: the plan of each profiled role (all its skills).

`--dilution` checks that indexing the library changes no career answer: for every question of
gold, dev and sealed it compares the chain's retrieval (reading + ranked chunks, no LLM)
on a guide-only index against a guide+library index. Identical retrieval means an identical
prompt, hence the same answer at temperature 0. `--answers` runs the full answer eval (ours,
local LLM) on the guide+library index for the sets named: slow (~20 min on 2 cores).
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

logger = logging.getLogger(__name__)

EVALS_DIR = Path(__file__).resolve().parent
REPO = EVALS_DIR.parent
LABELS = EVALS_DIR / "datasets" / "plan_labels.jsonl"
DEFAULT_LIBRARY = REPO.parent / "shared" / "corpus" / "ai-educademy"
PRECISION_TARGET = 0.85
MIN_STEPS_PER_ROLE = 3
SETS = ("gold", "dev", "sealed")


def library_paths(root: Path) -> list[Path]:
    """The English lessons of every programme and the English blog of a library laid out like the publisher's."""
    paths = sorted(root.glob("programs/*/lessons/en"))
    if (root / "blog" / "en").is_dir():
        paths.append(root / "blog" / "en")
    return paths or [root]


def load_labels(path: Path = LABELS) -> list[dict]:
    """One line per skill: {"role", "skill", "relevant": [paths relative to the library root]}."""
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def score_plan(labels: Sequence[dict], steps_by_skill: dict[str, list[dict]], root: Path) -> dict[str, Any]:
    """Precision, says-so and coverage of the steps against the labels (pure)."""
    rows = []
    for item in labels:
        relevant = set(item["relevant"])
        steps = steps_by_skill.get(item["skill"], [])
        judged = [(_relative(s["source"], root), _relative(s["source"], root) in relevant) for s in steps]
        rows.append({"role": item["role"], "skill": item["skill"], "relevant": sorted(relevant),
                     "steps": [{"lesson": f, "correct": ok, "section": s["section"], "why": s["why"]}
                               for (f, ok), s in zip(judged, steps, strict=True)]})
    all_steps = [s for r in rows for s in r["steps"]]
    none = [r for r in rows if not r["relevant"]]
    some = [r for r in rows if r["relevant"]]
    return {
        "labelled_pairs": sum(len(r["relevant"]) for r in rows),
        "skills": len(rows),
        "steps": len(all_steps),
        "correct_steps": sum(s["correct"] for s in all_steps),
        "precision": (sum(s["correct"] for s in all_steps) / len(all_steps)) if all_steps else None,
        "says_so": (sum(not r["steps"] for r in none) / len(none)) if none else None,
        "coverage": (sum(any(s["correct"] for s in r["steps"]) for r in some) / len(some)) if some else None,
        "rows": rows,
    }


def main(argv: Sequence[str] | None = None) -> int:
    from core.settings import apply_offline_env, load_settings

    parser = argparse.ArgumentParser(prog="python -m evals.plan", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--library", type=Path, default=DEFAULT_LIBRARY, help="the library root")
    parser.add_argument("--labels", type=Path, default=LABELS)
    parser.add_argument("--index", type=Path, default=Path("evals/out/plan-index"),
                        help="folder for the eval's own indexes (kept: re-runs embed nothing)")
    parser.add_argument("--out", type=Path, default=Path("evals/reports"), help="folder for plan.md / plan.json")
    parser.add_argument("--dilution", action="store_true",
                        help="also compare career-answer retrieval with and without the library (no LLM)")
    parser.add_argument("--answers", nargs="*", metavar="SET", default=None,
                        help="run the full answer eval (ours, local LLM) on the guide+library index for these "
                             "sets (default when given without names: gold dev sealed); slow")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING)
    apply_offline_env()
    if not args.library.is_dir():
        print(f"error: no library at {args.library} (pass --library PATH)", file=sys.stderr)
        return 2
    settings = load_settings()
    started = time.perf_counter()
    s, ingest_seconds = build_index(settings, args.index / "with-library", [Path(settings.corpus_dir)],
                                    library_paths(args.library))
    result = run_plan_eval(s, load_labels(args.labels), args.library)
    result["ingest_seconds"] = round(ingest_seconds, 1)
    if args.dilution:
        result["dilution"] = run_dilution(settings, args.index, s)
    if args.answers is not None:
        result["answers"] = run_answers(s, args.answers or list(SETS), args.out / "plan-answers")
    result["seconds"] = round(time.perf_counter() - started, 1)
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "plan.json").write_text(json.dumps(result, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    text = render(result)
    (args.out / "plan.md").write_text(text, encoding="utf-8")
    print(text)
    ok = (result["precision"] or 0) >= PRECISION_TARGET and all(
        n >= MIN_STEPS_PER_ROLE for n in result["steps_per_role"].values())
    if "dilution" in result:
        ok = ok and result["dilution"]["changed"] == 0 and result["dilution"]["library_hits"] == 0
    return 0 if ok else 1


def build_index(settings: Any, folder: Path, guide: list[Path], library: list[Path]) -> tuple[Any, float]:
    """An index of its own in `folder` (never the app's), real embedder; incremental."""
    from core.embeddings import make_embeddings
    from core.store import make_chroma_client
    from ingest.index import ingest_paths

    s = settings.model_copy(update={"chroma_dir": folder, "chroma_host": None})
    report = ingest_paths(guide, client=make_chroma_client(s), settings=s, embeddings=make_embeddings(s),
                          library=library, progress=sys.stderr.isatty())
    logger.info("plan eval index %s: %s", folder, report.summary())
    return s, report.seconds


def run_plan_eval(s: Any, labels: list[dict], root: Path) -> dict[str, Any]:
    from assistant.plan import build_library
    from assistant.roles import load_roles

    library = build_library(s)
    assert library is not None
    roles = {t: f for t, f in load_roles(s.corpus_dir).items() if f.detailed}
    clock = time.perf_counter()
    steps_by_skill: dict[str, list[dict]] = {}
    skills = list(dict.fromkeys([item["skill"] for item in labels] + [k for f in roles.values() for k in f.skills]))
    for skill in skills:
        steps_by_skill[skill] = [st.to_dict() for st in library.lessons_for(skill)]
    per_skill_ms = (time.perf_counter() - clock) * 1000 / max(1, len(skills))
    result = score_plan(labels, steps_by_skill, root)
    result["steps_per_role"] = {t: sum(len(steps_by_skill[k]) for k in f.skills) for t, f in roles.items()}
    result["all_steps_library_files"] = all(
        _relative(st["source"], root) != st["source"] for v in steps_by_skill.values() for st in v)
    result["ms_per_skill"] = round(per_skill_ms, 1)
    return result


def run_dilution(settings: Any, index_root: Path, with_library: Any) -> dict[str, Any]:
    """Retrieval of every gold/dev/sealed question on a guide-only index vs the guide+library one."""
    from assistant.chain import build_assistant
    from evals.run import load_dataset

    guide_only, _ = build_index(settings, index_root / "guide-only", [Path(settings.corpus_dir)], [])
    fake = {"llm_backend": "fake"}
    a = build_assistant(guide_only.model_copy(update=fake))
    b = build_assistant(with_library.model_copy(update=fake))
    compared = changed = library_hits = 0
    examples = []
    for name in SETS:
        for item in load_dataset(EVALS_DIR / "datasets" / f"{name}.jsonl"):
            question, history = item.get("question", ""), item.get("history") or []
            try:
                ra, ha = a.retrieve(question, history)
                rb, hb = b.retrieve(question, history)
            except Exception as exc:  # a refused input is refused by both
                logger.info("skipped %s: %s", item.get("id"), exc)
                continue
            compared += 1
            library_hits += sum(h.metadata.get("source_kind") == "library" for h in hb)
            if [h.chunk_id for h in ha] != [h.chunk_id for h in hb] or ra.query != rb.query or ra.kind != rb.kind:
                changed += 1
                if len(examples) < 5:
                    examples.append(item.get("id"))
    return {"questions": compared, "changed": changed, "library_hits": library_hits, "examples": examples,
            "chunks_guide_only": a.search.chunk_count(), "chunks_seen_with_library": b.search.chunk_count()}


def run_answers(s: Any, sets: Sequence[str], out: Path) -> dict[str, Any]:
    """The answer eval (ours) on the guide+library index: the chain built on that index."""
    from assistant.chain import build_assistant
    from evals.run import _answer_item, load_dataset, summarise_rows

    assistant = build_assistant(s)
    summary = {}
    for name in sets:
        rows = [_answer_item("ours", assistant, item)
                for item in load_dataset(EVALS_DIR / "datasets" / f"{name}.jsonl")]
        (out / name).mkdir(parents=True, exist_ok=True)
        with (out / name / "results.jsonl").open("w", encoding="utf-8") as f:
            for row in rows:
                f.write(json.dumps(row, ensure_ascii=False, default=str) + "\n")
        summary[name] = summarise_rows(rows)
    return summary


def render(result: dict[str, Any]) -> str:
    def pct(v: float | None) -> str:
        return "n/a" if v is None else f"{v:.3f}"

    lines = ["# Learning plans: lessons from the course library", "",
             f"Library: the publisher's English lessons and blog; labels: `evals/datasets/plan_labels.jsonl` "
             f"({result['skills']} skills of the seven profiled roles, {result['labelled_pairs']} labelled "
             "skill -> lesson pairs; a skill labelled with none must get no step).", "",
             "| metric | value | target |", "|---|---|---|",
             f"| precision (steps on a labelled lesson / all steps) | {pct(result['precision'])} "
             f"({result['correct_steps']}/{result['steps']}) | >= {PRECISION_TARGET} |",
             f"| says so (skills with no lesson that get no step) | {pct(result['says_so'])} | |",
             f"| coverage (skills with a lesson that get a right one) | {pct(result['coverage'])} | |",
             f"| every step a library file | {result['all_steps_library_files']} | True |",
             f"| time per skill (search + reason) | {result['ms_per_skill']} ms | |",
             f"| ingest of guide + library (incremental) | {result['ingest_seconds']} s | |",
             "", "Steps per role (all the role's skills; target >= 3):", ""]
    lines += [f"- {role}: {n}" for role, n in result["steps_per_role"].items()]
    if "dilution" in result:
        d = result["dilution"]
        lines += ["", "## No dilution", "",
                  f"{d['questions']} questions of gold, dev and sealed: the chain's retrieval (reading and "
                  f"ranked chunks) differs on {d['changed']} with the library indexed; library chunks among "
                  f"the retrieved: {d['library_hits']}. The chain sees {d['chunks_seen_with_library']} chunks "
                  f"with the library indexed, {d['chunks_guide_only']} without."]
    if "answers" in result:
        lines += ["", "## Answer eval on the guide+library index (ours)", ""]
        for name, summary in result["answers"].items():
            keys = ("answerable_accuracy", "out_of_scope_accuracy", "not_in_guide_accuracy", "false_decline_rate",
                    "unsupported")
            lines.append(f"- {name}: " + ", ".join(f"{k} {summary.get(k)}" for k in keys))
    lines += ["", "## Steps, skill by skill", ""]
    for row in result["rows"]:
        marks = "; ".join(f"{'✓' if s['correct'] else '✗'} {Path(s['lesson']).name} ({s['section']})"
                          for s in row["steps"]) or "no step (says so)"
        lines.append(f"- **{row['skill']}** ({row['role']}): {marks}")
    lines += ["", f"Reproduce: `python -m evals.plan --dilution` ({result['seconds']} s this run)."]
    return "\n".join(lines) + "\n"


def _relative(source: str, root: Path) -> str:
    try:
        return str(Path(source).resolve().relative_to(root.resolve()))
    except ValueError:
        return source


if __name__ == "__main__":
    sys.exit(main())
