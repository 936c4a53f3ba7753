"""Structured role facts (titles, tasks, skills, salaries, ...) parsed from the guide's markdown."""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from assistant.mdtext import bullets, markdown_sections, norm, prose, split_headings, strip_md
from assistant.regions import REGIONS, normalize_region, region_in_text  # noqa: F401 (callers import them here)
from assistant.salaries import SalaryRange, parse_salaries
from core.errors import BadInput
from ingest.loaders import split_front_matter

logger = logging.getLogger(__name__)

# The guide's ten tracks, in the guide's order (also the final tie-break of the quiz).
ROLE_ORDER: tuple[str, ...] = (
    "Machine Learning Engineer",
    "Data Scientist",
    "AI/ML Research Scientist",
    "MLOps / AI Infrastructure Engineer",
    "AI Product Manager",
    "Prompt Engineer / AI Solutions Specialist",
    "AI Safety & Ethics Researcher",
    "Data Engineer",
    "Computer Vision Engineer",
    "NLP / LLM Engineer",
)

# How people (and the guide itself, in its quiz) name each track. Bare background words
# ("product manager", "researcher") are deliberately absent: they describe a person, not a role.
ALIASES: dict[str, tuple[str, ...]] = {
    "Machine Learning Engineer": (
        "ML Engineer",
        "MLE",
        "machine learning engineering",
        "ML engineering",
        "Core ML Engineering",
    ),
    "Data Scientist": ("data science", "DS"),
    "AI/ML Research Scientist": (
        "Research Scientist",
        "AI Researcher",
        "ML Researcher",
        "AI research scientist",
        "ML research scientist",
        "AI/ML researcher",
        "machine learning researcher",
    ),
    "MLOps / AI Infrastructure Engineer": (
        "MLOps",
        "ML Ops",
        "MLOps Engineer",
        "AI Infrastructure Engineer",
        "AI infrastructure",
        "ML infrastructure engineer",
        "ML infrastructure",
        "Machine Learning Operations",
    ),
    "AI Product Manager": ("AI PM", "AI product management"),
    "Prompt Engineer / AI Solutions Specialist": (
        "Prompt Engineer",
        "prompt engineering",
        "AI Solutions Specialist",
        "Prompt Engineer/AI Solutions Specialist",
    ),
    "AI Safety & Ethics Researcher": (
        "AI Safety",
        "AI Safety Researcher",
        "AI ethics",
        "AI safety and ethics",
        "Ethics/Safety",
        "AI safety & ethics",
        "safety researcher",
        "ethics researcher",
        "AI alignment",
        "AI Safety & Ethics",
    ),
    "Data Engineer": ("data engineering",),
    "Computer Vision Engineer": ("computer vision", "CV engineer"),
    "NLP / LLM Engineer": ("NLP/LLM Engineer", "NLP engineer", "LLM engineer", "NLP/LLM", "LLM engineering"),
}

# Aliases that would match a person's background rather than the role (see find_roles).
_NOT_ALIASES = frozenset(
    {
        "product manager",
        "product management",
        "pm",
        "researcher",
        "engineer",
        "writer",
        "data analyst",
        "software engineer",
        "scientist",
        "analyst",
    }
)


# Canonical section names (the corpus headings; the published labels map onto them).
SUMMARY, TASKS, SKILLS, SALARY, SUITS, BREAK_IN = (
    "Summary",
    "Day-to-day tasks",
    "Skills",
    "Salary range",
    "Who it suits",
    "How to break in",
)
STANDARD_SECTIONS = (SUMMARY, TASKS, SKILLS, SALARY, SUITS, BREAK_IN)
LABELS = {
    "the role": SUMMARY,
    "role": SUMMARY,
    "summary": SUMMARY,
    "day-to-day tasks": TASKS,
    "day to day tasks": TASKS,
    "tasks": TASKS,
    "skills needed": SKILLS,
    "skills": SKILLS,
    "salary range": SALARY,
    "salary": SALARY,
    "who it suits": SUITS,
    "how to break in": BREAK_IN,
}
LISTED_SECTION = "Tracks without a detailed profile"
TRACKS_SECTION = "The ten career tracks"

@dataclass(frozen=True)
class RoleFacts:
    """What the guide says about one role; every field is read from the guide, never made up."""

    title: str
    aliases: tuple[str, ...] = ()
    summary: str = ""
    tasks: tuple[str, ...] = ()
    skills: tuple[str, ...] = ()
    salaries: tuple[SalaryRange, ...] = ()
    suits: str = ""
    break_in: str = ""
    notes: tuple[str, ...] = ()
    source: str = ""  # the file the facts come from
    sections: dict[str, str] = field(default_factory=dict, hash=False)  # section name -> text
    detailed: bool = False  # False: the guide only lists the role
    skill_tracks: dict[str, tuple[str, ...]] = field(default_factory=dict, hash=False)  # "technical"/"policy"
    document: str = ""  # title of the document holding the facts when it is not the role's own file

    def salary_for(self, region: str | None) -> list[SalaryRange]:
        """The ranges for `region` ("uk", "us", "global"/"eu"; None: all). A role whose ranges
        are labelled by track rather than region (AI Safety) returns all of them."""
        if region is None:
            return list(self.salaries)
        key = normalize_region(region)
        if key is None:
            raise BadInput(f"unknown region {region!r}: choose uk, us or global")
        if self.salaries and all(s.region_key is None for s in self.salaries):
            return list(self.salaries)
        return [s for s in self.salaries if s.region_key == key]

    def citation(self, section: str) -> str:
        return f"{self.document or self.title} / {section}"


