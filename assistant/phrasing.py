"""How a question is put, read from its words: follow-up openings, yes/no and judgement
questions, requests aimed at the assistant, "which roles ..." frames, first-person path requests,
pay directions. The word lists are data in assistant.lexicon."""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import cache

from assistant import lexicon, off_scope

FOLLOW_UP_START = re.compile(r"^\s*(and|what about|how about|or|also|same|in the|for the|for a|for an|"
                             r"what of|ok|okay|cool|thanks|great|nice|hmm|so|then|now)\b", re.I)
# A closing word that leans on what came before ("what would i be doing then?", "pay's good tho?").
FOLLOW_UP_END = re.compile(r"\b(then|though|tho|too|as well)\s*[?.!]*\s*$", re.I)
PRONOUN = re.compile(r"\b(that role|this role|that job|this job|that path|this path|that track|the role|"
                     r"it|they|them|their|that|this|those|there|these|one)\b", re.I)
# Asking for reasons or a verdict, not for the figures: "why is a data scientist well paid?".
_REASON = r"why|how come|worth it|compared to|better than|worse than"
ASKS_WHY = re.compile(rf"\b({_REASON})\b", re.I)
# A judgement the guide leaves to its reader (reasons, or how hard, risky or likely something is).
# The assistant itself as the subject ("which llm are you running on?"), not the guide's content.
ABOUT_YOU = re.compile(r"\b(?:are (?:you|u)|r u|you'?re|your)\b")
JUDGEMENT = re.compile(rf"\b({_REASON}|how (hard|difficult|easy|tough|competitive|realistic|likely|risky|stressful)|"
                       r"is it hard|is it easy|realistic|realistically|hardest|easiest|toughest|"
                       r"most (?:difficult|competitive|stressful)|least competitive|"
                       r"harder|easier|tougher|more (?:difficult|competitive|stressful|stable|secure|fun)|riskier)\b", re.I)
# "How hard is it to become X?", "realistically, how do I land X?": the guide's own frank
# sentences answer these (its honest notes), as they answer a yes/no question.
HOW_HARD = re.compile(r"\b(how (hard|difficult|easy|tough|competitive|realistic|likely)|realistic|realistically|"
                      r"is it (hard|difficult|easy|tough|competitive|realistic))\b", re.I)
LEAD_IN = rf"(?:(?:{'|'.join(lexicon.LEAD_IN_WORDS)})\b[\s,]*){{0,3}}"  # "anyway, what...", "ok so how..."
YES_NO = re.compile(
    # an opening context ("at a small startup, ", "in the UK ", "honestly ") may come first, not a wh-word;
    # any opening phrase set off by a comma ("without a degree, ") is one too
    rf"^\s*{LEAD_IN}"
    r"(?:(?:at|in|for|as|with|on|from|if|when|honestly|realistically|so|ok|okay|and|but|like|also)\b"
    r"(?:(?!\b(?:what|which|how|why|where|who|whom|whose)\b)[^,?.]){0,40}?(?:,\s*|\s+)"
    r"|(?:(?!\b(?:what|which|how|why|where|who|whom|whose)\b)[^,?.]){1,40},\s*)?"
    r"(do|does|did|is|are|am|can|could|should|would|will|must|has|have|was|were)\b", re.I)
# A statement put as a question by its tag: "sql is kinda optional for data science right?".
TAG_QUESTION = re.compile(r"(?:,|\s)\s*(?:right|correct|true|yeah|yes|no|innit|or not|isn'?t it|aren'?t they|"
                          r"don'?t they|doesn'?t it|is it not|am i right|am i wrong)\s*\?+\s*$", re.I)
# A question that asks for content, not a yes or no.
OPEN_QUESTION = re.compile(rf"^\s*{LEAD_IN}(?:what|what's|whats|which|how|why|where|who|whom)\b", re.I)


# A question cut short to its subject: "any courses worth doing", "any tips?".
ELLIPTIC_QUESTION = re.compile(rf"^\s*{LEAD_IN}any\b", re.I)


