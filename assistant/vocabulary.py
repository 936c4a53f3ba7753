"""The words a guide knows: its own text's, its role names', the topic and region words and the
lexicon's. They mend typos ("salry" -> "salary") and tell a follow-up that changes the subject
("is it cold there in winter?") from one that stays on the guide."""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable, Mapping

from assistant import lexicon, phrasing
from assistant.places import places_in
from assistant.roles import RoleFacts
from core.embeddings import english_words

# How close an unknown word must be to a guide word to be taken for a typo of it.
FUZZY_CUTOFF = 0.84
# Two names offered as a choice: "qdrant or milvus", "jira vs. asana".
_CHOICE = re.compile(r"(?<![\w-])([a-z][a-z0-9]{3,})\s+(?:or|vs\.?|versus)\s+([a-z][a-z0-9]{3,})(?![\w-])")


class GuideWords:
    """The guide's vocabulary, built once per reader."""

    def __init__(self, roles: Mapping[str, RoleFacts], guide_text: str) -> None:
        vocab = {w for w in phrasing.WORD.findall(guide_text.lower()) if len(w) >= 4}
        for facts in roles.values():
            for name in (facts.title, *facts.aliases):
                vocab.update(w for w in phrasing.WORD.findall(name.lower()) if len(w) >= 4)
        for words in lexicon.TOPIC_WORDS.values():
            vocab.update(w for w in words if " " not in w and len(w) >= 4)
        for name in lexicon.REGION_WORDS:
            vocab.update(w for w in name.split() if len(w) >= 4)
        self.vocab = frozenset(vocab)
        self.known = frozenset(vocab | set(phrasing.STOP) | phrasing.lexicon_words())
        self._roots: frozenset[str] = frozenset()
        self._guide_roots: frozenset[str] = frozenset()

    def knows_any(self, words: Iterable[str]) -> bool:
        """Is one of `words` the guide's, a region's, or another form of one ("deploying")?"""
        if not self._roots:
            self._roots = frozenset(phrasing.root(w) for w in self.known)
        return any(w in self.known or w in lexicon.REGION_WORDS or phrasing.root(w) in self._roots for w in words)

    def in_guide(self, word: str) -> bool:
        """Is `word` the guide's or a region's, or another form of one? (Not a word known only
        from the lexicon's lists of what the guide does not cover.)"""
        if not self._guide_roots:
            self._guide_roots = frozenset(phrasing.root(w) for w in self.vocab)
        return word in self.vocab or word in lexicon.REGION_WORDS or phrasing.root(word) in self._guide_roots

    def unknown_choice(self, low: str) -> tuple[str, ...]:
        """The names offered as a choice ("qdrant or milvus?", "jira vs asana", "gemini or
        copilot") when neither is a word of the guide or a place, and one is no English word:
        products the guide does not cover."""
        for m in _CHOICE.finditer(low):
            names = m.groups()
            if not any(self.in_guide(w) for w in names) and not all(w in english_words() for w in names) \
                    and not places_in(" ".join(names)):
                return names
        return ()

    def fix_typos(self, text: str) -> str:
        """`text` with words the guide does not know replaced by the close guide word ("salry")."""
        def swap(m: re.Match[str]) -> str:
            word = m.group(0)
            low = word.lower()
            if low in lexicon.ABBREVIATIONS and not (low in {"ds", "mle"} and word.isupper()):
                return lexicon.ABBREVIATIONS[low]
            if len(low) < 5 or low in self.known or not low.isalpha() or low in english_words():
                return word
            close = difflib.get_close_matches(low, self.vocab, n=1, cutoff=FUZZY_CUTOFF)
            if not close or close[0] in low or low in close[0] or phrasing.root(close[0]) == phrasing.root(low):
                return word  # unknown, or another form of a guide word ("deployment", "apart", "writes")
            return close[0]

        return re.sub(r"[A-Za-z][A-Za-z0-9]*", swap, text)
