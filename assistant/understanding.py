"""Question understanding: one typed reading of each question, from the guide's own catalogue.

The reading decides what kind of answer a question needs (a fact of one role, a computed
comparison or ranking, a path recommendation, a general guide question, a decline) before
any retrieval or model call. It is built from data: the guide's roles and aliases (front
matter), its regions (the salary labels), its vocabulary (for typos), a world gazetteer
(places the guide has no figures for) and the word lists in `assistant.lexicon`; with a
loaded embedder, paraphrased topics are matched by meaning.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal, get_args

from assistant import lexicon, off_scope, phrasing, superlatives
from assistant.conversation import Conversation
from assistant.gaps import asked_part, gap_in, names_later_year, question_clause
from assistant.gaps import asking as _asking
from assistant.meaning import NearestAsking
from assistant.pay_asked import pay_implied, range_end_pay
from assistant.phrasing import FOLLOW_UP_START, JUDGEMENT, META_REQUEST, PRONOUN, YES_NO  # noqa: F401
from assistant.quiz import QUESTIONS
from assistant.references import with_ordinals_resolved
from assistant.regions import region_and_place, without_region_words
from assistant.roles import RoleFacts, alias_pattern, find_roles, without_role_names
from assistant.skills_asked import SkillReader
from assistant.vocabulary import GuideWords
from core.embeddings import english_words

logger = logging.getLogger(__name__)

Kind = Literal["role_fact", "comparison", "ranking", "path_request", "general", "meta", "out_of_scope"]
KINDS: tuple[str, ...] = get_args(Kind)

# MiniLM cosine to a topic's nearest example asking, and its lead over the next topic; set by
# inspecting paraphrases (tests/test_understanding_semantic.py pins the behaviour).
SEMANTIC_TOPIC_MIN = 0.40
SEMANTIC_TOPIC_MARGIN = 0.08
# MiniLM cosine to the nearest asking about the guide itself or the assistant: paraphrases
# ("where do u get ur info from") score 0.45 and more, other subjects ("who wrote hamlet",
# "where does coffee come from") under 0.40.
GUIDE_MEANING_MIN = 0.45
GUIDE_MEANING_MARGIN = 0.08
# The whole guide in short, or what it contains: either answer serves, so a smaller lead decides.
OVERVIEW_MARGIN = 0.05
# How much nearer a path-request-shaped question must be to asking the guide than to asking for
# a path of one's own to be read as a question for the guide (path requests score within 0.05).
PATH_VETO_MARGIN = 0.10



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
    defined: tuple[str, ...] = ()      # short forms the guide spells out, named ("RAG")
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
                "set_aside": list(self.set_aside), "defined": list(self.defined)}


class QuestionReader(Conversation):
    """Reads questions against one guide. Build once per process (it caches what it embeds)."""

    def __init__(self, roles: Mapping[str, RoleFacts], guide_text: str = "", embeddings: Any = None,
                 headings: Callable[[], Sequence[str]] | None = None) -> None:
        self.roles = roles
        self.embeddings = embeddings
        # The index's section citations: a job that heads a section of ingested content is covered.
        self._headings = headings
        self._guide = guide_text.lower()
        self.words = GuideWords(roles, guide_text)
        self._skills = SkillReader(roles)
        self._topics = NearestAsking(embeddings, lexicon.TOPIC_MEANING, SEMANTIC_TOPIC_MIN, SEMANTIC_TOPIC_MARGIN)
        self._on_guide = NearestAsking(embeddings, {**lexicon.TOPIC_MEANING, "quiz": tuple(q.text for q in QUESTIONS)}, 0.0)
        self._path_or_guide = NearestAsking(embeddings, lexicon.PATH_MEANING, 0.0, PATH_VETO_MARGIN)
        self._guide_itself = NearestAsking(embeddings, lexicon.GUIDE_MEANING, GUIDE_MEANING_MIN, GUIDE_MEANING_MARGIN)
        self._whole_guide = NearestAsking(embeddings, {"overview": lexicon.GUIDE_OVERVIEW,
                                                       "contents": lexicon.GUIDE_MEANING["contents"]},
                                          GUIDE_MEANING_MIN, OVERVIEW_MARGIN)

    # ----------------------------------------------------------------- public

    def read(self, question: str, history: Sequence[Mapping[str, Any]] = ()) -> Reading:
        """The reading of `question`, resolved against the conversation's earlier user turns."""
        alone = self._read_alone(question := with_ordinals_resolved(question, history, self.roles))
        previous = self._previous(history)
        if previous is None or alone.kind in {"meta", "out_of_scope", "path_request"} or alone.topic in {"help", "about"}:
            return alone
        if not self._continues(alone, question, previous):
            return alone
        return self._merge(alone, previous, question)

    def fix_typos(self, text: str) -> str:
        """`text` with words the guide does not know replaced by the close guide word ("salry")."""
        return self.words.fix_typos(text)

    # ----------------------------------------------------------------- reading one turn

    def _read_alone(self, question: str) -> Reading:
        raw = question.strip()
        text = self.fix_typos(raw)
        low = phrasing.normal(text)
        named = find_roles(text, self.roles)
        roles = tuple(r.title for r in named if not self._set_aside(text, r))
        yes_no = phrasing.is_yes_no(low)
        if META_REQUEST.search(raw) or phrasing.has_any(low, lexicon.META_WORDS):
            return Reading(raw, "meta", text=raw, query=raw, yes_no=yes_no)
        # What is asked for, not what the asker tells ("long story short, i was a journalist...").
        asked = asked_part(_asking(low) or low)
        chores = self._chores(low, asked, bool(roles or yes_no))
        jobs = [j for j in self._other_jobs(text, tuple(r.title for r in named)) if not self._heads_a_section(j)]
        # their background, or a job in what they tell ("a recruiter pinged me"): not the subject
        own = tuple(j for j in jobs if phrasing.held_by_the_asker(low, j) or not phrasing.names(asked, j))
        jobs = [j for j in jobs if j not in own]
        unprofiled = tuple(j for j in jobs if j in self._guide)
        jobs = [j for j in jobs if j not in unprofiled]
        region, place = region_and_place(text)
        ranked = superlatives.other_things_ranked(asked, bool(named or jobs))
        direction = None if ranked else phrasing.direction(low)  # "the best bakery" ranks no role
        topic = range_end_pay(low, self._topic(low, roles), region, direction, roles)
        if topic is None and pay_implied(low, region, roles, direction, self._about_a_place):
            topic = "salary"
        if topic is None and not named and not jobs:
            words = phrasing.WORD.findall(low)
            # what the assistant covers ("help"), or the guide it answers from ("about")
            said = "help" if words and set(words) <= lexicon.SMALL_TALK else self._guide_itself.label(low)
            if said in {None, "contents"}:
                said = self._whole_guide.label(low)  # the whole guide in short: its catalogue
            topic = said if said in {"about", "help", "overview"} else None
        gap, topic = self._gap(low, topic, roles)
        if gap is None and yes_no and roles and topic in {None, "skills", "break_in"}:
            gap = self._unmentioned(raw, low, roles)  # "do you need an MBA to become an AI PM?"
        common = dict(question=raw, roles=roles, topic=topic, region=region, place=place, gap=gap,
                      set_aside=tuple(n.title for n in named if n.title not in roles), direction=direction,
                      yes_no=yes_no, text=text, unprofiled=unprofiled, judgement=bool(JUDGEMENT.search(low)),
                      defined=() if phrasing.ABOUT_YOU.search(asked) else self._skills.defined_in(asked))
        if ranked and not (chores or gap or topic) and not any(map(self.words.in_guide, ranked)) \
                and self._far_from_guide(low, False):
            chores.append(" ".join(ranked))
        if chores:
            return Reading(kind="out_of_scope", foreign=tuple(chores), query=raw, **common)
        ranks_pay = topic == "salary" and direction and not re.search(r"\bme\b", asked)  # not "...for me?"
        elsewhere = self._no_path_in_ai(asked, gap, topic, (*jobs, *unprofiled))
        if not phrasing.asks_about_a_topic(low) and not ranks_pay and not elsewhere and (
                (not named and phrasing.is_path_request(raw, low)) or (topic in {None, "suits"} and phrasing.asks_for_me(raw))
                or (own and not named and topic in {None, "suits", "break_in"})) and self._path_or_guide.label(low) != "guide":
            return Reading(kind="path_request", query=raw, **common)
        if jobs and not (roles and find_roles(asked, self.roles)):
            # another job asked for, the guide's roles only told of ("i'm a DS... can you find me a dentist?")
            return Reading(kind="out_of_scope", foreign=tuple(jobs), query=raw, **common)
        skill = self._skills.skill(low, tuple(r.title for r in named)) if phrasing.asks_which_roles(low) and self._skills.asks_what_roles_do(low) \
            and not roles and topic not in {"salary", "suits"} and not phrasing.asks_about_a_topic(low) else None
        kind = _kind(low, roles, unprofiled, topic, direction, region, skill)
        query = raw
        if roles and kind == "role_fact":
            query = f"{roles[0]} {lexicon.TOPIC_LABEL.get(topic or '', topic or '')} {raw}".strip()
        return Reading(kind=kind, foreign=tuple(jobs), skill=skill, query=query, **common)

    @staticmethod
    def _no_path_in_ai(asked: str, gap: str | None, topic: str | None, jobs: tuple[str, ...]) -> bool:
        """Is what is asked no path in AI: what the guide never covers, in the clause that asks
        ("which ai startup should i join?", not "i like stats, what should i do?"), or becoming
        another job ("should i become a vet?")?"""
        return bool(gap and gap_in(question_clause(asked), topic, ()) == gap) \
            or off_scope.becoming_another_job(asked, jobs)

    def _chores(self, low: str, asked: str, about_a_role: bool) -> list[str]:
        """What the asker wants done or talked about that the guide does not cover: chores, other
        subjects, products, artefacts. "does a PM / do they write code?" asks about a role's work,
        not for the assistant's; beside a role asked about, a tool is its skill."""
        chores = [c for c in phrasing.found(asked, off_scope.CHORES)
                  if (not about_a_role or phrasing.asked_of_me(low, c)) and not phrasing.refused(asked, c)]
        chores += phrasing.found(asked, off_scope.OFF_SUBJECTS) + phrasing.found(asked, off_scope.PRODUCTS)
        chores += [name for name, shape in off_scope.OFF_SUBJECT_PATTERNS.items() if shape.search(asked)]
        if not find_roles(asked, self.roles):
            chores += self.words.unknown_choice(asked) or self._skills.tools_as_products(asked)
        return chores + [a for a in [phrasing.artefact_asked(low)] if a]

    def _set_aside(self, text: str, role: RoleFacts) -> bool:
        """Is every mention of `role` set aside ("apart from a prompt engineer", "besides X")?"""
        mentions = [m for alias in (role.title, *role.aliases) for m in alias_pattern(alias).finditer(text)]
        return bool(mentions) and all(self._in_set_aside_list(text[:m.start()]) for m in mentions)

    def _in_set_aside_list(self, before: str) -> bool:
        """Does the text before a role's name end in a set-aside word, alone or opening a list of
        roles ("except DS, MLE and", "leaving out the research-y roles (research scientist +")?"""
        clause = re.split(r"[?!;:]|\.\s|\b(?:which|what|who|how|is|are|does|do)\b", phrasing.normal(before))[-1]
        marks = list(phrasing.set_aside_words().finditer(clause))
        if not marks:
            return False
        rest = self._without_role_names(clause[max(m.end() for m in marks):], tuple(self.roles))
        rest = re.sub(r"^\s*(?:the\s+)?(?:[\w-]+\s+){0,2}(?:roles?|ones|jobs|tracks|paths)\s*\(", " ", rest)  # "the research-y roles ("
        return all(w in lexicon.LIST_GLUE for w in re.findall(r"[\w&+/-]+", rest))

    def _heads_a_section(self, job: str) -> bool:
        if self._headings is None:
            return False
        try:
            # a heading's own job, not a piece of a role's name ("product manager" of "AI Product Manager")
            return any(job in without_role_names(h.lower(), self.roles.values()) for h in self._headings())
        except Exception as exc:  # an unreachable index is reported by retrieval, not here
            logger.info("index headings unavailable: %s", exc)
            return False

    def _topic(self, low: str, roles: tuple[str, ...]) -> str | None:
        own = self._own_section(_asking(low) or low, roles[0]) if roles else None  # not "who is it for? be honest"
        # Neither "machine *learning* engineer" nor "global *tech* hubs" asks anything.
        low = without_region_words(self._without_role_names(low, roles))
        low = phrasing.without_range_ends(low)  # "the lowest starting one": an end of a range, not how to get started
        # The sentences that ask ("...?") set the topic before those that tell ("i dont have a degree").
        asking = _asking(low)
        if re.search(r"[$£€💰💸]", low) and (roles or not re.search(r"\d", low)):
            return "salary"  # a role's money, or money with no figure: "$$-wise, how do they compare?", "and $$ for it?"
        if roles and lexicon.SUITS_FRAME.search(asking or low):
            return "suits"  # "is it for people chasing money?": who it suits, whatever they are said to want
        for part in ([asking] if asking and asking != low else []) + [low]:
            part = lexicon.CONDITION.sub(" ", part)  # "...without a cs degree?" asks no skills question
            for topic, words in lexicon.TOPIC_WORDS.items():
                if topic == "summary":
                    continue
                named = [w for w in phrasing.found(part, words) if not phrasing.ruled_out(part, w)]
                if named or phrasing.asks_by_verb(topic, part):
                    # A topic named outright ("skills-wise, how does it differ?") before a section
                    # the role alone has; "who tends to become a PM?" asks who it suits, not how to get in.
                    return "suits" if topic == "break_in" and re.match(r"\s*who\b", part) else topic
        if own:
            return own
        if roles and self.embeddings is not None:
            topic = self._topic_by_meaning(asking or low, roles)
            if topic:
                return topic
        if roles and phrasing.has_any(low, lexicon.TOPIC_WORDS["summary"]) and len(phrasing.content(low)) <= 1:
            return "summary"  # "what is an MLOps engineer?", not "what's the difference between ..."
        return None

    def _without_role_names(self, low: str, roles: tuple[str, ...]) -> str:
        return without_role_names(low, (self.roles[r] for r in roles))

    def _own_section(self, low: str, role: str) -> str | None:
        """A section only this role's profile has ("Growth outlook"), named by a word of it."""
        facts = self.roles.get(role)
        if facts is None or not facts.detailed:
            return None
        names = {w for r in self.roles.values() for n in (r.title, *r.aliases) for w in phrasing.WORD.findall(n.lower())}
        words = {w for w in phrasing.WORD.findall(low) if len(w) >= 5} - names
        for name in facts.sections:
            if name in lexicon.TOPIC_SECTION.values():
                continue
            if any(phrasing.same_stem(w, v) for w in words for v in phrasing.WORD.findall(name.lower()) if len(v) >= 5):
                return name
        return None

    def _topic_by_meaning(self, low: str, roles: tuple[str, ...]) -> str | None:
        """The topic whose example askings are nearest the question (its role names taken out),
        when clearly nearer than any other topic's."""
        return self._topics.label(self._without_role_names(low, roles))

    def _gap(self, low: str, topic: str | None, roles: tuple[str, ...]) -> tuple[str | None, str | None]:
        """The guide's gap the question asks about, and its topic: a role's own section covering it (MLOps's "Growth outlook")."""
        gap = gap_in(low, topic, [r for n in roles for r in self.roles[n].salaries])
        if gap and topic == "skills" and self._names_a_skill(low, gap, roles):
            gap = None  # "which is more stats-heavy?": statistics is a skill the guide lists
        covers = lexicon.GAP_COVERED_BY.get(gap or "", ())
        own = [c for c in covers if roles and c in self.roles[roles[0]].sections]
        covered = own[0] if own else next(iter(covers), None)
        # An outlook is about the coming years ("over the next few years"); a later year named
        # ("what will it be in 2030?") asks a forecast the guide does not make.
        outlook = any((covered or topic) in c for c in lexicon.GAP_COVERED_BY.values())
        if outlook and names_later_year(_asking(low) or low):
            return lexicon.FORECASTS, covered or topic
        if own:
            return None, covered
        if covered and not roles and any(covered in f.sections for f in self.roles.values()):
            return None, covered  # "which role is most in demand?": the roles' own sections on it
        return gap, topic

    def _names_a_skill(self, low: str, gap: str, roles: tuple[str, ...]) -> bool:
        """Is every word by which `low` names `gap` in the roles' skill lines (any role's when none is named)?"""
        words = phrasing.found(low, lexicon.GAP_TOPICS.get(gap, ()))
        skills = " ".join(s.lower() for n in (roles or tuple(self.roles)) for s in self.roles[n].skills)
        return bool(words) and all(re.search(rf"(?<![\w-]){re.escape(w)}(?![\w-])", skills) for w in words)

    def _unmentioned(self, raw: str, low: str, roles: tuple[str, ...]) -> str | None:
        """The requirement a yes/no question asks about when it is a name (no English word: an MBA,
        a CFA) the guide never mentions, as the asker wrote it; None when the guide names it, when
        it is an English word (which may put what the guide says in other words: "university"), or
        when no one thing is asked for."""
        needed = _NEEDS.search(low)
        phrase = needed.group(1).split() if needed else []  # "a CS degree": the degree is the guide's
        term = phrase[0] if phrase else None
        if not term or not term.isalpha() or term in english_words() \
                or any(re.search(rf"(?<![\w-]){re.escape(w)}", self._guide) for w in phrase):
            return None
        written = re.search(rf"(?<![\w-]){re.escape(term)}(?![\w-])", raw, re.I)
        name = written.group(0) if written else term
        return name.upper() if name.islower() and len(name) <= 4 else name

    def _other_jobs(self, text: str, roles: tuple[str, ...]) -> list[str]:
        """Jobs named in `text` that are not one of the guide's roles (outside any role's name)."""
        low = phrasing.normal(text)
        spans = []
        for facts in (self.roles[r] for r in roles):
            for name in (facts.title, *facts.aliases):
                spans += [(m.start(), m.end()) for m in alias_pattern(name).finditer(low)]
        found: list[tuple[int, int, str]] = []
        for job in sorted(off_scope.OTHER_JOBS, key=len, reverse=True):
            for m in re.finditer(rf"(?<![\w-]){re.escape(job)}(?:s|es)?(?![\w-])", low):
                self._keep_job(found, spans, m.start(), m.end(), job)
        heads = "|".join(lexicon.JOB_HEADS)
        # "<modifier> <head>": a titled job ("fine-tuning specialist") that no guide role name covers.
        for m in re.finditer(rf"((?:[a-z][\w/-]*\s+){{1,2}})({heads})s?(?![\w-])", low):
            words = m.group(1).split()
            while words and words[0] in lexicon.JOB_MODIFIERS_IGNORED:
                words.pop(0)
            if not words or words[-1] in lexicon.JOB_LINK_WORDS:
                continue
            start = m.start(1) + m.group(1).index(words[0])
            self._keep_job(found, spans, start, m.end(), " ".join([*words, m.group(2)]))
        # "mlops / infra engineer": a named role's own name, shortened, is no other job.
        named = [n for r in roles for n in (self.roles[r].title, *self.roles[r].aliases)]
        return [j for _, _, j in sorted(found) if not any(phrasing.shortens(j, n) for n in named)]

    @staticmethod
    def _keep_job(found: list[tuple[int, int, str]], spans: list[tuple[int, int]], start: int, end: int,
                  job: str) -> None:
        if any(start < b and a < end for a, b in spans):
            return  # part of a guide role's name ("AI product manager", "senior ML engineer")
        if any(start < b and a < end for a, b, _ in found):
            return  # inside a longer job already found ("software engineer")
        found.append((start, end, job))