# A clause that tells of the asker with its "i" left out ("need to choose a laptop for uni",
# "doing a bit of revision over the summer", "got an offer from a lab"): a verb of the asker's doings
# opens it. Not "need to know ..." or "got any ...", which ask.
TELLS_WITHOUT_I = re.compile(
    rf"^\s*{LEAD_IN}(?:(?:just|currently|still|really|kinda|literally)\s+)?"
    r"(?:(?:need|needs|have|gotta|got|going|planning|hoping|trying|meaning|want|wanting)\s+to\s+"
    r"(?!know\b|find out\b|understand\b|ask\b|hear\b|learn about\b)"
    r"|(?:got|been|had|was|started|finished|moved|switched|graduated|landed|applied)\s+(?!any\b)"
    r"|(?![a-z]*thing\b)[a-z]{2,}ing\s+"
    r"(?:some|a|an|the|my|our|to|into|from|of|about|on|at|with|out|up|this|that|it|lots|more)\b)",
    re.I)


def opens_as_question(clause: str) -> bool:
    """A clause that asks: an open question, a yes/no question or one cut short, by its opening words."""
    return bool(OPEN_QUESTION.match(clause) or YES_NO.match(clause) or ELLIPTIC_QUESTION.match(clause))


# A short label before a colon that opens a sentence ("quick one: ", "real talk - "): it frames the question.
PREFACE = re.compile(r"^\s*(?:[\w']+\s+){0,3}[\w']+\s*(?::|\s-)\s+(?=\S)")
# A closing request for the answer's form ("...? yes or no", "short answer pls"): how to answer, not what.
ANSWER_FORM = re.compile(r"(?<=[?.!,])\s*(?:(?:just|pls|please)\s+)?(?:(?:a\s+)?(?:yes\s+or\s+no|yes/no|y/n)|"
                         r"(?:a\s+)?(?:short|quick|brief|one[\s-]word)\s+answer|in one word|briefly|tl;?dr|"
                         # "the list only", "as bullet points", "keep it brief"
                         r"(?:give\s+me\s+)?(?:in\s+)?(?:the|a)\s+list(?:\s+only)?|"
                         r"(?:as\s+|in\s+)?bullet\s*points?|"
                         r"keep\s+it\s+(?:short|brief)|no\s+fluff)"
                         r"(?:\s+(?:pls|please|thx|thanks))?\s*[?.!]*\s*$", re.I)


def without_answer_form(question: str) -> str:
    """`question` without a closing request for the answer's form (the question itself when that is all)."""
    return ANSWER_FORM.sub("", question).strip() or question


_REQUEST_VERB = rf"(?:please\s+)?(?:{'|'.join(lexicon.REQUEST_VERBS)})\b"
# "can you give me an overview": a request to the assistant, not a yes/no question.
REQUEST = re.compile(rf"^\s*(?:can|could|would|will)\s+(?:you|u)\s+{_REQUEST_VERB}", re.I)
# The same request put plainly ("check this script", "ok so please list..."): it asks, whatever it tells.
IMPERATIVE = re.compile(rf"^\s*{LEAD_IN}{_REQUEST_VERB}", re.I)

def artefact_asked(low: str) -> str | None:
    """The artefact `low` asks the assistant to make or work on ("can you give me a docker-compose
    file for mlflow?" -> "file", "help me proofread my essay" -> "essay"), or None: a request verb
    aimed at the assistant, then the thing within a few words ("does a PM write the code?" asks
    nothing of it)."""
    things = "|".join(off_scope.ARTEFACTS)
    m = re.search(r"(?:^|[.!?]\s+|\b(?:can|could|would|will)\s+(?:you|u)\s+(?:please\s+)?(?:help\s+me\s+)?"
                  r"|\bplease\s+|\bhelp\s+me\s+)(?:just\s+)?"
                  r"(?:give|send|show|make|create|generate|write|build|draft|produce|summari[sz]e|proofread|"
                  r"rewrite|edit|polish|fix|translate)\s+(?:me|us)?\s*(?:an?|the|some|my|our|this)\s+"
                  rf"(?:(?:'[^']+'|\"[^\"]+\")\s+)?(?:[\w./+'-]+\s+){{0,5}}?({things})\b", low)
    return m.group(1) if m else None