def load_roles(corpus_dir: Path) -> dict[str, RoleFacts]:
    """Read the role files of this project's corpus (front matter with `role:`), plus a
    record for every track the overview lists without a detailed profile. Parsed once per
    process and state of the files: a file added, removed or edited is read again."""
    corpus_dir = Path(corpus_dir)
    if not corpus_dir.is_dir():
        raise BadInput(f"corpus folder {corpus_dir} does not exist")
    files = tuple((p.name, p.stat().st_mtime_ns, p.stat().st_size) for p in sorted(corpus_dir.glob("*.md")))
    return dict(_parse_roles(corpus_dir, files))


@lru_cache(maxsize=8)
def _parse_roles(corpus_dir: Path, files: tuple[tuple[str, int, int], ...]) -> dict[str, RoleFacts]:
    roles: dict[str, RoleFacts] = {}
    overview: tuple[Path, dict[str, str], str] | None = None
    for path in sorted(corpus_dir.glob("*.md")):
        meta, body = split_front_matter(path.read_text(encoding="utf-8"))
        title = _doc_title(meta, body)
        if meta.get("role"):
            facts = _role_from_markdown(path, meta, body)
            roles[facts.title] = facts
        elif path.stem == "overview" or LISTED_SECTION.lower() in body.lower():
            overview = (path, markdown_sections(body), title)
    if overview is not None:
        path, sections, title = overview
        for name, text in listed_only(sections, roles):
            roles[name] = RoleFacts(
                title=name,
                aliases=aliases_for(name, ()),
                source=str(path),
                sections=text,
                detailed=False,
                document=title,
            )
    if not roles:
        raise BadInput(f"no role files (front matter with `role:`) in {corpus_dir}")
    return ordered(roles)


def find_roles(text: str, roles: Mapping[str, RoleFacts]) -> list[RoleFacts]:
    """Every role `text` mentions by title or alias, in order of first appearance.

    Case-insensitive, on word boundaries, longest match first ("AI Safety Researcher" is
    not also "AI Researcher"). A bare "product manager" is a background, not the role:
    only "AI product manager" / "AI PM" name the role.
    """
    spans: list[tuple[int, int, str]] = []
    for title, facts in roles.items():
        for alias in (facts.title, *facts.aliases):
            for m in alias_pattern(alias).finditer(text):
                spans.append((m.start(), m.end(), title))
    spans.sort(key=lambda s: (s[0], -(s[1] - s[0])))
    found: list[str] = []
    end = -1
    for start, stop, title in spans:
        if start < end:
            continue  # inside a longer, earlier match
        end = stop
        if title not in found:
            found.append(title)
    return [roles[t] for t in found]


def canonical_title(name: str, roles: Mapping[str, RoleFacts] | None = None) -> str | None:
    """The canonical title for one role name ("MLOps" -> "MLOps / AI Infrastructure Engineer")."""
    pool = roles if roles is not None else known_roles()
    hits = find_roles(name, pool)
    return hits[0].title if hits else None


# --------------------------------------------------------------------------- helpers


def known_roles() -> dict[str, RoleFacts]:
    """Title-and-alias-only records for the guide's ten tracks (for matching names)."""
    return {t: RoleFacts(title=t, aliases=ALIASES.get(t, ())) for t in ROLE_ORDER}


def ordered(roles: dict[str, RoleFacts]) -> dict[str, RoleFacts]:
    rank = {t: i for i, t in enumerate(ROLE_ORDER)}
    return dict(sorted(roles.items(), key=lambda kv: (rank.get(kv[0], len(rank)), kv[0])))


def canonical(title: str) -> str:
    """Map a heading title onto ROLE_ORDER when it names one of the guide's tracks."""
    clean = strip_md(title)
    for t in ROLE_ORDER:
        if norm(t) == norm(clean):
            return t
    hit = canonical_title(clean)
    return hit or clean


def aliases_for(title: str, extra: Iterable[str]) -> tuple[str, ...]:
    out: list[str] = []
    for alias in (*extra, *ALIASES.get(title, ())):
        alias = str(alias).strip()
        if len(alias) < 2 or alias.lower() in _NOT_ALIASES or norm(alias) == norm(title):
            continue
        if norm(alias) not in {norm(a) for a in out}:
            out.append(alias)
    return tuple(out)


