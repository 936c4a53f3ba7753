"""Structured role facts (titles, tasks, skills, salaries, ...) parsed from the guide's markdown."""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from assistant import lexicon
from assistant.errors import BadInput
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

REGIONS: dict[str, str] = {"uk": "UK", "us": "US", "global": "Global tech hubs"}
_REGION_WORDS = lexicon.REGION_WORDS  # how people name the guide's regions: defined once
_CURRENCY = {"£": "GBP", "$": "USD", "€": "EUR"}
_SYMBOL = {code: symbol for symbol, code in _CURRENCY.items()}

# Canonical section names (the corpus headings; the published labels map onto them).
SUMMARY, TASKS, SKILLS, SALARY, SUITS, BREAK_IN = (
    "Summary",
    "Day-to-day tasks",
    "Skills",
    "Salary range",
    "Who it suits",
    "How to break in",
)
_STANDARD = (SUMMARY, TASKS, SKILLS, SALARY, SUITS, BREAK_IN)
_LABELS = {
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

_BULLET = re.compile(r"^\s*(?:[-*+]|\d+[.)])\s+(.*\S)\s*$")
_BOLD_LABEL = re.compile(r"^\*\*(?P<label>[^*]+?)\*\*\s*(?P<extra>\([^)]*\))?\s*:?\s*(?P<rest>.*)$")
_NUMBERED_HEADING = re.compile(r"^##\s+(\d+)\.\s+(.+?)\s*$")
_MONEY = r"(?P<{n}_sym>[£$€])?\s?(?P<{n}>\d[\d,]*(?:\.\d+)?)\s?(?P<{n}_k>[kK])?"
_SALARY = re.compile(
    r"^(?P<region>[^:]+?)\s*:\s*"
    + _MONEY.format(n="low")
    + r"\s*(?:–|—|-|to)\s*"
    + _MONEY.format(n="high")
    + r"\s*(?P<plus>\+)?\s*(?:\((?P<qualifier>[^)]*)\))?"
)


@dataclass(frozen=True)
class SalaryRange:
    """One of the guide's salary ranges: a region (or track) label, a currency and bounds."""

    region: str  # the guide's label: "UK", "US", "Global tech hubs (Berlin, ...)", "Policy/ethics roles"
    currency: str  # ISO code: GBP, USD, EUR
    low: int
    high: int
    open_ended: bool  # the guide writes "+" after the upper bound
    qualifier: str = ""  # e.g. "at frontier AI labs"

    @property
    def region_key(self) -> str | None:
        """ "uk", "us" or "global" for a regional range; None for a track label."""
        return normalize_region(self.region)

    def display(self, with_qualifier: bool = False) -> str:
        symbol = _SYMBOL.get(self.currency, self.currency + " ")
        text = f"{symbol}{self.low:,} – {symbol}{self.high:,}{'+' if self.open_ended else ''}"
        if with_qualifier and self.qualifier:
            text += f" ({self.qualifier})"
        return text


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
    record for every track the overview lists without a detailed profile."""
    corpus_dir = Path(corpus_dir)
    if not corpus_dir.is_dir():
        raise BadInput(f"corpus folder {corpus_dir} does not exist")
    roles: dict[str, RoleFacts] = {}
    overview: tuple[Path, dict[str, str], str] | None = None
    for path in sorted(corpus_dir.glob("*.md")):
        meta, body = split_front_matter(path.read_text(encoding="utf-8"))
        title = _doc_title(meta, body)
        if meta.get("role"):
            facts = _role_from_markdown(path, meta, body)
            roles[facts.title] = facts
        elif path.stem == "overview" or LISTED_SECTION.lower() in body.lower():
            overview = (path, _markdown_sections(body), title)
    if overview is not None:
        path, sections, title = overview
        for name, text in _listed_only(sections, roles):
            roles[name] = RoleFacts(
                title=name,
                aliases=_aliases_for(name, ()),
                source=str(path),
                sections=text,
                detailed=False,
                document=title,
            )
    if not roles:
        raise BadInput(f"no role files (front matter with `role:`) in {corpus_dir}")
    return _ordered(roles)


def load_published_guide(path: Path) -> dict[str, RoleFacts]:
    """Read the published .mdx: `## N. Role` profiles with `**Label**:` sub-sections, and
    the landscape list for the tracks without a profile."""
    path = Path(path)
    if not path.is_file():
        raise BadInput(f"guide file {path} does not exist")
    meta, body = split_front_matter(path.read_text(encoding="utf-8"))
    roles: dict[str, RoleFacts] = {}
    landscape: tuple[str, str] | None = None
    for heading, text in _split_headings(body, "## "):
        numbered = _NUMBERED_HEADING.match("## " + heading)
        if numbered:
            facts = _role_from_mdx(path, numbered.group(2), text)
            roles[facts.title] = facts
        elif "landscape" in heading.lower():
            landscape = (heading, text)
    if landscape is not None:
        heading, text = landscape
        for name, _ in _listed_only({heading: text}, roles):
            roles[name] = RoleFacts(
                title=name,
                aliases=_aliases_for(name, ()),
                source=str(path),
                sections={heading: text.strip()},
                detailed=False,
                document=str(meta.get("title") or path.stem),
            )
    if not roles:
        raise BadInput(f"no `## N. Role` sections in {path}")
    return _ordered(roles)


def find_roles(text: str, roles: Mapping[str, RoleFacts]) -> list[RoleFacts]:
    """Every role `text` mentions by title or alias, in order of first appearance.

    Case-insensitive, on word boundaries, longest match first ("AI Safety Researcher" is
    not also "AI Researcher"). A bare "product manager" is a background, not the role:
    only "AI product manager" / "AI PM" name the role.
    """
    spans: list[tuple[int, int, str]] = []
    for title, facts in roles.items():
        for alias in (facts.title, *facts.aliases):
            for m in _alias_pattern(alias).finditer(text):
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


def normalize_region(text: str | None) -> str | None:
    """ "uk", "us" or "global" for a region word or label ("London", "Global tech hubs (...)");
    None when it names no region the guide uses."""
    if not text:
        return None
    t = re.sub(r"\s+", " ", text.strip().lower())
    if t in _REGION_WORDS:
        return _REGION_WORDS[t]
    head = re.split(r"[(,]", t, maxsplit=1)[0].strip()
    return _REGION_WORDS.get(head)


def region_in_text(text: str) -> str | None:
    """The first region a free text names ("I live in London" -> "uk", "the States" -> "us"), or None."""
    low = text.lower()
    best: tuple[int, str] | None = None
    for word, key in _REGION_WORDS.items():
        if word in {"us", "gb"}:  # "us" is usually the pronoun: only "US", or "the us" / "in us"
            m = re.search(rf"(?<![\w.]){word.upper()}(?![\w])|(?<=the ){word}(?![\w])|(?<=in ){word}(?![\w])",
                          text)
        else:
            m = re.search(rf"(?<![\w]){re.escape(word)}(?![\w])", low)
        if m and (best is None or m.start() < best[0]):
            best = (m.start(), key)
    return best[1] if best else None


# --------------------------------------------------------------------------- helpers


def known_roles() -> dict[str, RoleFacts]:
    """Title-and-alias-only records for the guide's ten tracks (for matching names)."""
    return {t: RoleFacts(title=t, aliases=ALIASES.get(t, ())) for t in ROLE_ORDER}


def _ordered(roles: dict[str, RoleFacts]) -> dict[str, RoleFacts]:
    rank = {t: i for i, t in enumerate(ROLE_ORDER)}
    return dict(sorted(roles.items(), key=lambda kv: (rank.get(kv[0], len(rank)), kv[0])))


def _canonical(title: str) -> str:
    """Map a heading title onto ROLE_ORDER when it names one of the guide's tracks."""
    clean = _strip_md(title)
    for t in ROLE_ORDER:
        if _norm(t) == _norm(clean):
            return t
    hit = canonical_title(clean)
    return hit or clean


def _aliases_for(title: str, extra: Iterable[str]) -> tuple[str, ...]:
    out: list[str] = []
    for alias in (*extra, *ALIASES.get(title, ())):
        alias = str(alias).strip()
        if len(alias) < 2 or alias.lower() in _NOT_ALIASES or _norm(alias) == _norm(title):
            continue
        if _norm(alias) not in {_norm(a) for a in out}:
            out.append(alias)
    return tuple(out)


_PATTERNS: dict[str, re.Pattern[str]] = {}


def _alias_pattern(alias: str) -> re.Pattern[str]:
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
    pattern = re.compile(rf"(?<![\w/]){''.join(pieces)}(?:s|es)?(?![\w])", flags)
    _PATTERNS[alias] = pattern
    return pattern


def _norm(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", " ", text.lower().replace("&", " and ")).strip()


def _strip_md(text: str) -> str:
    return re.sub(r"[*_`]", "", text).strip()


def _doc_title(meta: dict, body: str) -> str:
    m = re.search(r"^#\s+(.+?)\s*$", body, re.MULTILINE)
    return str(meta.get("title") or (m.group(1) if m else ""))


def _split_headings(body: str, marker: str) -> list[tuple[str, str]]:
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


def _markdown_sections(body: str) -> dict[str, str]:
    return {h: t.strip() for h, t in _split_headings(body, "## ")}


def _bullets(text: str) -> list[str]:
    return [_strip_md(m.group(1)) for line in text.splitlines() if (m := _BULLET.match(line))]


def _prose(text: str) -> str:
    """The text as one paragraph: bullets become sentences, sub-headings go."""
    keep = []
    for line in text.splitlines():
        stripped = line.strip()
        if not stripped or stripped.startswith("#") or stripped == "---":
            continue
        bullet = _BULLET.match(line)
        if bullet:
            item = _strip_md(bullet.group(1))
            keep.append(item if item.endswith((".", "!", "?", ";", ":")) else item + ".")
        else:
            keep.append(stripped)
    return " ".join(keep).strip()


def _track_of(label: str) -> str | None:
    low = label.lower()
    if "technical" in low:
        return "technical"
    if "policy" in low or "ethic" in low:
        return "policy"
    return None


def _salaries(lines: Iterable[str]) -> tuple[SalaryRange, ...]:
    out = []
    for line in lines:
        m = _SALARY.match(_strip_md(line))
        if not m:
            continue
        symbol = m.group("low_sym") or m.group("high_sym") or ""
        out.append(
            SalaryRange(
                region=m.group("region").strip(),
                currency=_CURRENCY.get(symbol, ""),
                low=_amount(m.group("low"), m.group("low_k")),
                high=_amount(m.group("high"), m.group("high_k")),
                open_ended=bool(m.group("plus")),
                qualifier=(m.group("qualifier") or "").strip(),
            )
        )
    return tuple(out)


def _amount(number: str, k: str | None) -> int:
    value = float(number.replace(",", ""))
    return int(round(value * 1000 if k else value))


def _listed_only(sections: dict[str, str], detailed: Mapping[str, RoleFacts]) -> list[tuple[str, dict]]:
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
    title = _canonical(str(meta.get("role") or meta.get("title")))
    raw_aliases = meta.get("aliases") or []
    if isinstance(raw_aliases, str):
        raw_aliases = [a.strip() for a in raw_aliases.split(",")]
    sections = _markdown_sections(body)
    tracks: dict[str, list[str]] = {}
    skills = _bullets(sections.get(SKILLS, ""))
    for sub, text in _split_headings(sections.get(SKILLS, ""), "### "):
        track = _track_of(sub)
        if track:
            tracks.setdefault(track, []).extend(_bullets(text))
    notes = tuple(_prose(t) or t for name, t in sections.items() if name not in _STANDARD and t)
    return RoleFacts(
        title=title,
        aliases=_aliases_for(title, raw_aliases),
        summary=_prose(sections.get(SUMMARY, "")),
        tasks=tuple(_bullets(sections.get(TASKS, ""))),
        skills=tuple(skills),
        salaries=_salaries(_bullets(sections.get(SALARY, ""))),
        suits=_prose(sections.get(SUITS, "")),
        break_in=_prose(sections.get(BREAK_IN, "")),
        notes=notes,
        source=str(path),
        sections=sections,
        detailed=True,
        skill_tracks={k: tuple(v) for k, v in tracks.items()},
    )


def _role_from_mdx(path: Path, heading: str, text: str) -> RoleFacts:
    title = _canonical(heading)
    # section -> list of (track, prose, bullets)
    parts: dict[str, list[tuple[str | None, list[str], list[str]]]] = {}
    current: list[tuple[str | None, list[str], list[str]]] | None = None
    for line in text.splitlines():
        stripped = line.strip()
        if not stripped or stripped == "---":
            continue
        label = _BOLD_LABEL.match(stripped)
        if label:
            raw = label.group("label").strip().rstrip(":").strip()
            track = _track_of(raw) if "(" in raw else None
            base = re.sub(r"\s*\([^)]*\)\s*$", "", raw).strip()
            name = _LABELS.get(base.lower(), base[:1].upper() + base[1:])
            current = parts.setdefault(name, [])
            rest = label.group("rest").strip()
            current.append((track, [rest] if rest else [], []))
            continue
        if current is None:
            continue
        bullet = _BULLET.match(line)
        if bullet:
            current[-1][2].append(_strip_md(bullet.group(1)))
        else:
            current[-1][1].append(stripped)

    def prose(name: str) -> str:
        return " ".join(" ".join(p) for _, p, _ in parts.get(name, [])).strip()

    def items(name: str) -> list[str]:
        out: list[str] = []
        for _, p, b in parts.get(name, []):
            # "**Skills needed (technical)**: A + B" is an inline list
            out.extend(b or [x.strip() for x in re.split(r"\s\+\s|,\s", " ".join(p)) if x.strip()])
        return out

    sections: dict[str, str] = {}
    for name, blocks in parts.items():
        chunks = []
        for track, p, b in blocks:
            lead = f"{track.capitalize()} track: " if track else ""
            body = "\n".join([" ".join(p), *(f"- {x}" for x in b)]).strip()
            chunks.append(lead + body)
        sections[name] = "\n".join(chunks).strip()
    tracks: dict[str, list[str]] = {}
    for track, p, b in parts.get(SKILLS, []):
        if track:
            tracks.setdefault(track, []).extend(
                b or [x.strip() for x in re.split(r"\s\+\s|,\s", " ".join(p)) if x.strip()]
            )
    salary_lines = [x for _, _, b in parts.get(SALARY, []) for x in b]
    return RoleFacts(
        title=title,
        aliases=_aliases_for(title, ()),
        summary=prose(SUMMARY),
        tasks=tuple(x for _, _, b in parts.get(TASKS, []) for x in b),
        skills=tuple(items(SKILLS)),
        salaries=_salaries(salary_lines),
        suits=prose(SUITS),
        break_in=prose(BREAK_IN),
        notes=tuple(prose(n) for n in parts if n not in _STANDARD and prose(n)),
        source=str(path),
        sections=sections,
        detailed=True,
        skill_tracks={k: tuple(v) for k, v in tracks.items()},
    )
