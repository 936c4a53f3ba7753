"""Grounding: every figure in an answer must come from a cited source; roles must exist."""

from __future__ import annotations

import re
from dataclasses import dataclass

from assistant.retrieval import STOP_WORDS

# A money amount or number: "£60,000", "$250,000+", "60k", "1.5", but not "[2]".
FIGURE = re.compile(
    r"(?:(?<![A-Za-z])(?P<iso>GBP|USD|EUR)\s?|(?<![\w\[\].,])(?P<cur>[£$€])?\s?)"
    r"(?P<num>\d{1,3}(?:,\d{3})+|\d+(?:\.\d+)?)"
    r"(?:\s?(?P<mult>[kK]|[mM]\b|million|thousand))?(?![\w\]])"
)
ISO_SYMBOL = {"GBP": "£", "USD": "$", "EUR": "€"}
CITATION = re.compile(r"\[(\d{1,2})\]")
ROLE_PHRASE = re.compile(
    r"\b((?:[\w/&-]+\s){0,2}(?:engineer|scientist|manager|researcher|specialist|analyst|architect|"
    r"developer|consultant|officer)s?)\b",
    re.I,
)
SMALL_NUMBERS = {str(n) for n in range(0, 11)}
# List numbering ("1. Python") is layout, not a claim; every other number must be in a source.
LIST_NUMBER = re.compile(r"(?m)^\s*\d{1,2}[.)]\s")
_LEADING = {"a", "an", "the", "as", "of", "for", "to", "and", "or", "is", "be", "become", "becoming",
            "your", "you", "any", "other", "most", "many", "some", "every", "each", "that", "this"}


@dataclass(frozen=True)
class Figure:
    text: str
    currency: str
    value: float


def figures(text: str) -> list[Figure]:
    """Numbers and money amounts in `text`, normalised (separators and k/m multipliers)."""
    found = []
    for m in FIGURE.finditer(text):
        value = float(m.group("num").replace(",", ""))
        mult = (m.group("mult") or "").lower()
        if mult in {"k", "thousand"}:
            value *= 1_000
        elif mult in {"m", "million"}:
            value *= 1_000_000
        currency = m.group("cur") or ISO_SYMBOL.get(m.group("iso") or "", "")
        found.append(Figure(text=m.group(0).strip(), currency=currency, value=value))
    return found


def unsupported_figures(answer: str, source_texts: list[str]) -> list[str]:
    """Figures in the answer that no source contains (with the same currency when one is given)."""
    known = {(f.currency, f.value) for text in source_texts for f in figures(text)}
    values = {v for _, v in known}
    bad = []
    for fig in figures(LIST_NUMBER.sub(" ", CITATION.sub(" ", answer))):
        ok = (fig.currency, fig.value) in known if fig.currency else fig.value in values
        if not ok:
            bad.append(fig.text)
    return bad


def unknown_roles(answer: str, allowed_text: str) -> list[str]:
    """Job titles in the answer that appear nowhere in the guide or the sources."""
    allowed = allowed_text.lower()
    bad = []
    for m in ROLE_PHRASE.finditer(answer):
        words = [w for w in m.group(1).lower().split()]
        while words and words[0] in _LEADING:
            words.pop(0)
        if len(words) < 2:
            continue  # "engineers", "a researcher": generic, not a role name
        candidate = " ".join(words[-2:])
        singular = re.sub(r"s$", "", candidate)
        if candidate not in allowed and singular not in allowed:
            bad.append(m.group(1).strip())
    return bad


def cited_ids(answer: str) -> list[int]:
    seen: list[int] = []
    for m in CITATION.finditer(answer):
        n = int(m.group(1))
        if n not in seen:
            seen.append(n)
    return seen


def problems(answer: str, source_texts: list[str], allowed_text: str = "",
             cited_only: bool = True) -> list[str]:
    """Why an answer is not grounded in its sources (empty when it is).

    `source_texts` are the numbered sources in order ([1] is the first). When the answer
    cites sources, its figures must appear in the ones it cites.
    """
    cited = [n for n in cited_ids(answer) if 1 <= n <= len(source_texts)]
    invalid = [n for n in cited_ids(answer) if not 1 <= n <= len(source_texts)]
    pool = [source_texts[n - 1] for n in cited] if cited and cited_only else source_texts
    issues = [f"unsupported figure {f}" for f in unsupported_figures(answer, pool)]
    issues += [f"citation [{n}] does not exist" for n in invalid]
    if answer.strip() and not _says_something(answer):
        issues.append("nothing but citations")  # "[1]": the small model said nothing
    if allowed_text:
        issues += [f"unknown role {r!r}" for r in unknown_roles(answer, allowed_text + "\n" + "\n".join(source_texts))]
    return issues


def tidy_citations(answer: str, sources: list[dict]) -> tuple[str, list[dict]]:
    """Keep only the sources the answer cites, renumbered in order of first citation, and join
    citations stranded after a full stop ("... [1]. [2]" -> "... [1][2].")."""
    answer = re.sub(r"((?:\s?\[\d{1,2}\])+)\.\s*((?:\[\d{1,2}\]\s?)+)(?=\s|$)",
                    lambda m: m.group(1) + m.group(2).strip().replace("] [", "][") + ".", answer)
    order = [n for n in cited_ids(answer) if 1 <= n <= len(sources)]
    if not order:
        return answer, sources
    new_id = {old: new for new, old in enumerate(order, start=1)}
    text = CITATION.sub(lambda m: f"[{new_id[int(m.group(1))]}]" if int(m.group(1)) in new_id else "", answer)
    kept = [dict(sources[old - 1], id=new_id[old]) for old in order]
    return re.sub(r"[ \t]+([.,;])", r"\1", text), kept


