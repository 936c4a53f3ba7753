"""Learning plans: for each skill a role needs, the indexed library's lessons that teach it.

Retrieval here sees library sources only (the career guide never becomes a "lesson"),
and a lesson must pass a relevance gate: similar enough to the skill AND sharing one of
the skill's own words, in its title, description or passage. A skill with nothing that
passes says so. Steps are ordered by programme level where the library records one,
and each carries one sentence quoted from the lesson as its reason (never written by a model).
"""

from __future__ import annotations

import logging
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from assistant.retrieval import Hit, HybridSearch
from ingest.library import LIBRARY

logger = logging.getLogger(__name__)

MAX_PER_SKILL = 2
SEARCH_K = 24
# A cosine similarity (all-MiniLM-L6-v2) between the skill and a lesson passage; below it the
# lesson only brushes the subject. Calibrated on evals/datasets/plan_labels.jsonl (evals/plan.py).
MIN_SIMILARITY = 0.40
# A second lesson must be nearly as close as the first: a weak runner-up is noise, not a step.
RUNNER_UP_MARGIN = 0.12
NO_LIBRARY = ("No course library is indexed, so there are no lessons to suggest yet: add one with "
              "`career-assistant ingest --library PATH`.")
NOTHING_FOUND = "the indexed library has no lesson on this"
UNKNOWN_LEVEL = 99
MIN_FILES_FOR_DF = 20
COMMON_SHARE = 0.25  # a word in more than this share of the library's files is not distinctive

# Words of a guide skill line that say how much or how, not what: they must not make a
# lesson look relevant ("strong", "understanding", "tools").
_GENERIC = frozenset(["strong", "deep", "basic", "good", "grasp", "understanding", "fundamentals", "fundamental", "familiarity", "skill", "skills", "knowledge", "typically", "frequently", "usually", "often", "example", "examples", "such", "tools", "tool", "platform", "platforms", "habits", "background", "related", "field", "experience", "ability", "thinking", "concepts", "concept", "covering", "covers", "building", "based", "plus", "which", "guide", "calls", "absolutely", "essential", "what", "possible", "must", "does", "know", "code"])
_STRIP = [
    r",?\s*which the guide calls [^,;]*",
    r"\bfor example\b",
    r"\bsuch as\b",
    r"^(?:a|an|the)\s+",
    r"^(?:strong|deep|basic|good)\s+",
    r"^(?:grasp|understanding|familiarity|grounding|skill|skills)\s+(?:of|in|at|with)\s+",
    r"^(?:strong|deep|basic)?\s*(?:grasp|understanding|familiarity|background)\s+(?:of|in|with)\s+",
]
# Words a lesson may use for a skill's subject. Kept small: each pair is a plain synonym.
_SAME_AS = {
    "ml": ("machine", "learning"),
    "policy": ("regulation", "governance"),
    "statistics": ("statistical",),
    "llms": ("llm",),
    "llm": ("llms",),
    "visualisation": ("visualization",),
}
_WORD = re.compile(r"[a-z][a-z0-9+#]*")
_SENTENCE = re.compile(r"(?<=[.!?])\s+(?=[A-Z0-9\"“(])")
_MARKUP = [
    (re.compile(r"<[^>]+>"), " "),                      # JSX/HTML components
    (re.compile(r"!\[[^\]]*\]\([^)]*\)"), " "),          # images
    (re.compile(r"\[([^\]]+)\]\([^)]*\)"), r"\1"),       # links: keep the words
    (re.compile(r"`([^`]*)`"), r"\1"),
    (re.compile(r"[*_]{1,3}([^*_\n]+)[*_]{1,3}"), r"\1"),
    (re.compile(r"^\s*(?:#{1,6}|[-*+>]|\d+\.)\s+", re.M), ""),
    (re.compile(r"\|"), " "),
]


@dataclass(frozen=True)
class Step:
    """One lesson for one skill, with where it is and why (a sentence of the lesson)."""

    skill: str
    title: str
    source: str      # the lesson file, as indexed
    section: str     # the lesson's section the reason comes from
    why: str         # one sentence quoted from that section
    passage: str = ""  # the section's text (the card's link opens it)
    level: int | None = None
    track: str = ""
    program: str = ""
    score: float = 0.0

    def to_dict(self) -> dict[str, str]:
        return {"skill": self.skill, "title": self.title, "source": self.source,
                "section": self.section, "why": self.why}