_PATTERNS: dict[str, re.Pattern[str]] = {}


def as_skills_name(names: Iterable[str], roles: Iterable[RoleFacts]) -> tuple[str, ...]:
    """Each of `names` as the roles' skill lines write it ("aws" -> "AWS"); () unless all are there."""
    lines = " ".join(s for facts in roles for s in facts.skills)
    written = [re.search(rf"(?<![\w-]){re.escape(n)}(?![\w-])", lines, re.I) for n in names]
    return tuple(m.group(0) for m in written if m) if all(written) else ()


def without_role_names(text: str, roles: Iterable[RoleFacts]) -> str:
    """`text` with every name of `roles` (title and aliases, longest first) blanked out."""
    for facts in roles:
        for name in sorted((facts.title, *facts.aliases), key=len, reverse=True):
            text = alias_pattern(name).sub(" ", text)
    return text


def alias_pattern(alias: str) -> re.Pattern[str]:
    cached = _PATTERNS.get(alias)
    if cached is not None:
        return cached
    pieces: list[str] = []
    prev_word = False
    for token in re.findall(r"\w+|[^\w\s]", alias):
        if token == "/":
            pieces.append(r"\s*/\s*")
        elif token == "&" or token.lower() == "and":
            pieces.append(r"\s*(?:&|and)\s*")
        elif token == "-":
            pieces.append(r"[\s-]*")
        elif re.match(r"\w", token):
            if prev_word:
                pieces.append(r"[\s-]+")
            pieces.append(re.escape(token))
            prev_word = True
            continue
        else:
            pieces.append(re.escape(token))
        prev_word = False
    # Short all-caps abbreviations (MLE, DS) match only in capitals: "ds" is rarely meant.
    flags = 0 if (alias.isupper() and len(alias) <= 3) else re.IGNORECASE
    # "a non-AI product manager" is not the AI product manager.
    pattern = re.compile(rf"(?<![\w/])(?<!non-)(?<!non ){''.join(pieces)}(?:s|es)?(?![\w])", flags)
    _PATTERNS[alias] = pattern
    return pattern


def _doc_title(meta: dict, body: str) -> str:
    m = re.search(r"^#\s+(.+?)\s*$", body, re.MULTILINE)
    return str(meta.get("title") or (m.group(1) if m else ""))


def track_of(label: str) -> str | None:
    low = label.lower()
    if "technical" in low:
        return "technical"
    if "policy" in low or "ethic" in low:
        return "policy"
    return None


def listed_only(sections: dict[str, str], detailed: Mapping[str, RoleFacts]) -> list[tuple[str, dict]]:
    """[(title, sections)] for the guide's tracks that a listing names but no profile covers."""
    builtin = known_roles()
    # Only the listings: an "About" paragraph may name other jobs in passing.
    listings = {h: t for h, t in sections.items() if "track" in h.lower() or "landscape" in h.lower()}
    ordered = sorted(listings.items(), key=lambda kv: kv[0].lower() != LISTED_SECTION.lower())
    out: list[tuple[str, dict]] = []
    for heading, text in ordered:
        for facts in find_roles(text, builtin):
            if facts.title in detailed or any(t == facts.title for t, _ in out):
                continue
            out.append((facts.title, {heading: text.strip()}))
    return out


def _role_from_markdown(path: Path, meta: dict, body: str) -> RoleFacts:
    title = canonical(str(meta.get("role") or meta.get("title")))
    raw_aliases = meta.get("aliases") or []
    if isinstance(raw_aliases, str):
        raw_aliases = [a.strip() for a in raw_aliases.split(",")]
    sections = markdown_sections(body)
    tracks: dict[str, list[str]] = {}
    skills = bullets(sections.get(SKILLS, ""))
    for sub, text in split_headings(sections.get(SKILLS, ""), "### "):
        track = track_of(sub)
        if track:
            tracks.setdefault(track, []).extend(bullets(text))
    notes = tuple(prose(t) or t for name, t in sections.items() if name not in STANDARD_SECTIONS and t)
    return RoleFacts(
        title=title,
        aliases=aliases_for(title, raw_aliases),
        summary=prose(sections.get(SUMMARY, "")),
        tasks=tuple(bullets(sections.get(TASKS, ""))),
        skills=tuple(skills),
        salaries=parse_salaries(bullets(sections.get(SALARY, ""))),
        suits=prose(sections.get(SUITS, "")),
        break_in=prose(sections.get(BREAK_IN, "")),
        notes=notes,
        source=str(path),
        sections=sections,
        detailed=True,
        skill_tracks={k: tuple(v) for k, v in tracks.items()},
    )


def load_published_guide(path: Path) -> dict[str, RoleFacts]:
    """The published .mdx's role facts (see assistant.published_guide)."""
    from assistant.published_guide import load_published_guide as load

    return load(path)

