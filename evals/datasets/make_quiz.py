"""Generate quiz.jsonl: the expected #1 recommendation for every quiz answer combination.

The rule is the guide's ("How to choose your path", AI Career Paths in 2026, AI
Educademy, CC BY-SA 4.0):

- a background the guide names decides: its mapped role(s) are the acceptable #1;
- for any other background, the acceptable #1 roles are those appearing in the
  most of the lists picked by the three yes/no answers (ties: all tied roles).

The role lists below carry the guide's short names, mapped to the corpus titles.
Run ``python evals/datasets/make_quiz.py`` to rewrite quiz.jsonl, or with
``--check [GUIDE.mdx]`` to compare the lists with the published guide (default:
``../shared/corpus/ai-educademy/blog/en/ai-career-paths.mdx``) and quiz.jsonl
with what this script would write.
"""

from __future__ import annotations

import itertools
import json
import re
import sys
from collections import Counter
from pathlib import Path

HERE = Path(__file__).resolve().parent
OUT = HERE / "quiz.jsonl"
DEFAULT_GUIDE = HERE.parents[2] / "shared" / "corpus" / "ai-educademy" / "blog" / "en" / "ai-career-paths.mdx"

MLE = "Machine Learning Engineer"
DS = "Data Scientist"
RS = "AI/ML Research Scientist"
MLOPS = "MLOps / AI Infrastructure Engineer"
PM = "AI Product Manager"
PE = "Prompt Engineer / AI Solutions Specialist"
SAFETY = "AI Safety & Ethics Researcher"
NLP = "NLP / LLM Engineer"  # a listed-only track (no detailed profile)

# The guide's short names -> corpus titles.
SHORT_NAMES = {
    "ML Engineer": MLE,
    "Core ML Engineering": MLE,
    "MLOps": MLOPS,
    "NLP/LLM Engineer": NLP,
    "AI PM": PM,
    "Prompt Engineer": PE,
    "AI Solutions Specialist": PE,
    "Ethics/Safety (policy track)": SAFETY,
    "AI Safety Researcher": SAFETY,
    "Research Scientist": RS,
    "Data Scientist": DS,
}

# question -> {answer: the guide's list, in the guide's words}
QUESTIONS = {
    "code": {
        True: ["ML Engineer", "MLOps", "NLP/LLM Engineer"],
        False: ["AI PM", "Prompt Engineer", "Ethics/Safety (policy track)"],
    },
    "research": {
        True: ["Research Scientist", "AI Safety Researcher"],
        False: ["ML Engineer", "Data Scientist", "MLOps"],
    },
    "stakeholders": {
        True: ["Data Scientist", "AI PM", "AI Solutions Specialist"],
        False: ["Research Scientist", "MLOps", "Core ML Engineering"],
    },
}
GUIDE_QUESTIONS = {
    "code": "Do you love writing code for its own sake?",
    "research": "Are you drawn to research and open-ended problems?",
    "stakeholders": "Do you enjoy working with business stakeholders?",
}

# background -> acceptable #1 (the guide's "What's your current background?")
BACKGROUNDS = {
    "software engineer": [MLE, MLOPS],
    "data analyst": [DS],
    "product manager": [PM],
    "writer/communications": [PE],
    "academic/researcher": [RS, SAFETY],
    "other": None,
}


def titles(short_names: list[str]) -> set[str]:
    """Corpus titles of a list of the guide's short names (a role counts once per list)."""
    return {SHORT_NAMES[name] for name in short_names}


def expected_top(code: bool, research: bool, stakeholders: bool, background: str) -> list[str]:
    """Acceptable #1 roles for one set of answers, sorted by title."""
    mapped = BACKGROUNDS[background]
    if mapped is not None:
        return sorted(mapped)
    counts: Counter[str] = Counter()
    for question, answer in (("code", code), ("research", research), ("stakeholders", stakeholders)):
        counts.update(titles(QUESTIONS[question][answer]))
    best = max(counts.values())
    return sorted(role for role, count in counts.items() if count == best)


def rows() -> list[dict]:
    out = []
    for background in BACKGROUNDS:
        for code, research, stakeholders in itertools.product((True, False), repeat=3):
            slug = re.sub(r"[^a-z]+", "-", background).strip("-")
            out.append(
                {
                    "id": f"quiz-c{int(code)}-r{int(research)}-s{int(stakeholders)}-{slug}",
                    "answers": {
                        "code": code,
                        "research": research,
                        "stakeholders": stakeholders,
                        "background": background,
                    },
                    "expected_top": expected_top(code, research, stakeholders, background),
                }
            )
    return out


def render() -> str:
    return "".join(json.dumps(row, ensure_ascii=False) + "\n" for row in rows())


def guide_lists(guide_text: str) -> dict[str, dict[bool, list[str]]]:
    """Parse the three yes/no lists from the published guide's markdown."""
    parsed: dict[str, dict[bool, list[str]]] = {}
    for key, heading in GUIDE_QUESTIONS.items():
        block = guide_text.split(f"**{heading}**", 1)[1].split("**", 1)[0]
        answers = dict(re.findall(r"→\s*(Yes|No):\s*(.+)", block))
        parsed[key] = {
            True: [n.strip() for n in answers["Yes"].split(",")],
            False: [n.strip() for n in answers["No"].split(",")],
        }
    return parsed


def check(guide: Path) -> list[str]:
    """Differences between this script's data and the guide / the committed quiz.jsonl."""
    problems = []
    if guide.exists():
        if guide_lists(guide.read_text(encoding="utf-8")) != QUESTIONS:
            problems.append(f"the yes/no lists differ from {guide}")
    else:
        problems.append(f"guide not found: {guide}")
    if not OUT.exists() or OUT.read_text(encoding="utf-8") != render():
        problems.append(f"{OUT} is not up to date")
    return problems


def main(argv: list[str]) -> int:
    if argv and argv[0] == "--check":
        problems = check(Path(argv[1]) if len(argv) > 1 else DEFAULT_GUIDE)
        for problem in problems:
            print(problem, file=sys.stderr)
        return 1 if problems else 0
    OUT.write_text(render(), encoding="utf-8")
    print(f"wrote {len(rows())} lines to {OUT}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
