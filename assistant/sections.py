"""A role's own section quoted as the guide writes it, with its citation: asked plainly ("what
does an MLOps engineer do?"), or a section only some profiles have ("which job is most in
demand?": the one Growth outlook)."""

from __future__ import annotations

import re
from collections.abc import Mapping

from assistant import lexicon
from assistant.cited import Computed, Sources
from assistant.roles import RoleFacts


def role_section(topic: str | None, facts: RoleFacts) -> Computed | None:
    """The role's section for `topic` (a lexicon topic or a section name), or None when it has none."""
    section = lexicon.TOPIC_SECTION.get(topic or "", topic)
    body = facts.sections.get(section or "", "").strip()
    if not section or not body:
        return None
    src = Sources()
    text = cited_section(src, facts, section, body)
    skills = facts.sections.get(lexicon.TOPIC_SECTION["skills"], "").strip()
    if topic == "break_in" and skills:
        # Breaking in is building what the role asks for: the guide's skills for it come with its route.
        text += "\n\n" + cited_section(src, facts, lexicon.TOPIC_SECTION["skills"], skills)
    return Computed(text, src.items)


def only_some_have(section: str, roles: Mapping[str, RoleFacts]) -> Computed | None:
    """A section only some profiles have, quoted from each of them."""
    having = [f for f in roles.values() if f.sections.get(section, "").strip()]
    if not having:
        return None
    src = Sources()
    lead = f"The guide gives a {section.lower()} only for the {' and the '.join(f.title for f in having)}:"
    return Computed("\n\n".join([lead, *(cited_section(src, f, section, f.sections[section].strip()) for f in having)]),
                    src.items)


def cited_section(src: Sources, facts: RoleFacts, section: str, body: str) -> str:
    """The section's text, its sub-headings as italics and its first line carrying the citation."""
    lines = re.sub(r"^###\s+(.+?)\s*$", r"*\1*", body, flags=re.M).splitlines()
    first = lines[0].rstrip()
    ref = src.cite(facts, section)
    lines[0] = f"{first[:-1]} {ref}:" if first.endswith(":") else f"{first} {ref}"
    return "\n".join(lines)
