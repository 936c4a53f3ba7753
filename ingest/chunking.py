"""Chunking: Documents -> heading-aware chunks that keep a role's sub-section together."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field

from langchain_core.documents import Document

MAX_CHARS = 1200   # a section longer than this is split (at ### first, then at paragraphs)
TARGET_CHARS = 900
PATH_SEP = " > "

_MD_HEADING = re.compile(r"^(#{1,6})\s+(.+?)\s*#*\s*$")
# "**Salary range** (2026 estimates):", "**The role**: text", "**Do you ...?**"
_BOLD_LABEL = re.compile(r"^\*\*([^*\n]{2,90}?)\*\*\s*(.*)$")
_NUMBERED = re.compile(r"^\d+\.\s+")
_FENCE = re.compile(r"^\s*(```|~~~)")

# The published guide's labels -> this project's section names (docs/corpus-format.md).
SECTION_ALIASES = {
    "the role": "Summary",
    "skills needed": "Skills",
    "salary ranges": "Salary range",
    "skills needed (technical)": "Skills (technical track)",
    "skills needed (policy)": "Skills (policy track)",
    "day-to-day tasks (policy/ethics track)": "Day-to-day tasks (policy and ethics track)",
}


@dataclass
class _Section:
    parents: list[str]  # the headings above this section (document title, role)
    role: str
    section: str
    lines: list[str] = field(default_factory=list)


def chunk_documents(docs: list[Document]) -> list[Document]:
    """Split every document into section chunks with metadata and a stable id."""
    chunks: list[Document] = []
    ordinals: dict[str, int] = {}
    for doc in docs:
        for chunk in chunk_document(doc):
            key = chunk.metadata["path"]
            ordinal = ordinals.get(key, 0)
            ordinals[key] = ordinal + 1
            chunk.metadata["ordinal"] = ordinal
            chunk.metadata["chunk_id"] = chunk_id(key, ordinal, chunk.page_content)
            chunk.id = chunk.metadata["chunk_id"]
            chunks.append(chunk)
    return chunks


def chunk_document(doc: Document) -> list[Document]:
    meta = doc.metadata
    title = str(meta.get("title") or "").strip()
    front_role = str(meta.get("role") or "").strip()
    sections = _split_sections(doc.page_content, title, front_role)
    chunks: list[Document] = []
    for sec in sections:
        body = "\n".join(sec.lines).strip()
        if not _has_text(body):
            continue
        for section_name, part in _split_long(sec.section, body):
            path = _dedupe([*sec.parents, section_name])
            heading_path = PATH_SEP.join(p for p in path if p)
            md = {k: v for k, v in meta.items() if k not in {"role", "section", "heading_path"}}
            md.update(role=sec.role, section=section_name, heading_path=heading_path,
                      citation=f"{sec.role or title} / {section_name}")
            chunks.append(Document(page_content=f"{heading_path}\n{part}", metadata=md))
    return chunks


def chunk_body(chunk: Document) -> str:
    """A chunk's text without the heading path line that was prefixed for embedding."""
    heading_path = chunk.metadata.get("heading_path", "")
    text = chunk.page_content
    if heading_path and text.startswith(heading_path):
        return text[len(heading_path):].lstrip("\n")
    return text


def chunk_id(path_key: str, ordinal: int, content: str) -> str:
    """Stable: the same file, position and text always give the same id."""
    file_part = hashlib.sha1(path_key.encode()).hexdigest()[:12]
    text_part = hashlib.sha1(content.encode()).hexdigest()[:12]
    return f"{file_part}-{ordinal:04d}-{text_part}"


def canonical_section(label: str) -> str:
    label = re.sub(r"\s+", " ", label.strip().rstrip(":").strip())
    return SECTION_ALIASES.get(label.lower(), label)


def _split_sections(text: str, title: str, front_role: str) -> list[_Section]:
    h2 = ""
    role = front_role
    current = _Section(parents=[title], role=role, section="Introduction")
    sections = [current]
    in_fence = False
    for line in text.splitlines():
        if _FENCE.match(line):
            in_fence = not in_fence
        heading = None if in_fence else _MD_HEADING.match(line)
        label = None if in_fence or heading else _BOLD_LABEL.match(line)
        if heading and len(heading.group(1)) <= 2:
            level, name = len(heading.group(1)), _clean(heading.group(2))
            if level == 1:
                title = title or name
                current = _Section(parents=[name], role=front_role, section="Introduction")
            else:
                h2 = _NUMBERED.sub("", name)
                if _NUMBERED.match(name) and not front_role:
                    role = h2   # the published guide: "## 3. AI/ML Research Scientist"
                elif not front_role:
                    role = ""
                if role and not front_role:
                    current = _Section(parents=[title, h2], role=role, section="Summary")
                else:
                    current = _Section(parents=[title], role=front_role, section=canonical_section(h2))
            sections.append(current)
        elif label and _is_label(label.group(1), label.group(2)):
            name = canonical_section(label.group(1))
            rest = label.group(2).lstrip(":").strip()
            parents = [title, h2] if h2 else [title]
            current = _Section(parents=parents, role=current.role if h2 else front_role, section=name)
            sections.append(current)
            if rest:
                current.lines.append(rest)
        else:
            current.lines.append(line)
    return sections


def _is_label(label: str, rest: str) -> bool:
    """A bold run that acts as a sub-heading, not bold words inside a sentence."""
    label = label.strip()
    if label.endswith(":") or rest.startswith(":"):
        return True
    if not rest and (label.endswith("?") or len(label.split()) <= 8):
        return True
    return bool(re.match(r"^\([^)]*\)\s*:?\s*$", rest))


def _split_long(section: str, body: str) -> list[tuple[str, str]]:
    if len(body) <= MAX_CHARS:
        return [(section, body)]
    parts: list[tuple[str, str]] = []
    # First at ### headings, then greedily at blank lines, keeping paragraphs whole.
    blocks = re.split(r"(?m)^(?=#{3,6}\s)", body)
    for block in blocks:
        block = block.strip()
        if not block:
            continue
        sub = re.match(r"#{3,6}\s+(.+)", block)
        name = f"{section}: {_clean(sub.group(1))}" if sub and len(body) > MAX_CHARS else section
        if len(block) <= MAX_CHARS:
            parts.append((name, block))
            continue
        buf = ""
        for para in re.split(r"\n\s*\n", block):
            if buf and len(buf) + len(para) > TARGET_CHARS:
                parts.append((name, buf.strip()))
                buf = ""
            while len(para) > MAX_CHARS:  # one enormous paragraph: cut at a sentence end
                cut = para.rfind(". ", 0, TARGET_CHARS)
                cut = cut + 1 if cut > 0 else TARGET_CHARS
                parts.append((name, para[:cut].strip()))
                para = para[cut:]
            buf += para + "\n\n"
        if buf.strip():
            parts.append((name, buf.strip()))
    if len(parts) > 1:
        seen: dict[str, int] = {}
        numbered = []
        for name, text in parts:
            seen[name] = seen.get(name, 0) + 1
            numbered.append((name if seen[name] == 1 else f"{name} (part {seen[name]})", text))
        return numbered
    return parts


def _clean(text: str) -> str:
    text = re.sub(r"[*_`]", "", text)
    return re.sub(r"\s+", " ", text).strip()


def _dedupe(path: list[str]) -> list[str]:
    out: list[str] = []
    for p in path:
        if p and (not out or out[-1] != p):
            out.append(p)
    return out


def _has_text(body: str) -> bool:
    return bool(re.search(r"[A-Za-z0-9]", re.sub(r"^-{3,}$", "", body, flags=re.M)))
