"""Roles set side by side, by code: what the quiz asks ("what questions does the guide ask to help
you pick a path?"); two roles compared on one of its questions ("who codes more, an ML engineer or
an AI PM?") with the quiz's answer sides and the profile lines that speak to it; two roles' same
section ("ds vs mle skills"), or, asked how they differ, their summaries and what the guide says
tells them apart; the roles at one end of a quiz question ("the least technical jobs"); and a
role's own tracks. The small model answered such questions in one
unsupported line, from the chunks' headers, or with claims of its own ("MLOps is a subset of...")."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import replace

from assistant import lexicon, phrasing
from assistant.cited import Computed, Sources
from assistant.quiz import (
    BACKGROUND_QUESTION,
    BACKGROUND_SECTION,
    BACKGROUNDS,
    GUIDE_NAMES,
    QUESTIONS,
    QUIZ_SECTION,
    Question,
    quiz_source_of,
)
from assistant.roles import RoleFacts, alias_pattern, without_role_names
from assistant.understanding import Reading

LINES_PER_ROLE = 2


def what_the_quiz_asks(roles: Mapping[str, RoleFacts]) -> Computed:
    """The quiz's questions, each with the roles its answers point to."""
    src = Sources()
    where = quiz_source_of(roles)
    lines = [f"The guide's \"{QUIZ_SECTION}\" quiz asks these questions:"]
    for n, q in enumerate(QUESTIONS, start=1):
        ref = src.cite_text(where, f"{QUIZ_SECTION} / {q.text}", f"{q.text} Yes: {', '.join(q.yes)}. No: {', '.join(q.no)}.")
        lines.append(f"{n}. {q.text} Yes points to {', '.join(q.yes)}; no points to {', '.join(q.no)}. {ref}")
    named = [b for b in BACKGROUNDS if b.roles]
    text = "; ".join(f"{b.label} → {' or '.join(b.roles)}" for b in named)
    ref = src.cite_text(where, f"{QUIZ_SECTION} / {BACKGROUND_SECTION}", text)
    lines.append(f"{len(QUESTIONS) + 1}. {BACKGROUND_QUESTION} {text}. {ref}")
    lines.append("\nTo get your own recommendation, answer them in the Quiz tab, or tell me about yourself here.")
    return Computed("\n".join(lines), src.items)


def compare_on_quiz(reading: Reading, facts: Sequence[RoleFacts]) -> Computed | None:
    """The comparison of `facts` on the quiz question the reading's words point to, or None."""
    question = _dimension(without_role_names(reading.text.lower(), facts))  # not the "research" of "research scientist"
    if question is None or len(facts) < 2:
        return None
    sides = {f.title: _side(question, f.title) for f in facts}
    said = [(f, section, line) for f in facts for section, line in _lines_about(f, question.key)]
    if None in sides.values() and {f.title for f, _, _ in said} != {f.title for f in facts}:
        return None  # neither the quiz nor the profiles' own lines place every role: the model reads them
    src = Sources()
    quiz = quiz_ref(src, {f.title: f for f in facts}, question)
    lines = [f"The guide's quiz asks \"{question.text}\" {quiz}"]
    for f in facts:
        side = sides[f.title]
        where = {True: "the quiz's Yes answer points to it", False: "the quiz's No answer points to it",
                 None: "the quiz does not place it on this question"}[side]
        lines.append(f"- {f.title}: {where}.")
    yes = [t for t, side in sides.items() if side is True]
    no = [t for t, side in sides.items() if side is False]
    if None in sides.values():
        lines.append("So the quiz alone does not say which leans further towards this; the profiles' own lines do.")
    elif yes and no:
        lines.append(f"So by the guide's quiz, the {' and the '.join(yes)} leans further towards this than the "
                     f"{' and the '.join(no)}.")
    else:
        lines.append("The quiz puts them on the same side, so it does not say which leans further towards this.")
    if said:
        lines.append("\nWhat the role profiles say:")
        lines += [f"- {f.title}: {line} {src.cite(f, section)}" for f, section, line in said]
    return Computed("\n".join(lines), src.items)


