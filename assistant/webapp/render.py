"""HTML for the web app, from the Jinja2 templates beside this module: answers with linked
citations, the sources panel, role cards and their plans, the comparison and error lines.

The templates' environment escapes every value (autoescape), so text from a guide file or
typed by a person is shown as text and cannot run in the page. An answer's own text is chat
markdown and is escaped here with `md_escape`.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping, Sequence
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from jinja2 import Environment, PackageLoader, StrictUndefined
from markupsafe import Markup

from assistant.webapp.page import SOURCES_PLACEHOLDER
from assistant.webapp.text import md_escape, prose, region_label, sentence, short

if TYPE_CHECKING:
    from jinja2 import Template

    from assistant.recommend import RoleCard
    from assistant.roles import RoleFacts
    from assistant.webapp.chat import ChatTurn

_CITATION = re.compile(r"\[(\d{1,3})\]")
# Template layout (a newline between two tags) is not content: values are escaped, so a ">"
# followed by a line break and "<" can only come from the template itself.
_LAYOUT = re.compile(r">\s*\n\s*<")


def render(name: str, **context: Any) -> str:
    """The template `name` filled with `context`, without its layout whitespace."""
    return _LAYOUT.sub("><", _template(name).render(**context)).strip()


def answer_markdown(turn: ChatTurn, index: int) -> str:
    """An answer as chat markdown: its [n] become links to the passages in the sources
    panel, with a line naming the cited sections and any notice."""
    parts = _macros("answer.html")
    if turn.pending and not turn.answer:
        return str(parts.thinking())
    if turn.mode == "error":
        return md_escape(turn.answer)
    ids = {int(s["id"]) for s in turn.sources}
    sections = {int(s["id"]): str(s.get("section", "")) for s in turn.sources}
    body = link_citations(md_escape(turn.answer), f"src-{index}", ids, sections)
    if turn.pending:
        return body + " ▌"
    lines = [body]
    if turn.mode == "extractive":
        lines.append(str(parts.extractive_note()))
    cited = [_passage(s) for s in turn.sources if int(s["id"]) in cited_ids(turn.answer)]
    if cited and turn.mode != "recommendation":
        lines.append(str(parts.sources_line(index, cited)))
    if turn.notice:
        lines.append(str(parts.notice(turn.notice)))
    return "\n\n".join(lines)


def link_citations(text: str, prefix: str, ids: set[int], sections: Mapping[int, str] | None = None) -> str:
    """Turn each [n] naming a known source into a link to `#<prefix>-<n>`."""
    sections = sections or {}
    citation = _macros("answer.html").citation

    def link(m: re.Match[str]) -> str:
        n = int(m.group(1))
        return str(citation(prefix, n, sections.get(n, ""))) if n in ids else m.group(0)

    return _CITATION.sub(link, text)


def cited_ids(text: str) -> set[int]:
    return {int(n) for n in _CITATION.findall(text or "")}


def sources_panel_html(turns: Sequence[ChatTurn]) -> str:
    """Every answer's guide passages, the latest answer first and open; each passage has
    the id its citations link to (`src-<turn>-<n>`). All text is escaped."""
    groups = []
    for index in range(len(turns) - 1, -1, -1):
        turn = turns[index]
        if not turn.sources:
            continue
        latest = not groups
        cited = cited_ids(turn.answer)
        items = []
        for s in turn.sources:
            item = _passage(s)
            item["cited"] = item["n"] in cited
            item["open"] = latest and item["cited"]
            items.append(item)
        groups.append({"index": index, "open": latest, "question": short(turn.question, 90),
                       "passages": items})
    return render("sources_panel.html", groups=groups, placeholder=SOURCES_PLACEHOLDER)


def error_html(message: str) -> str:
    """A one-line problem, shown where a result would be."""
    return render("error.html", message=" ".join(str(message).split()))


def card_html(card: RoleCard, rank: int) -> str:
    """One recommended role: a fit bar, why it fits, salary, skills to learn, how to break
    in, each with citations linking to `#src-quiz-<n>`."""
    reason_ids = card.cites.get("reasons", [])
    reasons = [(sentence(r), reason_ids[i] if i < len(reason_ids) else None)
               for i, r in enumerate(card.reasons)]
    salary = [{"region": region_label(s["region"]), "range": s["range"], "qualifier": s.get("qualifier")}
              for s in card.salary]
    return render(
        "card.html", card=card, rank=rank, cites=card.cites, pct=max(0, min(100, round(card.score * 100))),
        why=prose(card.why), reasons=reasons, salary=salary,
        break_in=prose(card.break_in),
        learn_next=Markup(learn_next_html(card)) if card.detailed else "")


def learn_next_html(card: RoleCard) -> str:
    """"Learn next": the card's lessons from the course library, easiest level first, each
    linking to its passage (`#lesson-<key>` in the sources panel); without a library, one
    line saying how to add one."""
    from assistant.plan import flatten

    if not card.plan_note and not card.plan:
        return ""
    steps = [{"key": lesson_key(s.source, s.section), "title": s.title, "level": s.level,
              "skill": short(s.skill, 60), "why": s.why} for s in flatten(card.plan)]
    missing = [p.skill for p in card.plan if not p.steps]
    return render("learn_next.html", plan_note=card.plan_note, steps=steps, missing=missing)


def lesson_key(source: str, section: str) -> str:
    """A stable HTML id for one lesson passage."""
    return hashlib.sha1(f"{source}\n{section}".encode()).hexdigest()[:10]


def lesson_sources_html(cards: Sequence[RoleCard]) -> str:
    """The lesson passages the cards' plans cite (ids `lesson-<key>`), escaped and marked as library."""
    from assistant.plan import flatten

    seen: dict[str, Any] = {}
    for card in cards:
        for step in flatten(card.plan):
            seen.setdefault(lesson_key(step.source, step.section), step)
    if not seen:
        return ""
    steps = [(key, {"title": s.title, "section": s.section, "file": Path(s.source).name,
                    "passage": s.passage}) for key, s in seen.items()]
    return render("lesson_sources.html", steps=steps)


