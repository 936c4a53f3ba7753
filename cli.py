"""The `career-assistant` command, the command-line front end beside ui.py (the web app): it
composes ingest, assistant and evals; errors become one-line messages here, and only here."""

from __future__ import annotations

import argparse
import json
import logging
import sys
from collections.abc import Sequence
from pathlib import Path

from core.errors import BadInput, run_reporting_errors
from core.settings import Settings, apply_offline_env, load_settings, quiet_url_loggers
from ingest import cli as ingest_cli

logger = logging.getLogger(__name__)

YES_NO = {"yes": True, "y": True, "true": True, "no": False, "n": False, "false": False}


def main(argv: Sequence[str] | None = None) -> int:
    parser = _build_parser()
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO if args.verbose else logging.WARNING,
                        format="%(levelname)s %(name)s: %(message)s")
    quiet_url_loggers()
    apply_offline_env()
    return run_reporting_errors(lambda: args.handler(args, load_settings()))


def _build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="career-assistant",
        description="An AI career assistant grounded in an AI career guide.",
    )
    parser.add_argument("-v", "--verbose", action="store_true", help="log what happens")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    p = sub.add_parser("ingest", help="index guide files (default: corpus/) and a course library")
    ingest_cli.add_arguments(p)
    p.set_defaults(handler=_cmd_ingest)

    p = sub.add_parser("ask", help="ask one question")
    p.add_argument("question")
    p.add_argument("--json", action="store_true", help="print the answer as JSON")
    p.add_argument("--history", type=Path, help="a JSON file: [{role, content}, ...]")
    p.set_defaults(handler=_cmd_ask)

    _add_recommend(sub.add_parser("recommend", help="recommend AI roles from the guide's quiz"))
    _add_eval(sub.add_parser(
        "eval", help="run an eval dataset and write a report",
        description="Runs the answer eval (ours vs naive), retrieval on our corpus and on the haystack, and "
                    "the quiz; writes results.jsonl, report.md and report.html; exits 1 when a metric "
                    "misses its target in evals/thresholds.toml."))
    _add_bench(sub.add_parser(
        "bench", help="run the performance benchmarks",
        description="Writes bench.json and bench.md: ingest vs raw encode, unchanged re-ingest, retrieval "
                    "latency on the haystack, chain vs bare llama.cpp, peak RSS, start-up."))

    p = sub.add_parser("serve", help="start the web app (same as `python ui.py`)")
    p.set_defaults(handler=_cmd_serve)

    p = sub.add_parser("feedback", help="export thumbs-down feedback as eval items (JSONL)")
    p.add_argument("--out", type=Path, default=None, help="file to write (default: stdout)")
    p.add_argument("--all", action="store_true", help="include thumbs-up feedback too")
    p.set_defaults(handler=_cmd_feedback)
    return parser


def _add_recommend(p: argparse.ArgumentParser) -> None:
    p.add_argument("--code", required=True, help="love writing code for its own sake? yes|no")
    p.add_argument("--research", required=True, help="drawn to research and open-ended problems? yes|no")
    p.add_argument("--stakeholders", required=True, help="enjoy working with business stakeholders? yes|no")
    p.add_argument("--background", default="other", help="e.g. 'software engineer', 'data analyst'")
    p.add_argument("--skills", nargs="*", default=[], help="skills you already have")
    p.add_argument("--region", default=None, help="uk|us|global (for the salary shown)")
    p.add_argument("--top", type=int, default=3, help="how many roles to show")
    p.add_argument("--no-plan", action="store_true",
                   help="skip the learning plan (lessons from the indexed course library)")
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=_cmd_recommend)


def _add_eval(p: argparse.ArgumentParser) -> None:
    p.add_argument("--dataset", type=Path, default=None,
                   help="JSONL dataset (default: evals/datasets/gold.jsonl)")
    p.add_argument("--out", type=Path, default=Path("evals/out"), help="folder for the results and report")
    p.add_argument("--config", choices=["ours", "naive", "both"], default="both",
                   help="answer eval configuration(s) (default: both, side by side)")
    p.add_argument("--limit", type=int, default=None, help="only the first N items")
    p.add_argument("--retrieval-only", action="store_true",
                   help="only retrieval, no LLM: our corpus index and the haystack index")
    p.add_argument("--quiz", action="store_true",
                   help="only the quiz (quiz.jsonl); with --retrieval-only, both")
    p.add_argument("--haystack", type=Path, default=None,
                   help="library mixed into the haystack index (default: ../shared/corpus/ai-educademy)")
    p.add_argument("--no-haystack", action="store_true", help="skip the haystack index")
    p.add_argument("--thresholds", type=Path, default=None,
                   help="targets file (default: evals/thresholds.toml)")
    p.set_defaults(handler=_cmd_eval)


