"""Asking what an idea of AI is or how it works ("what is overfitting", "explain gradient descent",
"the difference between bagging and boosting"): the guide describes careers and names the skills
they need, and teaches none of them. Read from the words alone; the reader adds that no role,
job, place or short form the guide spells out is named."""

from __future__ import annotations

import re

from assistant import lexicon
from assistant.phrasing import LEAD_IN, WORD

# The frames of a definition, each with the idea asked about as its one named group.
_THE = r"(?:(?:the|a|an)\s+)?"
_BE = r"(?:'s|s|\s+is|\s+are|\s+r)"
DEFINITION = re.compile(
    rf"^\s*{LEAD_IN}(?:(?:can|could)\s+(?:you|u)\s+)?(?:please\s+|pls\s+)?(?:"
    rf"(?:explain|define|describe)\s+(?:to\s+me\s+)?(?:what\s+)?{_THE}(?P<explained>.+?)"
    rf"|what{_BE}\s+{_THE}(?:main\s+|key\s+)?(?:differences?|diff)\s+between\s+(?P<between>.+?)"
    rf"|what{_BE}\s+{_THE}(?:main\s+|different\s+)?(?:types|kinds|sorts)\s+of\s+(?P<kinds>.+?)"
    rf"|what{_BE}\s+{_THE}(?P<what>.+?)"
    rf"|how\s+(?:does|do)\s+{_THE}(?P<works>.+?)\s+(?:actually\s+)?work"
    rf"|what\s+does\s+(?P<means>.+?)\s+(?:stand\s+for|mean))"
    r"\s*(?:exactly|simply|in simple terms|in plain english|like i'?m 5|for me|please|pls)?\s*[?.!]*\s*$",
    re.I)

# Words of a career question, not of an idea ("what is the pay", "what are the tracks", "what is
# a typical day"), and words that point back or to the asker ("what is it", "what's my best bet").
_CAREER = frozenset({
    *lexicon.RANK_SUBJECT, *lexicon.JOB_HEADS, *(h + "s" for h in lexicon.JOB_HEADS),
    *(w for t in ("salary", "tasks", "suits", "break_in", "quiz") for w in lexicon.TOPIC_WORDS[t]
      if " " not in w),
    "guide", "skill", "skills", "skillset", "landscape", "industry", "sector", "work", "day", "week",
    "background", "experience", "degree", "phd", "masters", "bootcamp", "portfolio", "interview", "hiring",
    "market", "salary",
    "you", "your", "yours", "it", "this", "that", "these", "those", "they", "them", "two", "both", "i", "me",
    "my", "we", "our", "difference", "best", "better", "worst", "point", "next", "step", "steps", "plan",
    # the guide's own names: its publisher and its sections' labels ("what is the growth outlook")
    "educademy", "outlook", "note", "summary",
    "like",  # "what is the work like": what it is like to do, not what it is
})


def concept_asked(asked: str) -> str | None:
    """The idea `asked` asks to have explained, or None when it asks something of a career (or
    is no definition at all)."""
    m = DEFINITION.match(asked.strip())
    if not m:
        return None
    subject = re.sub(r"\s+(?:is|are|means?|does)$", "", next(g for g in m.groups() if g).strip(" ,"))
    words = WORD.findall(subject.lower())
    if not words or any(w.strip(".'") in _CAREER for w in words):
        return None
    return subject if any(len(w) >= 3 for w in words) else None
