"""Loaders: guide files (.md, .mdx, .txt, .html, .pdf) -> LangChain Documents."""

from __future__ import annotations

import hashlib
import logging
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path

import yaml
from langchain_core.documents import Document

from core.errors import BadInput

logger = logging.getLogger(__name__)

SUPPORTED = (".md", ".mdx", ".markdown", ".txt", ".html", ".htm", ".pdf")
MAX_FILE_BYTES = 20 * 1024 * 1024
SKIP_NAMES = {"README.md", "ATTRIBUTION.md", "LICENSE.md"}
_FRONT_MATTER = re.compile(r"\A---\s*\n(.*?)\n---\s*(?:\n|\Z)", re.S)


@dataclass
class LoadResult:
    """What a load pass found: the documents, per-file hashes and one-line problems."""

    documents: list[Document] = field(default_factory=list)
    hashes: dict[str, str] = field(default_factory=dict)  # path key -> sha256 of the bytes
    problems: list[str] = field(default_factory=list)
    roots: list[Path] = field(default_factory=list)


def find_files(paths: Iterable[Path]) -> tuple[list[Path], list[Path], list[str]]:
    """Expand folders into supported files. Returns (files, roots, problems)."""
    files: list[Path] = []
    roots: list[Path] = []
    problems: list[str] = []
    seen: set[Path] = set()
    for raw in paths:
        path = Path(raw)
        if not path.exists():
            problems.append(f"{path}: no such file or folder")
            continue
        roots.append(path.resolve())
        if path.is_file():
            if path.resolve() not in seen:
                seen.add(path.resolve())
                files.append(path)
            continue
        found = sorted(
            p for p in path.rglob("*")
            if p.is_file() and not any(part.startswith(".") for part in p.relative_to(path).parts)
            and p.name not in SKIP_NAMES
        )
        supported = [p for p in found if p.suffix.lower() in SUPPORTED]
        for p in found:
            if p.suffix.lower() not in SUPPORTED and p.suffix.lower() not in {".json", ".yml", ".yaml"}:
                problems.append(f"{p}: skipped, unsupported file type {p.suffix or '(none)'} "
                                f"(supported: {', '.join(SUPPORTED)})")
        if not supported:
            problems.append(f"{path}: no supported files ({', '.join(SUPPORTED)}) in this folder")
        for p in supported:
            if p.resolve() not in seen:
                seen.add(p.resolve())
                files.append(p)
    return files, roots, problems


def load_paths(paths: Iterable[Path]) -> LoadResult:
    """Load every supported file under `paths`; a bad file is reported, never fatal."""
    files, roots, problems = find_files(paths)
    result = LoadResult(problems=problems, roots=roots)
    for path in files:
        try:
            data = _read_bytes(path)
            docs = load_bytes(path, data)
        except BadInput as exc:
            result.problems.append(str(exc))
            continue
        except Exception as exc:  # one odd file must not stop the others from being indexed
            logger.debug("loading %s failed", path, exc_info=True)
            result.problems.append(f"{path}: skipped, could not be read ({type(exc).__name__}: {exc})")
            continue
        result.hashes[path_key(path)] = hashlib.sha256(data).hexdigest()
        result.documents.extend(docs)
    return result


def load_file(path: Path) -> list[Document]:
    """Load one file (raises BadInput with a one-line reason)."""
    return load_bytes(path, _read_bytes(path))


def load_bytes(path: Path, data: bytes) -> list[Document]:
    suffix = path.suffix.lower()
    if suffix not in SUPPORTED:
        raise BadInput(f"{path}: unsupported file type {suffix or '(none)'} (supported: {', '.join(SUPPORTED)})")
    if suffix == ".pdf":
        return _load_pdf(path, data)
    text = _decode(path, data)
    meta = {"source": display_path(path), "path": path_key(path), "format": suffix.lstrip(".")}
    if suffix in (".html", ".htm"):
        title, text = _html_to_markdown(text)
        meta["title"] = title or path.stem
    elif suffix in (".md", ".mdx", ".markdown"):
        front, text = split_front_matter(text)
        meta.update(_flat_metadata(front))
        if suffix == ".mdx":
            text = _strip_mdx(text)
    meta.setdefault("title", _first_heading(text) or path.stem.replace("-", " ").title())
    if not text.strip():
        raise BadInput(f"{path}: skipped, no text in the file")
    return [Document(page_content=text, metadata=meta)]


def split_front_matter(text: str) -> tuple[dict, str]:
    """YAML front matter (kept as metadata) and the body."""
    match = _FRONT_MATTER.match(text)
    if not match:
        return {}, text
    try:
        front = yaml.safe_load(match.group(1)) or {}
    except yaml.YAMLError:
        return {}, text[match.end():]
    return (front if isinstance(front, dict) else {}), text[match.end():]