# Instructions aimed at the assistant rather than questions about careers.
META_REQUEST = re.compile(
    r"(system[\s_-]*prompt|system[\s_-]*message|your (instructions|rules|prompt|guidelines)|initial prompt|"
    r"(reveal|print|show|repeat|output) (me )?(your|the) (hidden |secret )?(prompt|instructions|rules))",
    re.I,
)

WORD = re.compile(r"[a-z][a-z0-9+#.'/-]*")
STOP = frozenset(
    ["a", "an", "the", "of", "to", "in", "on", "for", "and", "or", "but", "is", "are", "was", "be", "i", "me", "my", "we", "you", "your", "it", "its", "this", "that", "these", "those", "do", "does", "did", "can", "could", "should", "would", "will", "what", "which", "who", "whom", "how", "why", "when", "where", "there", "their", "they", "them", "with", "as", "at", "by", "from", "about", "into", "than", "then", "so", "if", "any", "some", "much", "many", "more", "most", "very", "just", "like", "get", "got", "need", "needs", "want", "wants", "roles", "role", "job", "jobs", "track", "tracks", "career", "careers", "path", "one", "ones", "guide", "have", "has", "had", "need", "needed", "require", "requires", "required", "use", "uses", "using", "involve", "involves", "work"]
)



def content(low: str) -> list[str]:
    return [w for w in WORD.findall(low) if w not in STOP and w not in OPENING_FILLER and len(w) > 2]


# Abbreviations spelled out: the "i" of "i.e." is nobody speaking of themselves, and "tl;dr" asks for a summary.
SPELLED_OUT = {"i.e.": "that is", "ie.": "that is", "e.g.": "for example", "eg.": "for example", "tl;dr.": "summary",
               "tldr.": "summary"}
_SPELLED_OUT = re.compile(r"(?<![\w.])(?:i\.e\.?|e\.g\.?|ie\.|eg\.|tl;dr|tldr)(?!\w)")


def normal(text: str) -> str:
    low = re.sub(r"\s+", " ", text.lower().replace("’", "'")).strip()
    return _SPELLED_OUT.sub(lambda m: SPELLED_OUT.get(m.group(0).rstrip(".") + ".", m.group(0)), low)


def has_any(low: str, phrases: Sequence[str]) -> bool:
    return bool(found(low, phrases))


def without_range_ends(low: str) -> str:
    """`low` with the end of a range that a direction word qualifies blanked out ("the lowest
    starting one", "highest minimum"): it names which end to rank by, and asks no topic."""
    return _range_end_after_direction().sub(r"\1 ", low)


@cache
def _range_end_after_direction() -> re.Pattern[str]:
    """Built once: read on every question."""
    directions = "|".join(re.escape(w) for w in sorted((*lexicon.HIGHER, *lexicon.LOWER), key=len, reverse=True))
    ends = "|".join(re.escape(w) for w in sorted({w for e in lexicon.RANGE_ENDS.values() for w in e}, key=len, reverse=True))
    return re.compile(rf"(?<![\w-])({directions})\s+(?:{ends})(?![\w-])")


@cache
def set_aside_words() -> re.Pattern[str]:
    """Built once: the set-aside words ("except", "leaving out") as one alternation, read on
    every question that names a role."""
    words = "|".join(re.escape(w) for w in sorted(lexicon.SET_ASIDE, key=len, reverse=True))
    return re.compile(rf"(?<![\w-])(?:{words})(?![\w-])")


def found(low: str, phrases: Sequence[str]) -> list[str]:
    return [p for p in phrases if re.search(rf"(?<![\w-]){re.escape(p)}(?![\w-])", low)]


def names(low: str, noun: str) -> bool:
    """Does `low` name `noun`, one or several ("nurse", "nurses")?"""
    return bool(re.search(rf"(?<![\w-]){re.escape(noun)}(?:s|es)?(?![\w-])", low))


def is_yes_no(text: str) -> bool:
    """A yes/no question: its question sentence (the one ending in "?", else the last) opens with
    an auxiliary verb ("I have a degree. Is that enough?") or ends on a tag ("..., right?"), and
    it is not a request ("can you list...")."""
    sentences = [x.strip() for x in re.split(r"(?<=[.!?])\s+", text.strip()) if x.strip()]
    asked = [x for x in sentences if x.endswith("?")] or sentences[-1:]
    asked = [PREFACE.sub("", x) for x in asked]  # "quick one: do they need ...?"
    if any(OPEN_QUESTION.match(PREFACE.sub("", x)) for x in asked + sentences[-1:]):
        return False  # "do i need python? what else do they want?": the open question asks for the whole answer
    return any((YES_NO.search(x) or TAG_QUESTION.search(x)) and not REQUEST.search(x) for x in asked)