@dataclass
class SkillPlan:
    """What the library offers for one skill: up to MAX_PER_SKILL steps, or a note that it has nothing."""

    skill: str
    steps: list[Step] = field(default_factory=list)

    @property
    def note(self) -> str:
        return "" if self.steps else NOTHING_FOUND


class Library:
    """The indexed course library, searched for the lessons that teach a skill."""

    def __init__(self, search: HybridSearch, min_similarity: float = MIN_SIMILARITY,
                 per_skill: int = MAX_PER_SKILL, exclude: Sequence[str] = ()) -> None:
        self.search = search
        self.min_similarity = min_similarity
        self.per_skill = per_skill
        self.exclude = {Path(e).name for e in exclude}  # file names that are not lessons (the guide's original)
        self._df: dict[str, float] = {}
        self._df_count = -1

    @property
    def available(self) -> bool:
        """True when library material is indexed."""
        return self.search.chunk_count() > 0

    def lessons_for(self, skill: str) -> list[Step]:
        """At most `per_skill` lessons that teach `skill`, easiest level first; [] when none passes."""
        query = skill_query(skill)
        terms = key_terms(query)
        if not query or not terms:
            return []
        common = self._common_terms()
        distinctive = terms - common
        best: dict[str, tuple[float, Hit]] = {}  # lesson path -> (score, its best passage)
        for hit in self.search.search(query, k=SEARCH_K):
            meta = hit.metadata
            if hit.dense < self.min_similarity or Path(str(meta.get("source", ""))).name in self.exclude:
                continue
            in_passage = terms & _stems(hit.body)
            in_lesson = terms & _lesson_words(meta)
            if not _teaches(terms, distinctive, in_passage, in_lesson):
                continue  # similar in tone, but not about what the skill names
            # A lesson about the skill (its title or description names it) beats a passing mention.
            score = hit.dense + 0.05 * len(in_passage) / len(terms) + 0.10 * bool(in_lesson)
            path = str(meta.get("path") or meta.get("source") or hit.chunk_id)
            if path not in best or score > best[path][0]:
                best[path] = (score, hit)
        ranked = sorted(best.values(), key=lambda sh: -sh[0])
        if ranked:
            top = ranked[0][0]
            ranked = [sh for sh in ranked if sh[0] >= top - RUNNER_UP_MARGIN]
        steps = [_step(skill, terms, query, score, hit) for score, hit in ranked[: self.per_skill]]
        return sorted(steps, key=_level_key)

    def plan(self, skills: Sequence[str]) -> list[SkillPlan]:
        """One entry per skill, in the order given (the guide's)."""
        return [SkillPlan(skill=s, steps=self.lessons_for(s)) for s in skills]

    def _common_terms(self) -> set[str]:
        """Word stems found in more than COMMON_SHARE of the library's files: "ai", "learning",
        "data" say nothing about which lesson teaches what."""
        count = self.search.chunk_count()
        if count != self._df_count:
            words: dict[str, set[str]] = {}
            for meta, text in self.search.chunks():
                path = str(meta.get("path") or meta.get("source", ""))
                words.setdefault(path, set()).update(_stems(text) | _lesson_words(meta))
            df: dict[str, int] = {}
            for stems in words.values():
                for w in stems:
                    df[w] = df.get(w, 0) + 1
            # In a handful of files every word looks common: judge commonness in real libraries only.
            self._df = {w: n / len(words) for w, n in df.items()} if len(words) >= MIN_FILES_FOR_DF else {}
            self._df_count = count
        return {w for w, share in self._df.items() if share > COMMON_SHARE}


def flatten(plans: Sequence[SkillPlan]) -> list[Step]:
    """Every step of a plan, easiest programme level first (unknown levels last); within a
    level, the guide's skill order."""
    ordered = [(n, step) for n, p in enumerate(plans) for step in p.steps]
    return [step for _, step in sorted(ordered, key=lambda ns: (_level_key(ns[1]), ns[0]))]


def skill_query(skill: str) -> str:
    """A guide skill line without the words that say how much ("Strong", "which the guide
    calls absolutely essential"): what a lesson would be about."""
    text = re.sub(r"\s+", " ", skill).strip()
    for pattern in _STRIP:
        text = re.sub(pattern, " ", text, flags=re.I).strip(" ,;:")
    # The embedder reads "ML" alone poorly ("A strong background in ML" -> "ML").
    return re.sub(r"(?<![\w/])ML(?![\w/])", "machine learning", text)