def _add_bench(p: argparse.ArgumentParser) -> None:
    p.add_argument("--out", type=Path, default=Path("evals/out/bench"))
    p.add_argument("--quick", action="store_true", help="fewer repetitions")
    p.add_argument("--parts", nargs="+", choices=["ingest", "retrieval", "llm", "startup", "user"], default=None,
                   help="measure only these parts (default: all)")
    p.add_argument("--sets", nargs="+", default=None,
                   help="eval sets for the user-view first-token part (default: gold dev)")
    p.add_argument("--per-set", type=int, default=None,
                   help="user view: at most N questions per set, spread evenly (default: every question)")
    p.add_argument("--library", type=Path, default=None,
                   help="library to ingest (default: ../shared/corpus/ai-educademy, plus corpus/)")
    p.add_argument("--thresholds", type=Path, default=None,
                   help="targets file (default: evals/thresholds.toml)")
    p.set_defaults(handler=_cmd_bench)


def _cmd_ingest(args: argparse.Namespace, s: Settings) -> int:
    return ingest_cli.run(args, s)


def _cmd_ask(args: argparse.Namespace, s: Settings) -> int:
    from assistant.chain import build_assistant

    history = _read_history(args.history) if args.history else []
    assistant = build_assistant(s)
    if args.json:
        result = assistant.answer(args.question, history)
        print(json.dumps(result.to_dict(), ensure_ascii=False, indent=2))
        return 0
    result = None
    for event in assistant.stream(args.question, history):
        if event.replace:
            print("\n\n(replaced: the answer was not fully supported by the guide)\n")
        if event.token:
            print(event.token, end="", flush=True)
        result = event.result or result
    print()
    if result and result.notice:
        print(f"\nnote: {result.notice}")
    if result and result.sources:
        print("\nSources:")
        for src in result.sources:
            print(f"  [{src['id']}] {src['section']} ({src['source']})")
    return 0


def _cmd_recommend(args: argparse.Namespace, s: Settings) -> int:
    from assistant.plan import build_library
    from assistant.quiz import QuizAnswers, parse_background
    from assistant.recommend import add_plans, build_cards, recommendation_dict, render_markdown
    from assistant.roles import load_roles

    answers = QuizAnswers(
        code=_yes_no("--code", args.code),
        research=_yes_no("--research", args.research),
        stakeholders=_yes_no("--stakeholders", args.stakeholders),
        background=parse_background(args.background),
        skills=tuple(args.skills),
        region=_region(args.region),
    )
    if args.top <= 0:
        raise BadInput("--top must be a positive number")
    cards = build_cards(answers, load_roles(s.corpus_dir), top_n=args.top)
    add_plans(cards, None if args.no_plan else build_library(s))
    if args.json:
        print(json.dumps(recommendation_dict(cards), ensure_ascii=False, indent=2))
    else:
        print(render_markdown(cards, answers))
    return 0


def _cmd_eval(args: argparse.Namespace, s: Settings) -> int:
    from evals.run import run_eval_command

    return run_eval_command(args, s)


def _cmd_bench(args: argparse.Namespace, s: Settings) -> int:
    from evals.bench import run_bench_command

    return run_bench_command(args, s)


def _cmd_serve(args: argparse.Namespace, s: Settings) -> int:
    import ui

    ui.serve(s)
    return 0


def _cmd_feedback(args: argparse.Namespace, s: Settings) -> int:
    from assistant.feedback import FeedbackStore

    store = FeedbackStore(s.feedback_db)
    lines = store.export_eval_items(include_positive=args.all)
    text = "".join(json.dumps(item, ensure_ascii=False) + "\n" for item in lines)
    if args.out:
        args.out.write_text(text, encoding="utf-8")
        print(f"wrote {len(lines)} items to {args.out}", file=sys.stderr)
    else:
        sys.stdout.write(text)
    return 0


def _yes_no(flag: str, value: str) -> bool:
    try:
        return YES_NO[value.strip().lower()]
    except KeyError:
        raise BadInput(f"{flag} {value!r}: answer yes or no") from None


def _region(value: str | None) -> str | None:
    if value is None:
        return None
    region = value.strip().lower()
    allowed = {"uk": "uk", "gb": "uk", "britain": "uk", "us": "us", "usa": "us",
               "global": "global", "eu": "global", "europe": "global"}
    if region not in allowed:
        raise BadInput(f"--region {value!r}: choose uk, us or global")
    return allowed[region]


def _read_history(path: Path) -> list[dict]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise BadInput(f"--history {path}: no such file") from None
    except IsADirectoryError:
        raise BadInput(f"--history {path}: is a folder, not a JSON file") from None
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise BadInput(f"--history {path}: not valid JSON ({exc})") from None
    except RecursionError:
        raise BadInput(f"--history {path}: JSON nested too deeply") from None
    except OSError as exc:
        raise BadInput(f"--history {path}: cannot be read ({exc.strerror})") from None
    if not isinstance(data, list) or not all(
        isinstance(m, dict) and m.get("role") in {"user", "assistant"} and isinstance(m.get("content"), str)
        for m in data
    ):
        raise BadInput(f'--history {path}: expected a JSON list of {{"role": "user"|"assistant", "content": str}}')
    return data


if __name__ == "__main__":
    sys.exit(main())