def asked_of_me(low: str, phrase: str) -> bool:
    """Is `phrase` a request to the assistant ("translate ...", "can you write me ...") rather than
    part of a question about a role ("does a PM write code")?"""
    lead = (r"(?:^|[.!?,;:]\s*|\b(?:can|could|would|will) you\s+|\bplease\s+|\bhelp me\s+|\bnow\s+|\bthen\s+"
            r"|\b(?:tell|give|show|make|send) (?:me|us)\s+)")
    return bool(re.search(lead + rf"(?:\w+\s+){{0,3}}?{re.escape(phrase)}", low))


def refused(low: str, phrase: str) -> bool:
    """Is `phrase` something the asker says they do not want to do ("a job where i don't have to
    write code", "without writing code"), which is what they want of a role, not of the assistant?"""
    negation = r"\b(?:don'?t|do not|doesn'?t|does not|never|not|no|without|won'?t|hate|avoid)\b"
    return bool(re.search(rf"{negation}(?:\s+[\w']+){{0,3}}?\s+{re.escape(phrase)}", low))


def ruled_out(low: str, word: str) -> bool:
    """Does the asker rule a topic word out ("not the pay, the skills", "not about salary.", "forget
    money for a sec", "never mind the pay", "other than salary")? Not a verb that is negated ("it
    does not pay well")."""
    if re.search(rf"\bnot\s+(?:the\s+|about\s+(?:the\s+)?)?{re.escape(word)}(?=\s*(?:[,.;!?]|$|\bbut\b))", low):
        return True
    if re.search(rf"(?<![\w-]){re.escape(word)}\s+aside\b", low):
        return True  # "money aside, ...", "research aside"
    return bool(re.search(rf"{_set_aside_topic().pattern}\s+(?:about\s+)?(?:the\s+|my\s+|your\s+|their\s+)?"
                          rf"{re.escape(word)}(?![\w-])", low))


@cache
def _set_aside_topic() -> re.Pattern[str]:
    """Words that set a topic aside: the set-aside words but those that only set a role aside
    ("not a"), and the words that dismiss one ("forget", "never mind")."""
    words = [w for w in (*lexicon.SET_ASIDE, *lexicon.DISMISS) if not re.search(r"\b(?:a|an|being a)$", w)]
    return re.compile(rf"(?<![\w-])(?:{'|'.join(re.escape(w) for w in sorted(words, key=len, reverse=True))})")


def direction(low: str) -> str | None:
    high = found(low, lexicon.HIGHER)
    lower = found(low, lexicon.LOWER)
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


def root(word: str) -> str:
    """ "writes", "writer", "writing" -> "writ": forms of one word are not typos of each other."""
    for suffix in ("ing", "ers", "er", "es", "ed", "s", "e"):
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            return word[: -len(suffix)]
    return word


def verb_forms(gerund: str) -> set[str]:
    """ "Running" -> run, runs, running; "Writing" -> write, writes, writing (not "writer")."""
    word = gerund.lower().strip("*_")
    if not word.endswith("ing") or len(word) < 6:
        return {word, word + "s"}
    stem = word[:-3]
    bases = {stem, stem + "e"} | ({stem[:-1]} if stem[-1] == stem[-2] else set())
    return {word} | bases | {b + "s" for b in bases} | {b + "es" for b in bases}


def asks_which_roles(low: str) -> bool:
    return bool(_WHICH_ROLES.search(low))


def about_one(low: str, roles: tuple[str, ...]) -> bool:
    """One named role and no ranking frame: "what's the best skill for an MLE" is about that role."""
    return len(roles) == 1 and not re.search(r"\b(roles|jobs|tracks|paths|careers|of all|in the guide)\b", low)


