"""The published guide (.mdx) read into role facts: `## N. Role` profiles with `**Label**:`
sub-sections, and the landscape list for the tracks without a profile. Tests and evals compare
this project's corpus against it; the app reads corpus/ (assistant.roles)."""

from __future__ import annotations

import re
from pathlib import Path

from assistant.mdtext import BULLET, split_headings, strip_md
from assistant.roles import (
    BREAK_IN,
    LABELS,
    SALARY,
    SKILLS,
    STANDARD_SECTIONS,
    SUITS,
    SUMMARY,
    TASKS,
    RoleFacts,
    aliases_for,
    canonical,
    listed_only,
    ordered,
    track_of,
)
from assistant.salaries import parse_salaries
from core.errors import BadInput
from ingest.loaders import split_front_matter

_BOLD_LABEL = re.compile(r"^\*\*(?P<label>[^*]+?)\*\*\s*(?P<extra>\([^)]*\))?\s*:?\s*(?P<rest>.*)$")
_NUMBERED_HEADING = re.compile(r"^##\s+(\d+)\.\s+(.+?)\s*$")

# A labelled block of a profile: (track, prose lines, bullet items).
_Block = tuple[str | None, list[str], list[str]]


def load_published_guide(path: Path) -> dict[str, RoleFacts]:
    """Read the published .mdx: `## N. Role` profiles with `**Label**:` sub-sections, and
    the landscape list for the tracks without a profile."""
    path = Path(path)
    if not path.is_file():
        raise BadInput(f"guide file {path} does not exist")
    meta, body = split_front_matter(path.read_text(encoding="utf-8"))
    roles: dict[str, RoleFacts] = {}
    landscape: tuple[str, str] | None = None
    for heading, text in split_headings(body, "## "):
        numbered = _NUMBERED_HEADING.match("## " + heading)
        if numbered:
            facts = _role_from_mdx(path, numbered.group(2), text)
            roles[facts.title] = facts
        elif "landscape" in heading.lower():
            landscape = (heading, text)
    if landscape is not None:
        heading, text = landscape
        for name, _ in listed_only({heading: text}, roles):
            roles[name] = RoleFacts(
                title=name,
                aliases=aliases_for(name, ()),
                source=str(path),
                sections={heading: text.strip()},
                detailed=False,
                document=str(meta.get("title") or path.stem),
            )
    if not roles:
        raise BadInput(f"no `## N. Role` sections in {path}")
    return ordered(roles)


def _role_from_mdx(path: Path, heading: str, text: str) -> RoleFacts:
    title = canonical(heading)
    parts = _labelled_blocks(text)

    def prose(name: str) -> str:
        return " ".join(" ".join(p) for _, p, _ in parts.get(name, [])).strip()

    tracks: dict[str, list[str]] = {}
    for track, p, b in parts.get(SKILLS, []):
        if track:
            tracks.setdefault(track, []).extend(_items(p, b))
    return RoleFacts(
        title=title,
        aliases=aliases_for(title, ()),
        summary=prose(SUMMARY),
        tasks=tuple(x for _, _, b in parts.get(TASKS, []) for x in b),
        skills=tuple(x for _, p, b in parts.get(SKILLS, []) for x in _items(p, b)),
        salaries=parse_salaries([x for _, _, b in parts.get(SALARY, []) for x in b]),
        suits=prose(SUITS),
        break_in=prose(BREAK_IN),
        notes=tuple(prose(n) for n in parts if n not in STANDARD_SECTIONS and prose(n)),
        source=str(path),
        sections=_sections(parts),
        detailed=True,
        skill_tracks={k: tuple(v) for k, v in tracks.items()},
    )


def _labelled_blocks(text: str) -> dict[str, list[_Block]]:
    """section -> its `**Label**:` blocks, in order (a label may come back for another track)."""
    parts: dict[str, list[_Block]] = {}
    current: list[_Block] | None = None
    for line in text.splitlines():
        stripped = line.strip()
        if not stripped or stripped == "---":
            continue
        label = _BOLD_LABEL.match(stripped)
        if label:
            raw = label.group("label").strip().rstrip(":").strip()
            track = track_of(raw) if "(" in raw else None
            base = re.sub(r"\s*\([^)]*\)\s*$", "", raw).strip()
            name = LABELS.get(base.lower(), base[:1].upper() + base[1:])
            current = parts.setdefault(name, [])
            rest = label.group("rest").strip()
            current.append((track, [rest] if rest else [], []))
            continue
        if current is None:
            continue
        bullet = BULLET.match(line)
        if bullet:
            current[-1][2].append(strip_md(bullet.group(1)))
        else:
            current[-1][1].append(stripped)
    return parts


def _items(prose_lines: list[str], bullets: list[str]) -> list[str]:
    """A block's list: its bullets, or an inline list ("**Skills needed (technical)**: A + B")."""
    if bullets:
        return bullets
    return [x.strip() for x in re.split(r"\s\+\s|,\s", " ".join(prose_lines)) if x.strip()]


def _sections(parts: dict[str, list[_Block]]) -> dict[str, str]:
    """Each section's text as the corpus writes it: prose, then bullets; tracks labelled."""
    sections: dict[str, str] = {}
    for name, blocks in parts.items():
        chunks = []
        for track, p, b in blocks:
            lead = f"{track.capitalize()} track: " if track else ""
            body = "\n".join([" ".join(p), *(f"- {x}" for x in b)]).strip()
            chunks.append(lead + body)
        sections[name] = "\n".join(chunks).strip()
    return sections
