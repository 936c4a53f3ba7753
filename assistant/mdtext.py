"""Small readers of the guide's markdown: headings, bullets, prose, bare text."""

from __future__ import annotations

import re

BULLET = re.compile(r"^\s*(?:[-*+]|\d+[.)])\s+(.*\S)\s*$")


def norm(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", " ", text.lower().replace("&", " and ")).strip()


def strip_md(text: str) -> str:
    return re.sub(r"[*_`]", "", text).strip()


def split_headings(body: str, marker: str) -> list[tuple[str, str]]:
    """[(heading, text)] for every heading that starts with exactly `marker` ("## ")."""
    out: list[tuple[str, str]] = []
    current: str | None = None
    lines: list[str] = []
    for line in body.splitlines():
        if line.startswith(marker):
            if current is not None:
                out.append((current, "\n".join(lines)))
            current, lines = line[len(marker) :].strip(), []
        elif current is not None:
            lines.append(line)
    if current is not None:
        out.append((current, "\n".join(lines)))
    return out


def markdown_sections(body: str) -> dict[str, str]:
    return {h: t.strip() for h, t in split_headings(body, "## ")}


def bullets(text: str) -> list[str]:
    return [strip_md(m.group(1)) for line in text.splitlines() if (m := BULLET.match(line))]


def prose(text: str) -> str:
    """The text as one paragraph: bullets become sentences, sub-headings go."""
    keep = []
    for line in text.splitlines():
        stripped = line.strip()
        if not stripped or stripped.startswith("#") or stripped == "---":
            continue
        bullet = BULLET.match(line)
        if bullet:
            item = strip_md(bullet.group(1))
            keep.append(item if item.endswith((".", "!", "?", ";", ":")) else item + ".")
        else:
            keep.append(stripped)
    return " ".join(keep).strip()
