"""What "which roles need X" asks about: the skill or task X, read against the words of the
guide's own skill and task lists ("which of these jobs usually wants a masters or a phd")."""

from __future__ import annotations

import re
from collections.abc import Mapping
from functools import cached_property

from assistant import lexicon, off_scope, phrasing
from assistant.roles import RoleFacts, without_role_names
from core.embeddings import english_words

_FRAME = frozenset({"ai", "ml", "good", "strong", "most", "all", "guide", "ones", "which", "these", "list", "lists",
                    "something", "anything", "things", "stuff", "someone", "people"})

# The words that name the guide's sections ("skill", "tasks"): frame, not content, beside a term.
_SECTION_WORDS = frozenset(f for label in lexicon.TOPIC_LABEL.values() for w in phrasing.WORD.findall(label)
                           for f in (w, w.rstrip("s")))

# Two things set against each other: "docker or kubernetes", "aws vs gcp", "mlflow easier than dvc".
_SET_AGAINST = re.compile(r"(?<![\w-])([a-z][\w+#-]*)\s+(?:or|vs\.?|versus|over|[a-z]+er\s+than)\s+"
                          r"([a-z][\w+#-]*)")
# Words that make such a choice a question about a career ("...for ML jobs?", "...to learn first?").
_CAREER_WORDS = (*lexicon.TOPIC_WORDS["skills"], "role", "roles", "job", "jobs", "career", "careers", "track",
                 "path")


# Asking how to operate something ("how do i set up an mlflow server?"): technical support, not a career.
_HOW_TO_OPERATE = re.compile(r"\bhow\s+(?:do|can|should|would|to)\s+(?:(?:i|you|u|we|one)\s+)?"
                             r"(set\s*up|configure|deploy|host|connect|integrate|migrate|upgrade|"
                             r"troubleshoot|spin\s+up)\b(.*)")
# Asking how something works inside ("explain how kubernetes scheduling works"): a lesson, not a career.
_HOW_IT_WORKS = re.compile(r"\b(?:explain|describe|walk me through|tell me)\s+how\s+(.{1,60}?)\s+works?\b"
                           r"|\bhow\s+(?:does|do)\s+(.{1,60}?)\s+(?:actually\s+|really\s+)?work\b")


# What a product costs, not what a job pays.
_PRICE_WORDS = ("price", "prices", "pricing", "cost", "costs", "per month", "a month", "per year", "licence",
                "license", "subscription", "how much is", "how much does it cost", "cheaper", "cheapest",
                "more expensive", "most expensive", "pricier", "costlier")


def employers_compared(low: str) -> tuple[str, ...]:
    """Two employers set against each other ("openai or anthropic, which is the better company?"):
    the guide names employers only in a range's qualifier and compares none."""
    for m in _SET_AGAINST.finditer(low):
        if all(name in off_scope.EMPLOYERS for name in m.groups()):
            return m.groups()
    return ()