_TOLD_TO_ME = re.compile(r"\b(?:tell|show|give|remind|teach|list for|name for)\s+me\b|\blet me know\b")
_FIRST_PERSON = re.compile(r"\b(i|i'm|im|i've|ive|me|my|myself)\b")
_ASKS_FOR_A_ROLE = re.compile(
    rf"\b(which|what|whats|what's|any)\b(?:\s+\S+){{0,2}}?\s+\b({_SUBJECTS})\b|\b(my|a) (path|direction|fit)\b"
    r"|\bwhere (do|would|could|should|can) i (?:\w+ )?(?:fit|belong|go|land|sit|slot|stand|head)\b|\bwhat (should|could|can) i (do|pick|choose|go for)\b")


def asks_about_a_topic(low: str) -> bool:
    """ "what skills ...", "how much ...": the question opens on a guide topic, not on the asker
    or on which roles."""
    if low.startswith("how much"):
        return True
    words = [w for w in WORD.findall(low)[:5] if w not in OPENING_FILLER]
    # one qualifier may come first ("what are the key skills..."), not a role's or the AI's ("which ai role")
    qualified = OPEN_QUESTION.match(low) and words and words[0] not in {*lexicon.RANK_SUBJECT, "ai", "ml"}
    opening = words[:2] if qualified else words[:1]
    return any(w in lexicon.TOPIC_WORDS[t] for w in opening for t in ("salary", "skills", "tasks"))


# "make" is pay only where money is meant: "what do they make in the UK", not "makes a good fit".
# "more" or "most" as the amount made ("who makes the most?"), not before a thing ("makes more sense").
_AMOUNT = (r"(?:the\s+)?(?:more|less|most|least)"
           r"(?!\s+(?!(?:than|in|at|of|on|among|across|per|overall|now|if|money|cash|bucks)\b)[a-z])")
MAKES_MONEY = re.compile(r"\bmak(?:e|es|ing)\b(?=\s*(?:$|[?.!,]|in\b|a year|per\b|annually|at\b|on average|"
                         rf"money|bank|bucks|a living|starting|to start|{_AMOUNT}|"
                         # where or when: "what do they make over here", "what do they make these days"
                         r"better|(?:over\s+)?(?:here|there)\b|these days|nowadays|now\b|usually|typically|"
                         r"normally))")
# "what does a [role] do (besides ...)?", "no idea what [she] does", the role's name taken out:
# the work is asked for by its verb.
_DOER = r"(?:(?:an?|the)\s+)?(?:(?!(?:i|we|you|u|ya)\b)[\w'-]+\s+)?(?:(?:actually|really|even|exactly)\s+)?"
DOES_WHAT = re.compile(rf"\bwhat\s+(?:(?:exactly|really)\s+)?(?:does|do|did)\s+{_DOER}do\b|"
                       rf"\bwhat\s+{_DOER}(?:does|do)\b"
                       r"(?=\s*(?:$|[?.!,;]|all day|day to day|every day|at work))")


def asks_by_verb(topic: str, low: str) -> bool:
    """Is `topic` asked by a verb: "what do they make?" (salary), "what does a [role] do?" (tasks)."""
    pattern = {"salary": MAKES_MONEY, "tasks": DOES_WHAT}.get(topic)
    return bool(pattern and pattern.search(low))


OPENING_FILLER = frozenset(["what", "whats", "what's", "which", "the", "a", "an", "kind", "type", "sort", "of", "are", "is", "do", "does"])


_ASKING_WORDS = r"(?:what|which|who|how|where|when|why|do|does|is|are|can|could|would|should)\b"