def rank_on_quiz(reading: Reading, roles: Mapping[str, RoleFacts]) -> Computed | None:
    """ "what are the least technical kinds of AI work?": with no role named, a superlative on one
    of the quiz's questions is the side of it the quiz puts roles on (the guide ranks no further)."""
    question = _dimension(without_role_names(reading.text.lower(), roles.values()))
    low = reading.text.lower()
    if question is None or reading.roles or not reading.direction or not any(
            re.search(rf"(?<![\w-]){w}(?![\w-])", low) for w in lexicon.SUPERLATIVES):
        return None
    yes = reading.direction == "high"
    side = question.yes if yes else question.no
    src = Sources()
    ref = quiz_ref(src, roles, question)
    named = [GUIDE_NAMES.get(n, n) + (f" ({m.group(1)})" if (m := re.search(r"\((.+)\)", n)) else "") for n in side]
    return Computed(f"The guide does not rank the roles on this, but its quiz asks \"{question.text}\" and a "
                    f"{'Yes' if yes else 'No'} points to {', '.join(named)}. {ref}", src.items)


def quiz_condition(text: str, roles: Mapping[str, RoleFacts]) -> tuple[Question, bool] | None:
    """The quiz question a condition in `text` answers, and how ("best paid job where i don't have
    to write code": the code question, No); None when it names none, or several. Role names
    are no condition ("research scientist")."""
    low = without_role_names(text.lower(), roles.values()).replace("non-", "non ")
    hits = {key: [w for w in words if re.search(rf"(?<![\w-]){re.escape(w)}(?![\w-])", low)]
            for key, words in lexicon.QUIZ_DIMENSION_WORDS.items()}
    hits = {key: words for key, words in hits.items() if words}
    if len(hits) != 1:
        return None
    key, words = next(iter(hits.items()))
    refused = any(phrasing.refused(low, w) or re.search(rf"\bnon\s+{re.escape(w)}", low) for w in words)
    return next(q for q in QUESTIONS if q.key == key), not refused


def quiz_set_aside(text: str, roles: Mapping[str, RoleFacts]) -> Question | None:
    """The quiz question whose subject `text` sets aside ("ignoring research, ...", "research
    aside"): the roles its Yes side points to are left out, the rest stay (not only its No side)."""
    low = without_role_names(text.lower(), roles.values())
    hits = {key for key, words in lexicon.QUIZ_DIMENSION_WORDS.items() if any(phrasing.ruled_out(low, w) for w in words)}
    if len(hits) != 1:
        return None
    key = hits.pop()
    return next(q for q in QUESTIONS if q.key == key)


def on_side(question: Question, yes: bool) -> dict[str, str | None]:
    """The guide's roles an answer to `question` points to, each with the track it names
    ("Ethics/Safety (policy track)": "policy"), or None for the whole role."""
    out: dict[str, str | None] = {}
    for name in question.yes if yes else question.no:
        title = GUIDE_NAMES.get(name)
        if title:
            track = re.search(r"\((\w+) track\)", name)
            out[title] = track.group(1).lower() if track else None
    return out


def quiz_ref(src: Sources, roles: Mapping[str, RoleFacts], question: Question) -> str:
    """The citation of the quiz question, its Yes and No sides quoted."""
    return src.cite_text(quiz_source_of(roles), f"{QUIZ_SECTION} / {question.text}",
                         f"{question.text} Yes: {', '.join(question.yes)}. No: {', '.join(question.no)}.")


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


def compare_tracks(reading: Reading, facts: RoleFacts) -> Computed | None:
    """A role's own tracks side by side ("the technical and the policy tracks in AI safety"):
    its tasks and skills sections, which the guide splits by track. None unless the question
    names two or more of the role's tracks, or asks yes or no about the role's skills ("do all AI
    safety jobs need a strong ML background?"): the track decides that answer."""
    named = tracks_named(reading.text, facts)
    depends = reading.yes_no and reading.topic == "skills" and len(facts.skill_tracks) >= 2 and len(named) < 2
    if len(named) < 2 and not depends:
        return None
    src = Sources()
    parts = [f"The guide splits the {facts.title}'s work into tracks{', so it depends on the track' if depends else ''}:"]
    sections = ("Skills",) if depends else ("Day-to-day tasks", "Skills") + (("Salary range",) if reading.topic == "salary" else ())
    for section in sections:
        body = re.sub(r"^###\s+(.+?)\s*$", r"*\1*", facts.sections.get(section, "").strip(), flags=re.M)
        if body:
            parts.append(f"\n**{section}** {src.cite(facts, section)}\n{body}")
    return Computed("\n".join(parts), src.items) if len(parts) > 1 else None