class SkillReader:
    """Built once per guide: the verbs its task lists open with and the words of its profiles."""

    def __init__(self, roles: Mapping[str, RoleFacts]) -> None:
        self.roles = roles
        # The verbs the guide's task lists open with ("Running experiments", "Writing code"): in
        # "which job runs A/B tests" the verb makes it a "which roles do X" question.
        self.task_verbs = frozenset(form for facts in roles.values() for line in facts.tasks if line.split()
                                    for form in phrasing.verb_forms(line.split()[0]))
        # Every line of every role's skills, tasks and skill tracks.
        self._lines = tuple(line for facts in roles.values()
                            for line in (*facts.skills, *facts.tasks, *(x for v in facts.skill_tracks.values() for x in v)))
        # The words of those lines: what "which roles need X" can find.
        self.profile_words = frozenset(w for line in self._lines for w in phrasing.WORD.findall(line.lower()) if len(w) >= 2)

    @cached_property
    def terms(self) -> frozenset[str]:
        """The profiles' own terms, words no English dictionary has ("sql", "kubernetes", "pytorch"):
        a question naming one is about the guide's content however else it is put."""
        # Written with capitals inside the word or in full ("SQL", "PyTorch", "MLflow", "PhD")...
        named = {w.lower() for line in self._lines for w in re.findall(r"\b[A-Za-z]*[A-Z][A-Za-z]*\b", line)
                 if len(w) >= 3 and (w.isupper() or any(c.isupper() for c in w[1:]))}
        # ...or no English word at all, nor a form of one ("kubernetes", "seaborn"; not "analysing").
        english = english_words()
        unknown = {w for w in self.profile_words if len(w) >= 5 and w.isalpha() and w not in english
                   and not re.search(r"(?:ing|ies|ly|ed|ity|ion)$", w)
                   and not (w.endswith("s") and (w[:-1] in english or w[:-2] in english or w[:-1] in self.profile_words))}
        return frozenset((named | unknown) - {"ai", "ml"})

    @cached_property
    def defined(self) -> frozenset[str]:
        """The short forms the profiles spell out ("RAG (Retrieval-Augmented Generation)")."""
        return frozenset(m.group(1).lower() for line in self._lines
                         for m in re.finditer(r"\b([A-Z]{2,6})\s*\(([A-Z][^)]*)\)", line))

    def defined_in(self, low: str) -> tuple[str, ...]:
        """The spelled-out short forms that `low` names ("what does RAG stand for?": "rag")."""
        return tuple(w for w in dict.fromkeys(phrasing.WORD.findall(low)) if w in self.defined)

    def tools_compared(self, low: str) -> tuple[str, ...]:
        """Two of the profiles' tools set against each other as products ("is aws better than gcp?",
        "docker or kubernetes for my side project?"): the guide lists tools and never compares them.
        None when the choice is about a career ("pytorch or tensorflow for ML jobs?", "which to learn")."""
        if phrasing.has_any(low, _CAREER_WORDS):
            return ()
        for m in _SET_AGAINST.finditer(low):
            if all(name in self.terms for name in m.groups()):
                return m.groups()
        return ()

    def tools_as_products(self, low: str) -> tuple[str, ...]:
        """The profiles' tools asked about as products (compared, operated or priced), and
        employers set against each other: none of them as skills or places of a career."""
        return self.tools_compared(low) or self.operated(low) or self.priced(low) or employers_compared(low)

    def priced(self, low: str) -> tuple[str, ...]:
        """The profiles' tools whose price is asked ("how much is a weights & biases team plan?")."""
        career = phrasing.has_any(low, _CAREER_WORDS + lexicon.TOPIC_WORDS["salary"])
        if career or not phrasing.has_any(low, _PRICE_WORDS):
            return ()
        terms = tuple(w for w in phrasing.WORD.findall(low) if w in self.terms)
        return terms or tuple(phrasing.found(low, self.product_names))

    @cached_property
    def product_names(self) -> tuple[str, ...]:
        """Names of several capitalised words inside the profiles' lines ("Weights & Biases", "Power BI")."""
        name = re.compile(r"(?<=[\s(,/])([A-Z][\w+#-]*(?:\s+(?:&\s+)?[A-Z][\w+#-]*)+)")
        return tuple(sorted({m.group(1).lower() for line in self._lines for m in name.finditer(line)}))

    def operated(self, low: str) -> tuple[str, ...]:
        """The profiles' tools `low` asks how to operate or how they work inside ("how do i set up an
        mlflow tracking server on aws?": "mlflow", "aws"): the guide names them as skills and
        teaches none of them."""
        m = _HOW_TO_OPERATE.search(low)
        if m:
            return tuple(w for w in phrasing.WORD.findall(m.group(2)) if w in self.terms)
        works = _HOW_IT_WORKS.search(low)  # "how does docker networking work?"
        inside = (works.group(1) or works.group(2)) if works else ""
        return tuple(w for w in phrasing.WORD.findall(inside) if w in self.terms)

    def asks_what_roles_do(self, low: str) -> bool:
        """ "which roles need/use X", "which job runs/writes X" with a verb of the guide's tasks, or
        "which roles list/mention X" with X one of the profiles' own terms ("mlflow", "docker")."""
        words = phrasing.WORD.findall(low)
        return phrasing.has_any(low, lexicon.NEED_WORDS) or any(w in self.task_verbs or w in self.terms for w in words)

    def skill(self, low: str, roles: tuple[str, ...]) -> str | None:
        """The words left after the question's frame, narrowed to those the guide's skills and
        tasks use when some are ("usually wants a PhD" -> "phd")."""
        topic_words = {w for ws in lexicon.TOPIC_WORDS.values() for w in ws}
        drop = set(phrasing.STOP) | set(lexicon.RANK_SUBJECT) | set(lexicon.NEED_WORDS) | set(lexicon.HIGHER)
        drop |= set(lexicon.LOWER) | set(lexicon.REGION_WORDS) | _FRAME
        for r in roles:
            drop |= set(phrasing.WORD.findall(r.lower()))
        low = without_role_names(low, (self.roles[r] for r in roles if r in self.roles))
        low = phrasing.set_aside_words().sub(" ", low)
        words = [w.strip(".'") for w in phrasing.WORD.findall(low)]
        # An adverb ("usually", "typically") frames the asking; it is not the thing asked about.
        left = [w for w in words if w and w not in drop and len(w) > 1 and not (len(w) > 5 and w.endswith("ly"))]
        in_profiles = [w for w in left if self._in_profiles(w) or w in self.task_verbs]
        # A word the profiles use as written outranks one whose stem they use only in a verb's -ing
        # form ("i keep seeing tableau...": "tableau", not "keep" for "keeping up"; "masters" stays)
        sure = [w for w in in_profiles
                if w in self.profile_words or w in self.task_verbs or not self._only_as_verb(w)]
        in_profiles = sure or in_profiles
        if any(w in self.terms for w in left):  # "where kubernetes shows up", "list mlflow as a skill"
            in_profiles = [w for w in in_profiles if w in self.terms or (w not in _SECTION_WORDS and len(w) > 2)]
        left = in_profiles or [w for w in left if w not in topic_words]
        return " ".join(left) if left and len(left) <= 4 else None

    def _only_as_verb(self, word: str) -> bool:
        """Do the profiles use `word`'s stem only in -ing forms ("keep" in "keeping up")?"""
        stem = re.sub(r"(?:'s|s)$", "", word)
        forms = [p for p in self.profile_words if p.startswith(stem)]
        return bool(forms) and all(p.endswith("ing") for p in forms)

    def _in_profiles(self, word: str) -> bool:
        """Does a role's skill or task line use `word` (or its stem: "masters" -> "master's")?"""
        stem = re.sub(r"(?:'s|s)$", "", word)
        return word in self.profile_words or (len(stem) >= 4 and any(p.startswith(stem) for p in self.profile_words))