def figure_is_supported(fig_text: str, source_texts: list[str]) -> bool:
    """For streaming: may this completed figure be shown?"""
    return not unsupported_figures(fig_text, source_texts)


def repair_citations(answer: str, source_texts: list[str]) -> str:
    """Point each sentence's citation at the source that holds its figures.

    Small models often cite the wrong number for a figure that is in another
    retrieved source; the figure is grounded, only its pointer is wrong.
    """
    parts = re.split(r"(?<=[.!?])\s+|\n", answer)
    out = answer
    for sentence in parts:
        figs = [f for f in figures(LIST_NUMBER.sub(" ", CITATION.sub(" ", sentence)))
                if f.currency or f.text not in SMALL_NUMBERS]
        if not figs:
            continue
        holders = [n for n, text in enumerate(source_texts, start=1)
                   if not unsupported_figures(" ".join(f.text for f in figs), [text])]
        cited = cited_ids(sentence)
        if not holders or any(n in holders for n in cited):
            continue
        fixed = re.sub(r"\s+([.!?])$", r"\1", CITATION.sub("", sentence).rstrip())
        fixed = re.sub(r"([.!?]?)$", lambda m: f" [{holders[0]}]{m.group(1)}", fixed, count=1)
        out = out.replace(sentence, fixed, 1)
    return out


# --------------------------------------------------------------------------- claim support

# Words that carry no claim of their own: retrieval's stop words, and the filler of an
# answer ("earns between ... per year", "the guide says").
_FILLER = STOP_WORDS | frozenset(
    ["been", "other", "role", "roles", "guide", "based", "when", "where", "while", "being", "make", "makes", "each", "both", "well", "only", "over", "work", "works", "working", "earn", "earns", "earning", "pays", "paid", "between", "year", "years", "annually", "average", "typically", "usually", "involve", "involves", "involved", "stated", "states", "says", "said", "calls", "called", "good", "someone", "used", "using"]  # noqa: SIM905
)
_WORD = re.compile(r"[a-z][a-z0-9+#/-]{3,}")
MIN_SUPPORT = 0.6  # on the 1.5B's gold-set answers, every sentence below this was the model's own addition
MIN_CONTENT_WORDS = 3


def _content_words(text: str) -> list[str]:
    return [w for w in _WORD.findall(CITATION.sub(" ", text.lower())) if w not in _FILLER]


def claims(answer: str) -> list[str]:
    """The answer's sentences and bullet items, as written; a citation left alone ("[1] [2]",
    what remains when every sentence was cut) says nothing and is none."""
    parts: list[str] = []
    for line in answer.splitlines():
        line = line.strip().lstrip("-*• ").strip()
        if line:
            parts += [p for p in re.split(r"(?<=[.!?])\s+(?=[A-Z])", line) if _says_something(p)]
    return parts


def _says_something(text: str) -> bool:
    return bool(re.search(r"[A-Za-z]{2,}", CITATION.sub(" ", text)))


def weak_claims(answer: str, source_texts: list[str], min_support: float = MIN_SUPPORT) -> list[str]:
    """Sentences most of whose content words are in no source ("It is also popular for web
    apps"): the small model's elaborations. Words match on their first five letters, so
    "analysing" supports "analyse"; a sentence with fewer than three content words passes."""
    known = {w[:5] for text in source_texts for w in _content_words(text)}
    weak = []
    for claim in claims(answer):
        words = _content_words(claim)
        if len(words) >= MIN_CONTENT_WORDS and sum(w[:5] in known for w in words) / len(words) < min_support:
            weak.append(claim)
    return weak


def without_claims(answer: str, drop: list[str]) -> str:
    """`answer` with the sentences in `drop` removed (layout of the rest kept)."""
    lines = []
    for line in answer.splitlines():
        for claim in drop:
            line = line.replace(claim, "")
        if line.strip().lstrip("-*• ").strip() or not line.strip():
            lines.append(re.sub(r"[ \t]{2,}", " ", line).rstrip())
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()


# --------------------------------------------------------------------------- evidence for a verdict


class FigureGuard:
    """Holds back streamed text until each figure in it is complete and checked.

    A figure the sources do not contain is never shown: the stream stops and the
    chain answers extractively instead.
    """

    _PENDING = re.compile(r"[£$€]?\s?[\d,.]*(\s?[kKmM])?\+?$")

    def __init__(self, source_texts: list[str]) -> None:
        self.sources = source_texts
        self.text = ""
        self._emitted = 0
        self.rejected: list[str] = []

    @property
    def failed(self) -> bool:
        return bool(self.rejected)

    def feed(self, piece: str) -> str:
        self.text += piece
        pending = self._PENDING.search(self.text)
        cut = pending.start() if pending and pending.group(0).strip() else len(self.text)
        return self._release(cut)

    def flush(self) -> str:
        return self._release(len(self.text))

    def _release(self, cut: int) -> str:
        if cut <= self._emitted:
            return ""
        # Check the figures that end in the newly released text, read on the whole text
        # so a figure is never cut in two.
        prefix = self.text[:cut]
        numbering = {m.start(1) for m in re.finditer(r"(?m)^\s*(\d{1,2})[.)]\s", prefix)}
        for m in FIGURE.finditer(prefix):
            if m.start("num") in numbering:
                continue  # "1. Python": list layout, not a figure
            if m.end() > self._emitted and not figure_is_supported(m.group(0), self.sources):
                self.rejected.append(m.group(0).strip())
        if self.rejected:
            return ""
        chunk = self.text[self._emitted:cut]
        self._emitted = cut
        return chunk