def tracks_named(text: str, facts: RoleFacts) -> list[str]:
    """The role's own tracks the text names ("AI safety, the policy track": "policy"), not those
    it rules out ("policy side, not technical")."""
    low = text.lower()
    return [t for t in facts.skill_tracks
            if re.search(rf"(?<![\w-]){re.escape(t.lower())}", low)
            and not phrasing.ruled_out(low, t.lower())]


def on_its_track(text: str, facts: RoleFacts) -> RoleFacts:
    """The role with only the salary lines of the one track the text names: asked the policy
    track's pay in the US, the technical track's dollars are not its answer."""
    named = tracks_named(text, facts)
    lines = tuple(r for r in facts.salaries if len(named) == 1 and named[0].lower() in r.region.lower())
    return replace(facts, salaries=lines) if lines else facts


SIDE_BY_SIDE_TOPICS = ("skills", "tasks", "suits", "break_in")
DIFFERENCE_WORDS = ("difference", "differences", "differ", "differs", "different", "vs", "v", "versus", "compare",
                    "compared", "comparison", "distinguish", "apart", "same", "similar", "alike", "overlap")


def asks_how_they_differ(reading: Reading) -> bool:
    """ "how do X and Y differ?", "X vs Y: research or building?": a difference asked with no
    direction ("who codes more" has one, and is the quiz's to answer)."""
    low = reading.text.lower()
    return not reading.direction and any(re.search(rf"(?<![\w-]){re.escape(w)}(?![\w-])", low)
                                         for w in DIFFERENCE_WORDS)


def compare_profiles(reading: Reading, facts: Sequence[RoleFacts]) -> Computed | None:
    """Profiled roles side by side on the section asked ("ds vs mle skills"), or, asked plainly how
    they differ, each one's summary and the guide's own lines that tell them apart. None for other
    questions (why, which is harder...), which need the model."""
    if len(facts) < 2 or not all(f.detailed for f in facts) or reading.judgement or reading.yes_no:
        return None
    src = Sources()
    if reading.topic in SIDE_BY_SIDE_TOPICS:
        section = lexicon.TOPIC_SECTION[reading.topic]
        parts = [f"The guide's {lexicon.TOPIC_LABEL[reading.topic]} for each, side by side:"]
        for f in facts:
            body = re.sub(r"^###\s+(.+?)\s*$", r"*\1*", f.sections.get(section, "").strip(), flags=re.M)
            if body:
                parts.append(f"\n**{f.title}** {src.cite(f, section)}\n{body}")
        return Computed("\n".join(parts), src.items) if len(parts) > 1 else None
    own_section = (reading.topic or "").lower().startswith("how it differs")
    if (reading.topic not in {None, "summary"} and not own_section) or not asks_how_they_differ(reading):
        return None
    parts = ["How the guide describes each:"]
    for f in facts:
        summary = f.sections.get("Summary", "").strip()
        if summary:
            parts.append(f"- **{f.title}**: {summary} {src.cite(f, 'Summary')}")
    apart = [(f, name) for f in facts for name in f.sections if name.lower().startswith("how it differs")
             and any(alias_pattern(n).search(name + " " + f.sections[name])
                     for o in facts if o is not f for n in (o.title, *o.aliases))]
    if apart:
        parts.append("\nWhat the guide says tells them apart:")
        parts += [f"- {f.sections[name].strip()} {src.cite(f, name)}" for f, name in apart]
    return Computed("\n".join(parts), src.items) if len(parts) > 2 else None
