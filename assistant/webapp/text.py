"""Small text shapers shared by the web app's views: previews, markdown escaping, prose."""

from __future__ import annotations

import re

PREVIEW_CHARS = 280
CONTROL_CHARS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_REGION_LABELS = {"uk": "UK", "us": "US", "global": "Global tech hubs"}


def md_escape(text: str) -> str:
    """Neutralise HTML in text that goes into chat markdown; markdown itself still renders."""
    return (text or "").replace("&", "&amp;").replace("<", "&lt;")


def preview(text: str) -> str:
    text = CONTROL_CHARS.sub(" ", text or "").strip()
    if len(text) <= PREVIEW_CHARS:
        return text
    return f"{text[:PREVIEW_CHARS].rstrip()}… ({len(text):,} characters)"


def short(text: str, limit: int) -> str:
    text = " ".join((text or "").split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def region_label(region: str) -> str:
    if not region:
        return ""
    return _REGION_LABELS.get(region.lower(), region)


def prose(text: str) -> str:
    return " ".join(ln.strip().lstrip("-* ").strip() for ln in (text or "").splitlines() if ln.strip())


def sentence(text: str) -> str:
    text = text.strip()
    return text[:1].upper() + text[1:] if text else text