def held_by_the_asker(low: str, job: str) -> bool:
    """Is every mention of `job` the asker's own ("I'm a copywriter", "copywriter here, ...",
    "as a nurse", "sre / devops engineer, ...")? Then it is their background, not the subject."""
    j = rf"(?P<job>{re.escape(job)}(?:s|es)?)(?![\w-])"
    mods = r"(?:[\w/-]+\s+){0,3}"
    own = [
        rf"\b(?:i'?m|i am|i was|i've been|ive been|i have been|i work as|working as|worked as|(?<!such )as|former|ex|"
        rf"currently)\s+(?:an?\s+|the\s+)?{mods}{j}",
        rf"\bmy (?:job|role|work|background|title|day job) (?:is|as|in)\s+(?:an?\s+)?{mods}{j}",
        rf"(?:^|[.!?]\s+){mods}{j}\s*(?:here\b|by trade\b|,|/|\(|-|w/|with\b)",
        # "nurse in leeds here, ...": told, with no question word before it
        rf"(?:^|[.!?]\s+)(?:(?!{_ASKING_WORDS})[\w/-]+\s+){{0,2}}{j}\s+(?:at|in|for|from|with)\s+"
        rf"(?:[\w-]+\s+){{0,2}}[\w-]+\s+here\s*(?:[,.!:;–—-]|$)",
        rf"(?:^|[.!?]\s+){mods}(?:\w+\s*/\s*){{1,2}}{mods}{j}\s*(?:here\b|,|\(|-)",
    ]
    mentions = list(re.finditer(rf"(?<![\w-]){j}", low))
    held = {m.end("job") for p in own for m in re.finditer(p, low)}
    return bool(mentions) and all(m.end() in held for m in mentions)


def asks_for_me(question: str) -> bool:
    """ "which AI role suits me?": the recommendation patterns, whatever roles are named."""
    from assistant.recommend import is_path_request

    return is_path_request(question)


def is_path_request(question: str, low: str) -> bool:
    """The asker wants a role for themselves: first person, asking which role, path or job."""
    from assistant.recommend import is_path_request

    about_me = _TOLD_TO_ME.sub(" ", low)  # "tell me which titles...": the asker only receives the answer
    return is_path_request(question) or bool(_FIRST_PERSON.search(about_me) and _ASKS_FOR_A_ROLE.search(low))


@cache
def lexicon_words() -> frozenset[str]:
    words: set[str] = set()
    for group in (off_scope.OTHER_JOBS, off_scope.PRODUCTS, off_scope.CHORES, off_scope.OFF_SUBJECTS, lexicon.HIGHER, lexicon.LOWER,
                  lexicon.COMPARE, lexicon.NEED_WORDS, lexicon.META_WORDS):
        for phrase in group:
            words.update(phrase.split())
    for phrases in lexicon.GAP_TOPICS.values():
        for phrase in phrases:
            words.update(phrase.split())
    words.update(w + suffix for w in lexicon.JOB_HEADS for suffix in ("", "s"))  # "architects" is no typo
    return frozenset(words)


def standalone(question: str, roles: tuple[str, ...], topic: str | None, region: str | None,
                place: str | None) -> str:
    """A follow-up written out in full, for retrieval and the model ("and in the US?" ->
    "What is salary range for the Data Scientist in the US?")."""
    who = " and ".join(f"the {r}" for r in roles) or "the guide's roles"
    where = f" in {lexicon.REGION_LABEL[region]}" if region else (f" in {place}" if place else "")
    label = lexicon.TOPIC_LABEL.get(topic or "")
    if label and len(question.split()) <= 6:
        return f"What is {label} for {who}{where}?" if topic != "summary" else f"What is {who}?"
    return f"{question} (about {who}{', ' + label if label else ''}{where})"


def shortens(short: str, name: str) -> bool:
    """Is `short` the name `name` with words left out or cut short, in order ("infra engineer" of
    "AI infrastructure engineer"), with at least one word cut?"""
    words, full = WORD.findall(short.lower()), WORD.findall(name.lower())
    i, cut = 0, False
    for w in words:
        while i < len(full) and not (full[i].startswith(w) and (len(w) >= 3 or w == full[i])):
            i += 1
        if i == len(full):
            return False
        cut |= w != full[i]
        i += 1
    return bool(words) and cut


_SUFFIXES = frozenset({"", "s", "es", "ed", "ing", "th", "er", "ers", "ent", "ence", "ences", "ly", "ion", "ions", "ive"})


def same_stem(a: str, b: str) -> bool:
    """Do two words share a stem of four letters or more, each going on only with an ending
    ("growing" and "growth", "differ" and "different"; not "company" and "comparison")?"""
    n = 0
    for x, y in zip(a, b):
        if x != y:
            break
        n += 1
    return n >= 4 and a[n:] in _SUFFIXES and b[n:] in _SUFFIXES