def path_key(path: Path) -> str:
    """The key a file is tracked by in the index: its absolute path."""
    return str(Path(path).resolve())


def display_path(path: Path) -> str:
    """The path users see: relative to the working folder when it is inside it."""
    resolved = Path(path).resolve()
    try:
        return str(resolved.relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(resolved)


def _read_bytes(path: Path) -> bytes:
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise BadInput(f"{path}: cannot be read ({exc.strerror})") from None
    if size == 0:
        raise BadInput(f"{path}: skipped, the file is empty")
    if size > MAX_FILE_BYTES:
        raise BadInput(f"{path}: skipped, {size / 1e6:.0f} MB is over the {MAX_FILE_BYTES // 2**20} MB limit")
    try:
        return path.read_bytes()
    except OSError as exc:
        raise BadInput(f"{path}: cannot be read ({exc.strerror})") from None


def _decode(path: Path, data: bytes) -> str:
    if b"\x00" in data[:8192]:
        raise BadInput(f"{path}: skipped, looks like a binary file, not text")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise BadInput(f"{path}: skipped, not UTF-8 text (bad byte at offset {exc.start}); "
                       "re-save it as UTF-8") from None


def _load_pdf(path: Path, data: bytes) -> list[Document]:
    import io

    from pypdf import PdfReader
    from pypdf.errors import PyPdfError

    try:
        reader = PdfReader(io.BytesIO(data))
        pages = [(page.extract_text() or "") for page in reader.pages]
        title = (reader.metadata.title if reader.metadata else None) or path.stem.replace("-", " ").title()
    except (PyPdfError, ValueError, OSError, KeyError, TypeError, AttributeError, RecursionError) as exc:
        raise BadInput(f"{path}: skipped, unreadable PDF ({type(exc).__name__})") from None
    docs = [
        Document(page_content=text, metadata={
            "source": display_path(path), "path": path_key(path), "format": "pdf",
            "title": str(title), "page": number,
        })
        for number, text in enumerate(pages, start=1) if text.strip()
    ]
    if not docs:
        raise BadInput(f"{path}: skipped, the PDF has no extractable text")
    return docs


def _flat_metadata(front: dict) -> dict:
    """Chroma metadata values must be scalars: join lists, drop nested values."""
    flat: dict = {}
    for key, value in front.items():
        if isinstance(value, list):
            flat[str(key)] = ", ".join(str(v) for v in value)
        elif isinstance(value, str | int | float | bool):
            flat[str(key)] = value
        elif value is not None:
            flat[str(key)] = str(value)
    return flat


def _strip_mdx(text: str) -> str:
    # JSX imports/exports and self-closing components carry no guide text; code blocks
    # are left alone (an `import` line there is content).
    out: list[str] = []
    in_fence = False
    for line in text.splitlines():
        if re.match(r"^\s*(```|~~~)", line):
            in_fence = not in_fence
        elif not in_fence:
            if re.match(r"^\s*(import|export)\s", line):
                continue
            line = re.sub(r"<[A-Z][A-Za-z]*[^>]*/>", "", line)
        out.append(line)
    return "\n".join(out)


def _first_heading(text: str) -> str | None:
    match = re.search(r"^#\s+(.+)$", text, re.M)
    return match.group(1).strip() if match else None


class _HTMLText(HTMLParser):
    """HTML -> markdown-ish text: headings become #-headings, list items bullets."""

    SKIP = {"script", "style", "head", "nav", "footer", "noscript"}

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.out: list[str] = []
        self.title = ""
        self._skip = 0
        self._in_title = False

    def handle_starttag(self, tag: str, attrs: list) -> None:
        if tag in self.SKIP:
            self._skip += 1
        if tag == "title":
            self._in_title = True
        if re.fullmatch(r"h[1-6]", tag):
            self.out.append("\n\n" + "#" * int(tag[1]) + " ")
        elif tag == "li":
            self.out.append("\n- ")
        elif tag in {"p", "div", "br", "tr", "section", "article"}:
            self.out.append("\n\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in self.SKIP and self._skip:
            self._skip -= 1
        if tag == "title":
            self._in_title = False
        if re.fullmatch(r"h[1-6]", tag):
            self.out.append("\n\n")

    def handle_data(self, data: str) -> None:
        if self._in_title:
            self.title += data
        elif not self._skip:
            self.out.append(re.sub(r"\s+", " ", data))


def _html_to_markdown(html: str) -> tuple[str, str]:
    parser = _HTMLText()
    parser.feed(html)
    text = re.sub(r"\n{3,}", "\n\n", "".join(parser.out)).strip()
    text = "\n".join(line.strip() for line in text.splitlines())
    return parser.title.strip(), text