def key_terms(text: str) -> set[str]:
    """The stems of the words that name a skill's subject (see `_GENERIC`), with the
    library's other words for them ("policy": "regulation")."""
    from assistant.retrieval import STOP_WORDS

    words = [w for w in _WORD.findall(text.lower().replace("/", " ")) if w not in STOP_WORDS]
    words += [s for w in words for s in _SAME_AS.get(w, ())]
    return {_stem(w) for w in words if w not in _GENERIC and (len(w) > 2 or w in {"ml", "ai", "ci", "cd", "r"})}


def build_library(s: Any, embeddings: Any = None, client: Any = None) -> Library | None:
    """The library in the configured index, or None when there is no index at all."""
    from core.embeddings import make_embeddings
    from core.errors import IndexMissing
    from core.store import get_collection, make_chroma_client

    embeddings = embeddings or make_embeddings(s)
    try:
        collection = get_collection(client or make_chroma_client(s), s, embeddings, create=False)
    except IndexMissing as exc:
        logger.info("no learning plans: %s", exc)
        return None
    from assistant.chain import load_guide_text

    try:
        exclude = guide_originals(load_guide_text(s.corpus_dir))
    except OSError:
        exclude = []
    return Library(HybridSearch(collection, embeddings, kind=LIBRARY), exclude=exclude)


# --------------------------------------------------------------------------- the chat's question

_LESSON_WORDS = r"(?:lessons?|courses?|modules?|classes|tutorials?|articles?|programmes?|programs?|curriculum)"
_LEARN_REQUEST = re.compile(
    rf"\b(?:which|what)\s+(?:\w+\s+){{0,2}}{_LESSON_WORDS}\b"
    rf"|\b{_LESSON_WORDS}\s+(?:should|would|could|can|do|must)\s+i\b"
    rf"|\b(?:learning|study)\s+(?:plan|path|roadmap)\b"
    rf"|\bwhat\s+(?:should|do|must)\s+i\s+(?:learn|study)\b",
    re.I,
)


def is_lesson_request(question: str) -> bool:
    """True for "which lessons should I take to become an MLOps engineer?" and the like:
    a question about what to learn, answered from the library rather than the guide."""
    return bool(_LEARN_REQUEST.search(question or ""))


def plan_answer(role: str, roles: Mapping[str, Any], library: Library | None,
                have: Sequence[str] = ()) -> tuple[str, list[dict]]:
    """The chat's answer to "which lessons should I take to become <role>?": the role's
    skills from the guide (cited) and, for each, the library's lessons (cited as library).

    Returns (markdown, sources) with sources in the `ask --json` shape plus `"kind"`
    ("guide" or "library"); [n] in the text are their ids.
    """
    facts = roles.get(role)
    if facts is None:
        raise KeyError(role)
    from assistant.recommend import skills_to_learn
    from assistant.roles import SKILLS

    skills = skills_to_learn(facts, have)
    sources: list[dict] = []
    guide_text = facts.sections.get(SKILLS, "")
    if guide_text:
        sources.append({"id": 1, "source": facts.source, "section": facts.citation(SKILLS),
                        "text": guide_text.strip(), "kind": "guide"})
    ref = " [1]" if sources else ""
    if not skills:
        if not facts.skills:
            return (f"The guide lists no skills for {role}, so there is no learning plan to build.", sources)
        return (f"You already have the skills the guide lists for {role}{ref}.", sources)
    lines = [f"**Learning plan for {role}**", "",
             f"The guide lists these skills for the role{ref}; here is what the course library teaches for each."]
    if library is None or not library.available:
        lines += ["", *(f"- {s}" for s in skills), "", NO_LIBRARY]
        return "\n".join(lines), sources
    plans = library.plan(skills)
    numbered: dict[tuple[str, str], int] = {}
    lines.append("")
    for step in flatten(plans):
        key = (step.source, step.section)
        if key not in numbered:
            numbered[key] = len(sources) + 1
            sources.append({"id": numbered[key], "source": step.source,
                            "section": f"{step.title} / {step.section}", "text": step.passage, "kind": LIBRARY})
        level = f" (level {step.level})" if step.level is not None else ""
        lines.append(f"{len([ln for ln in lines if ln[:1].isdigit()]) + 1}. **{step.title}**{level}, for "
                     f"*{step.skill}*: “{step.why}” [{numbered[key]}]")
    missing = [p.skill for p in plans if not p.steps]
    if missing:
        lines += ["", "Nothing in the library teaches: " + "; ".join(missing) + "."]
    if not any(p.steps for p in plans):
        lines[3:] = ["", "The indexed library has no lesson on any of these skills: "
                     + "; ".join(skills) + "."]
    return "\n".join(lines), sources


