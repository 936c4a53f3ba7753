"""Two roles compared on one of the quiz's questions ("who codes more, an ML engineer or an AI
PM?"): the quiz's own answer sides, and the lines of each role's profile that speak to it.
Code, not the model: the small model answered such questions in one unsupported line."""

from __future__ import annotations

import re
from collections.abc import Sequence

from assistant import lexicon
from assistant.cited import Computed, Sources
from assistant.quiz import GUIDE_NAMES, QUESTIONS, QUIZ_SECTION, Question, quiz_source_of
from assistant.roles import RoleFacts
from assistant.understanding import Reading

LINES_PER_ROLE = 2


def compare_on_quiz(reading: Reading, facts: Sequence[RoleFacts]) -> Computed | None:
    """The comparison of `facts` on the quiz question the reading's words point to, or None."""
    question = _dimension(reading.text)
    if question is None or len(facts) < 2:
        return None
    sides = {f.title: _side(question, f.title) for f in facts}
    if None in sides.values():
        return None  # the quiz does not place every role: the model reads their profiles
    src = Sources()
    quiz = src.cite_text(quiz_source_of({f.title: f for f in facts}), f"{QUIZ_SECTION} / {question.text}",
                         f"{question.text} Yes: {', '.join(question.yes)}. No: {', '.join(question.no)}.")
    lines = [f"The guide's quiz asks \"{question.text}\" {quiz}"]
    for f in facts:
        side = sides[f.title]
        where = "the quiz's Yes answer points to it" if side else "the quiz's No answer points to it"
        lines.append(f"- {f.title}: {where}.")
    yes = [t for t, side in sides.items() if side is True]
    no = [t for t, side in sides.items() if side is False]
    if yes and no:
        lines.append(f"So by the guide's quiz, the {' and the '.join(yes)} leans further towards this than the "
                     f"{' and the '.join(no)}.")
    else:
        lines.append("The quiz puts them on the same side, so it does not say which leans further towards this.")
    said = [(f, section, line) for f in facts for section, line in _lines_about(f, question.key)]
    if said:
        lines.append("\nWhat the role profiles say:")
        lines += [f"- {f.title}: {line} {src.cite(f, section)}" for f, section, line in said]
    return Computed("\n".join(lines), src.items)


def _dimension(text: str) -> Question | None:
    low = text.lower()
    found = [key for key, words in lexicon.QUIZ_DIMENSION_WORDS.items()
             if any(re.search(rf"(?<![\w-]){re.escape(w)}(?![\w-])", low) for w in words)]
    if len(found) != 1:
        return None  # none, or several: not one of the quiz's questions
    return next(q for q in QUESTIONS if q.key == found[0])


def _side(question: Question, title: str) -> bool | None:
    if any(GUIDE_NAMES.get(name) == title for name in question.yes):
        return True
    if any(GUIDE_NAMES.get(name) == title for name in question.no):
        return False
    return None


def _lines_about(facts: RoleFacts, key: str) -> list[tuple[str, str]]:
    """Up to LINES_PER_ROLE lines or sentences of the role's profile using the question's words."""
    words = lexicon.QUIZ_DIMENSION_WORDS[key]
    found: list[tuple[str, str]] = []
    for section, body in facts.sections.items():
        if section == "Salary range":
            continue
        for piece in re.split(r"\n+|(?<=[.!?])\s+", body):
            piece = piece.strip().lstrip("-* ").strip()
            low = piece.lower()
            if piece and not piece.endswith(":") and any(
                    re.search(rf"(?<![\w-]){re.escape(w)}", low) for w in words):
                found.append((section, piece))
    return found[:LINES_PER_ROLE]
