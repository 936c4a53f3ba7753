"""Questions about the guide itself and about what the assistant does: "who wrote the guide?",
"where does your info come from, how current is it?", "what can you help me with?". The
answer is the corpus's own "About this guide" section, cited, and what the assistant covers,
by code: the small model, given the same passage, dropped the author's name."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from assistant.cited import Computed, Sources
from assistant.mdtext import markdown_sections, strip_md
from assistant.roles import RoleFacts

ABOUT_SECTION = "About this guide"
OVERVIEW_FILE = "overview.md"


def about_text(roles: Mapping[str, RoleFacts]) -> tuple[str, str] | None:
    """(source path, text) of the corpus's "About this guide" section, or None without one."""
    for facts in roles.values():
        if not facts.source:
            continue
        path = Path(facts.source).parent / OVERVIEW_FILE
        try:
            body = path.read_text(encoding="utf-8")
        except OSError:
            return None
        text = markdown_sections(body).get(ABOUT_SECTION, "").strip()
        return (str(path), text) if text else None
    return None


def what_i_cover(roles: Mapping[str, RoleFacts]) -> str:
    profiled = [f.title for f in roles.values() if f.detailed]
    return ("I answer questions about AI careers from one guide, and only from it, citing the passages I use: "
            f"the roles it profiles ({', '.join(profiled)}), their day-to-day tasks, skills, salary ranges "
            "by region, who each suits and how to break in; I can compare and rank roles on those, and the "
            "Quiz tab (or telling me about yourself here) gives a personal path recommendation.")


def about_the_guide(roles: Mapping[str, RoleFacts], help_asked: bool = False) -> Computed | None:
    """The guide's provenance from its About section (and what the assistant covers when the
    question asks what it can do); None when the corpus has no About section."""
    found = about_text(roles)
    if found is None:
        return None
    source, text = found
    src = Sources()
    first = strip_md(text.split("\n\n", 1)[0]).strip()
    provenance = first.split(". ", 1)[0].rstrip(".") + "."
    ref = src.cite_text(source, f"Overview / {ABOUT_SECTION}", text)
    lines = [what_i_cover(roles)] if help_asked else []
    lines.append(f"{provenance} {ref}")
    if not help_asked:
        lines.append("Everything I answer comes from that guide, with citations; it gives its figures as 2026 estimates.")
    return Computed("\n\n".join(lines), src.items)