def find_role(question: str, roles: Mapping[str, Any]) -> str | None:
    """The one role of the guide a question names (or None)."""
    from assistant.roles import find_roles

    found = [r.title for r in find_roles(question, roles) if r.title in roles]
    return found[0] if len(found) == 1 else None


# --------------------------------------------------------------------------- helpers


def _step(skill: str, terms: set[str], query: str, score: float, hit: Hit) -> Step:
    meta = hit.metadata
    body = hit.body
    title = str(meta.get("title") or Path(str(meta.get("source", ""))).stem)
    level = meta.get("level")
    return Step(
        skill=skill,
        title=title,
        source=str(meta.get("source", "")),
        section=str(meta.get("section") or "Introduction"),
        why=reason(body, terms, query) or _clean(str(meta.get("description", ""))) or title,
        passage=_clean_block(body),
        level=int(level) if isinstance(level, int | float) else None,
        track=str(meta.get("track", "")),
        program=str(meta.get("program", "")),
        score=round(score, 4),
    )


def reason(text: str, terms: set[str], query: str = "") -> str:
    """The sentence of `text` that says most about the skill: most of its subject words,
    then of the query's words; a readable length. Quoted as it stands (markup removed)."""
    query_words = key_terms(query) | _stems(query)
    best, best_key = "", (0, 0, 0)
    for n, sentence in enumerate(_sentences(text)):
        if not 30 <= len(sentence) <= 260 or sentence.endswith("?") or sentence.endswith(":"):
            continue
        words = _stems(sentence)
        key = (len(terms & words), len(query_words & words), -n)
        if key[0] and key > best_key:
            best, best_key = sentence, key
    return best


def _sentences(text: str) -> list[str]:
    out = []
    for block in _clean_block(text).split("\n"):
        block = block.strip()
        if block:
            out.extend(s.strip() for s in _SENTENCE.split(block) if s.strip())
    return out


def _clean_block(text: str) -> str:
    for pattern, repl in _MARKUP:
        text = pattern.sub(repl, text)
    lines = [re.sub(r"[ \t]+", " ", ln).strip() for ln in text.splitlines()]
    return "\n".join(ln for ln in lines if ln and not re.fullmatch(r"[-=:| ]+", ln))


def _clean(text: str) -> str:
    return " ".join(_clean_block(text).split())


def _stem(word: str) -> str:
    for suffix in ("ations", "ation", "ings", "ing", "ies", "ics", "ical", "ers", "er", "es", "s"):
        if word.endswith(suffix) and len(word) - len(suffix) >= 4:
            return word[: -len(suffix)]
    if word.endswith("s") and not word.endswith("ss") and len(word) >= 4:
        return word[:-1]  # "apis", "llms"
    return word


def _stems(text: str) -> set[str]:
    return {_stem(w) for w in _WORD.findall(text.lower().replace("/", " "))}


def _teaches(terms: set[str], distinctive: set[str], in_passage: set[str], in_lesson: set[str]) -> bool:
    """The lexical half of the gate. A lesson whose title or description names a distinctive
    word of the skill; or a passage naming two of them (or the only one there is); a skill of
    common words only ("machine learning") needs them in the lesson's title or description."""
    if distinctive:
        if distinctive & in_lesson:
            return True
        return len(distinctive & in_passage) >= min(2, len(distinctive))
    return bool(in_lesson) and len(in_lesson | in_passage) >= min(2, len(terms))


def _lesson_words(meta: Mapping[str, Any]) -> set[str]:
    return _stems(" ".join(str(meta.get(k, "")) for k in ("title", "description", "tags")))


def guide_originals(guide_text: str) -> list[str]:
    """File names the guide names as its source ("retells ... (ai-career-paths.mdx)"): in a
    library, such a file is the guide again, not a lesson."""
    return sorted(set(re.findall(r"\(([\w.-]+\.mdx?)\)", guide_text)))


def _level_key(step: Step) -> int:
    return step.level if step.level is not None else UNKNOWN_LEVEL
