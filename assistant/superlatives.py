"""What a superlative ranks. The guide ranks only its roles, by pay or on its quiz's questions:
"the highest paid role", "the best one for me", "the top end". A superlative over anything else
("the best bakery in leeds", "the cheapest trains to the us") ranks nothing the guide has, so
the region it names is no pay region and the question is no ranking of roles."""

from __future__ import annotations

import re

from assistant import lexicon
from assistant.phrasing import asks_which_roles, root

# The superlatives among the lexicon's more/less words ("best", "cheapest", "top").
SUPERLATIVES = tuple(w for w in (*lexicon.HIGHER, *lexicon.LOWER)
                     if "-" not in w and (w.endswith("est") or w in lexicon.SUPERLATIVES))
# "most" and "least" also make an adjective's superlative ("the most stressful"): read past it.
_BEFORE_ADJECTIVE = frozenset({"most", "least"})
# Where the ranked thing's name ends ("the best bakery *in* leeds", "the top end *of* the range").
_LINKS = frozenset("""in for to at of on with than among across around near by from if when and or but so
    is are was were be do does can could would should will i you we they it there that this these those right
    now ever out as the a an my your please pls under over below above within like vs versus into onto about
    per before after""".split())
_PHRASE = re.compile(rf"\b({'|'.join(SUPERLATIVES)})\b((?:[\s-]+[a-z][\w'+#]*){{0,4}})")
# Other words for a role or a pick among them ("the least technical kind of work", "the best fit").
_ROLE_LIKE = tuple("""kind kinds type types sort sorts work area areas direction niche specialism
    specialisation specialization route choice pick bet match fit""".split())
# A ranked thing that is the guide's: its roles ("role", "job", "one"), their pay ("paid",
# "salary", "earners") and the ends of its ranges ("ceiling", "starting").
_RANGE_END_WORDS = (w for ends in lexicon.RANGE_ENDS.values() for e in ends for w in e.split())
_GUIDE_RANKED = frozenset(root(w) for w in (*lexicon.RANK_SUBJECT, *_ROLE_LIKE,
                                             *lexicon.TOPIC_WORDS["salary"], *_RANGE_END_WORDS)
                          if " " not in w and w not in _LINKS)


def ranked_words(low: str) -> list[tuple[str, ...]]:
    """The words naming what each superlative in `low` ranks, up to the first linking word:
    "the best bakery in leeds" -> [("bakery",)], "best-paid role?" -> [("paid", "role")],
    "which is the most stressful?" -> [()] (an adjective's superlative names no thing)."""
    found = []
    for m in _PHRASE.finditer(low):
        words = []
        for word in m.group(2).split():
            word = word.strip("-")
            if word in _LINKS:
                break
            words.append(word)
        found.append(tuple(words[1:] if m.group(1) in _BEFORE_ADJECTIVE else words))
    return found


def other_things_ranked(asked: str, names_a_job: bool) -> tuple[str, ...]:
    """What the superlatives of a question's asked part rank, when that is no role nor its pay:
    () when a role or job is named, or roles are asked for ("which role has the best...")."""
    return () if names_a_job or asks_which_roles(asked) else ranks_other_things(asked)


def ranks_other_things(low: str) -> tuple[str, ...]:
    """The words of the things ranked when every superlative in `low` ranks a thing and none of
    them is a role, its pay or an end of a range ("the best bakery" -> ("bakery",)); else ()."""
    ranked = ranked_words(low)
    if not ranked or not all(ranked):
        return ()
    if any(root(w) in _GUIDE_RANKED or w in _GUIDE_RANKED for words in ranked for w in words):
        return ()
    return tuple(w for words in ranked for w in words)
