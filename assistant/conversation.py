"""Reading a turn of a conversation: whether it leans on the earlier turns, and the reading
it then stands for (the roles, topic and region carried over from them).

`Conversation` is a part of `understanding.QuestionReader`: it uses the reader's one-turn
reading, its catalogue and its readings by meaning.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import replace
from functools import cached_property
from typing import TYPE_CHECKING, Any

from assistant import lexicon, phrasing
from assistant.gaps import asking as _asking
from assistant.phrasing import FOLLOW_UP_END, FOLLOW_UP_START, PRONOUN
from assistant.places import fold, places_in
from assistant.regions import region_in_text, without_region_words
from assistant.roles import find_roles
from core.embeddings import english_words

if TYPE_CHECKING:
    from assistant.understanding import Kind, Reading

# A follow-up of three words or more whose nearest topic asking or quiz question is under this
# has changed the subject ("btw who's the prime minister of the uk?" 0.28; guide follow-ups 0.45 and up).
OFF_GUIDE_TOPIC_MAX = 0.35
# The words of what the guide's subject takes in but the guide does not give ("senior", "remote").
_GAP_ROOTS = frozenset(phrasing.root(w) for words in lexicon.GAP_TOPICS.values() for phrase in words
                       for w in phrase.split())


class Conversation:
    """The follow-up half of the question reader."""

    def _previous(self, history: Sequence[Mapping[str, Any]]) -> Reading | None:
        merged: Reading | None = None
        for n, turn in enumerate(history):
            if turn.get("role") != "user":
                continue
            reading = self._read_alone(str(turn.get("content", "")))
            if reading.kind in {"meta", "out_of_scope"} or _asks_nothing(reading):
                continue  # "wow ok", "thanks!": the conversation is still about what came before
            # "which is more hands-on?" after two roles: a choice between them
            choosing = merged is not None and len(merged.roles) >= 2
            if reading.kind == "path_request" or (not reading.roles and not choosing
                                                  and reading.kind in {"general", "role_fact"}):
                # A turn that named no role ("I'm a data analyst, where do I fit?"): "it" is then
                # the role the reply recommended first, or the one role the reply named; a choice
                # between the roles under discussion keeps them all, whichever the reply chose.
                reply = next((str(t.get("content", "")) for t in history[n + 1:] if t.get("role") == "assistant"), "")
                named = find_roles(reply, self.roles)
                if named and (reading.kind == "path_request" or len(named) == 1):
                    reading = replace(reading, kind="role_fact", roles=(named[0].title,))
            merged = reading if merged is None or not self._continues(reading, reading.question, merged) \
                else self._merge(reading, merged, reading.question)
        return merged

    def _continues(self, alone: Reading, question: str, prev: Reading | None = None) -> bool:
        """Does this turn lean on the conversation (no role of its own, or no topic of its own, or
        a word only the role under discussion has)?"""
        if alone.roles and alone.topic:
            return False
        # A word no other profile has holds the turn to the role under discussion, whatever else is
        # said ("damn 😳 which conferences would i be presenting at"); a word two profiles share
        # ("training") only where the turn is not off the guide.
        own = prev is not None and not alone.roles and self._only_in(question, prev.roles, most=1)
        low = phrasing.normal(alone.text or question)
        # a place with words of its own goes elsewhere, own word or not ("which part of leeds is nicest?")
        if not alone.topic and (not own or self._names_a_place(low)) and self._off_guide(low):
            return False
        short = len(question.split()) <= 6
        leans = FOLLOW_UP_START.search(question) or FOLLOW_UP_END.search(question) or PRONOUN.search(question)
        return bool(own or leans or short
                    or (alone.region and not alone.roles) or (alone.roles and not alone.topic)
                    or (prev is not None and not alone.roles and self._only_in(question, prev.roles)))

    def _only_in(self, question: str, roles: tuple[str, ...], most: int = 2) -> bool:
        """Does the question name something of these roles' profiles that at most `most` profiles
        have ("which conferences would i be presenting at?" after the research scientist)?"""
        words = {_stem(w) for w in phrasing.content(phrasing.normal(question)) if w.isalpha() and len(w) >= 5}
        return any(self._profile_words.get(w, frozenset()) & set(roles)
                   and len(self._profile_words[w]) <= most for w in words)

    def _section_with(self, question: str, role: str) -> str | None:
        """The one section of the role whose words the question's rarer words are, as a topic."""
        words = {_stem(w) for w in phrasing.content(question) if w.isalpha() and len(w) >= 5}
        words = {w for w in words if len(self._profile_words.get(w, ())) <= 2}
        facts = self.roles.get(role)
        if not words or facts is None:
            return None
        hit = [name for name, body in facts.sections.items()
               if words & {_stem(w) for w in phrasing.WORD.findall(body.lower()) if w.isalpha()}]
        if len(hit) != 1:
            return None
        by_section = {section: topic for topic, section in lexicon.TOPIC_SECTION.items()}
        return by_section.get(hit[0], hit[0])

    @cached_property
    def _profile_words(self) -> dict[str, frozenset[str]]:
        """Each word (stemmed) of the detailed roles' profiles, and the roles whose profile has it."""
        held: dict[str, set[str]] = {}
        for facts in self.roles.values():
            if facts.detailed:
                for body in facts.sections.values():
                    for w in phrasing.WORD.findall(body.lower()):
                        if w.isalpha() and len(w) >= 5:
                            held.setdefault(_stem(w), set()).add(facts.title)
        return {w: frozenset(r) for w, r in held.items()}

    def _off_guide(self, low: str) -> bool:
        """Words of its own, none of them the guide's, a region's or a place's ("is it cold there in
        winter?"): a change of subject, read on its own and gated like any question."""
        words = [w for w in phrasing.content(low) if w.isalpha()]
        if not words or any(p in low for p in lexicon.ACROSS_THE_POND):
            return False
        rest = self._without_role_names(low, tuple(self.roles))  # "a data scientist" is the guide's own
        places = places_in(rest)
        rest = fold(rest)  # "bogota" typed for "Bogotá"
        for _, name, _ in places:  # "and in leeds?" has nothing of its own; "where to live in leeds?" has
            rest = re.sub(rf"(?<![\w-]){re.escape(fold(name.lower()))}(?![\w-])", " ", rest)
        rest = without_region_words(rest)  # a region's own name ("global tech hubs") asks nothing
        own = [w for w in phrasing.content(rest) if w.isalpha() and w not in lexicon.REGION_WORDS
               and w not in lexicon.GO_ON and w not in lexicon.LEAD_IN_WORDS and w not in lexicon.POINTS_BACK]
        if not own or any(w in self._skills.terms for w in own):
            # Nothing of its own ("tell me more"), or a term of the roles' profiles ("why is sql such a big deal for it?")
            return False
        far = self._far_from_guide(rest) if own else True
        if len(own) >= 3:  # words enough to tell by meaning
            return far
        # words that can name a subject: not slang ("tho", "rn") nor an adverb ("generally")
        subject = [w for w in own if len(w) >= 4 and w in english_words() and not w.endswith("ly")]
        if (places or region_in_text(low)) and subject and not any(map(self._on_subject, own)):
            return True  # a place asked about in words the guide never uses: "how pricey is rent in the us?"
        # Too few words to rule a change of subject, enough to keep one ("who's it for though"), as a region does.
        known = self.words.knows_any(own if places else words)  # a place's own words: "rent in leeds?"
        return far and not region_in_text(rest) and not known

    def _on_subject(self, word: str) -> bool:
        """Is `word` the guide's, one of the gaps in its subject ("senior", "remote") or a comparison's?"""
        return self.words.in_guide(word) or phrasing.root(word) in _GAP_ROOTS or word in lexicon.HIGHER \
            or word in lexicon.LOWER

    def _far_from_guide(self, text: str, unknown: bool = True) -> bool:
        """Is `text` far by meaning from every way of asking a guide topic or quiz question?
        `unknown` without an embedder to tell."""
        scores = self._on_guide.scores(text)
        return max(scores.values()) < OFF_GUIDE_TOPIC_MAX if scores else unknown

    def _about_a_place(self, low: str) -> bool:
        """A place named with words of their own, off the guide ("the best area to live in leeds?"): not its pay."""
        return self._names_a_place(low) and self._off_guide(low)

    @staticmethod
    def _names_a_place(low: str) -> bool:
        return bool(places_in(low) or phrasing.found(low, lexicon.REGION_CITIES))

    def _merge(self, alone: Reading, prev: Reading, question: str) -> Reading:
        roles = alone.roles or prev.roles
        topic = alone.topic
        rest = self._without_role_names(phrasing.normal(question), roles)
        if topic is None and roles:  # "how's the job outlook for it?": a section only that role has
            topic = self._own_section(_asking(rest) or rest, roles[0])
        if topic is None and roles and not alone.region:
            # A follow-up that asks a topic of its own by meaning ("so what would I be doing all day?",
            # "and how do i actually get in"), or the one section of the role that has its words
            # ("which conferences...?": tasks); noise ("and the lowest?", "why?") is near no topic.
            topic = self._topics.label(rest) or self._section_with(rest, roles[0])
        # Asking yes or no on a quiz question ("do they have to code?") asks nothing of the last topic.
        elsewhere = topic is None and alone.yes_no and not alone.direction and self._on_guide.label(rest) == "quiz"
        topic = topic or (None if elsewhere else prev.topic)
        region = alone.region or (prev.region if not alone.place else None)
        if not alone.region and any(p in phrasing.normal(question) for p in lexicon.ACROSS_THE_POND):
            region = lexicon.POND_SIDES.get(prev.region or "")  # the other side from the region just asked about
        place = alone.place or (prev.place if not alone.region else None)
        kind: Kind = alone.kind
        if kind == "general" and roles:
            kind = "comparison" if len(roles) >= 2 else "role_fact"
        if prev.kind == "ranking" and not alone.roles and kind == "general":
            kind = "ranking"
        direction = alone.direction or (prev.direction if kind in {"comparison", "ranking"} else None)
        skill = alone.skill or (prev.skill if kind == "ranking" else None)
        gap, topic = self._gap(phrasing.normal(question), topic, roles)  # with the roles carried over
        text = phrasing.standalone(question, roles, topic, region, place)
        query = f"{' '.join(roles)} {lexicon.TOPIC_LABEL.get(topic or '', '')} {text}".strip()
        return replace(alone, kind=kind, roles=roles, topic=topic, region=region, place=place,
                       direction=direction, skill=skill, follow_up=True, text=text, query=query, gap=gap)


def _asks_nothing(reading: Reading) -> bool:
    """A short turn that asks nothing and names nothing of the guide ("wow ok", "cool thanks"). (A
    longer one may say who the person is: "I'm a data analyst and I like stats.")"""
    text = reading.question.strip()
    asks = text.endswith("?") or phrasing.OPEN_QUESTION.match(text) or phrasing.YES_NO.match(text)
    names = reading.roles or reading.topic or reading.region or reading.place or reading.foreign
    return len(text.split()) <= 4 and not (asks or names or reading.kind != "general")


def _stem(word: str) -> str:
    """A word's first six letters: "presenting" and "presentations" meet, "conferences" stays whole enough."""
    return word[:6]