def card_sources_html(cards: Sequence[RoleCard]) -> str:
    """The guide passages the cards cite (ids `src-quiz-<n>`), escaped."""
    seen: dict[int, dict] = {}
    for card in cards:
        for s in card.sources:
            seen.setdefault(int(s["id"]), s)
    if not seen:
        return ""
    return render("card_sources.html", items=[_passage(s) for _n, s in sorted(seen.items())])


def profiled_roles(roles: Mapping[str, RoleFacts]) -> list[str]:
    """Titles of the roles the guide describes in full (the ones worth comparing)."""
    return [t for t, f in roles.items() if f.detailed]


def comparison_rows(a: RoleFacts, b: RoleFacts) -> list[dict]:
    """Section by section, what the guide says about two roles:
    [{"label", "a": str | list[str], "b": ...}]; a missing section is ""."""
    from assistant.roles import BREAK_IN, SALARY, SKILLS, SUITS, SUMMARY, TASKS

    def salary(f: RoleFacts) -> list[str]:
        return [f"{region_label(s.region)}: {s.display(with_qualifier=True)}" for s in f.salaries]

    def section(f: RoleFacts, name: str) -> str:
        return prose(f.sections.get(name, "")) if f.sections.get(name) else ""

    rows = [
        {"label": "In short", "a": a.summary or section(a, SUMMARY), "b": b.summary or section(b, SUMMARY)},
        {"label": "Day to day", "a": list(a.tasks), "b": list(b.tasks), "section": TASKS},
        {"label": "Skills", "a": list(a.skills), "b": list(b.skills), "section": SKILLS},
        {"label": "Salary (the guide's 2026 estimates)", "a": salary(a), "b": salary(b), "section": SALARY},
        {"label": "Who it suits", "a": a.suits, "b": b.suits, "section": SUITS},
        {"label": "How to break in", "a": a.break_in, "b": b.break_in, "section": BREAK_IN},
    ]
    for row in rows:
        row.setdefault("section", SUMMARY)
    return rows


def comparison_html(roles: Mapping[str, RoleFacts], title_a: str | None, title_b: str | None) -> str:
    """Two roles side by side (stacked per section on a narrow screen), escaped."""
    if not title_a or not title_b or title_a not in roles or title_b not in roles:
        return render("pick_two.html")
    a, b = roles[title_a], roles[title_b]
    files = sorted({Path(f.source).name for f in (a, b) if f.source})
    return render("comparison.html", a=a, b=b, rows=comparison_rows(a, b), files=files)


def _passage(s: Mapping[str, Any]) -> dict[str, Any]:
    """A source dict as the templates show it: number, section, file name, text."""
    return {"n": int(s["id"]), "section": str(s.get("section", "")),
            "file": Path(str(s.get("source", ""))).name, "text": str(s.get("text", "")).strip()}


@cache
def _environment() -> Environment:
    """The templates' environment, built once per process (on first use, not at import)."""
    env = Environment(loader=PackageLoader("assistant.webapp", "templates"), autoescape=True,
                      trim_blocks=True, lstrip_blocks=True, undefined=StrictUndefined,
                      keep_trailing_newline=False)
    env.tests["list_value"] = lambda value: isinstance(value, list)
    return env


def _template(name: str) -> Template:
    return _environment().get_template(name)


def _macros(name: str) -> Any:
    """The macros a template defines, as callables returning escaped markup."""
    return _template(name).module