# --------------------------------------------------------------------------- helpers

# What a yes/no question says is needed: the word after "need", "require", "have to have" ("an MBA").
_WORD_NOT_LINK = r"(?!(?:to|for|in|at|or|and|as|if|when|before|after)\b)[a-z][\w+#-]*"  # the phrase ends at a link word
_NEEDS = re.compile(r"\b(?:(?:need|needs|require|requires|have to have|has to have)\s+"
                    r"(?:to\s+(?!be\b)[a-z]+\s+)?|worth\s+(?:[a-z]+ing\s+)?)(?:an?\s+|the\s+|any\s+)?"
                    rf"({_WORD_NOT_LINK}(?:\s+{_WORD_NOT_LINK}){{0,2}})")


def _kind(low: str, roles: tuple[str, ...], unprofiled: tuple[str, ...], topic: str | None,
          direction: str | None, region: str | None, skill: str | None) -> Kind:
    """The kind of an in-scope question that is not a path request."""
    if len(roles) >= 2:
        return "comparison"
    if not roles and (skill or (topic == "salary" and (direction or region) and phrasing.asks_which_roles(low))):
        return "ranking"  # "which role pays best in the US", "which roles need docker"
    if not roles and not unprofiled and topic == "salary" and direction:
        return "ranking"  # with no role named, the lowest or highest pay is across the guide's roles
    if roles and direction and topic == "salary" and not phrasing.about_one(low, roles):
        return "ranking"  # "is the ML engineer the best paid of all the roles?"
    if roles or unprofiled:
        return "role_fact"
    return "general"
