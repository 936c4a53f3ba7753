"""Path requests in the chat ("which AI role suits me?"): recognised by how they are put, and
answered with the cards at once, then the model's refinements and the personal summary."""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Iterator, Mapping
from typing import Any

from langchain_core.language_models import BaseChatModel

from assistant import lexicon, phrasing
from assistant.phrasing import normal
from assistant.quiz import QUESTIONS, QuizAnswers, background_of
from assistant.recommend.cards import RoleCard, build_cards
from assistant.recommend.nearest import nearest_roles
from assistant.recommend.profile import answers_from_description, model_can_add, stated_answers
from assistant.recommend.render import render_markdown
from assistant.recommend.summary import personal_summary
from assistant.roles import RoleFacts, find_roles, known_roles

logger = logging.getLogger(__name__)

_PATH_PATTERNS = [
    r"\b(?:suits?|fits?|right for|best for|good for|matches|match)\s+(?:me|my|someone like me)\b",
    r"\b(?:what|which)\s+(?:ai\s+|ml\s+)?(?:role|path|career|track|job|position)s?\s+"
    r"(?:should|would|could|can|might|do|is|are|fits?|suits?)\b.*\b(?:i|me|my)\b",
    r"\b(?:which|what)\s+(?:ai\s+)?(?:role|path|career|track)s?\s+(?:should|would|to)\b",
    r"\b(?:which|what)\s+(?:ai\s+|ml\s+)?(?:role|path|career|track|job)s?\s+(?:\w+\s+){1,3}for\s+me\b",
    r"\bwhat\s+should\s+i\s+(?:do|choose|pick|go for|pursue|aim for|become|study)\b",
    r"\bwhich\s+(?:one|path|track|role)\s+(?:should\s+i|is\s+for\s+me|to\s+choose)\b",
    r"\b(?:recommend|suggest)\w*\b.*\b(?:role|path|career|track|job)s?\b",
    r"\b(?:choose|pick|find)\s+(?:my|a|the right|the best)\s+(?:ai\s+)?(?:path|role|career|track)\b",
    r"\b(?:take|do|start)\s+the\s+quiz\b",
    r"\bwhere\s+(?:do|should|would|could)\s+i\s+(?:fit|start|begin)\b",
    r"\b(?:career\s+change|switch(?:ing)?\s+careers?|change\s+careers?)\b",
    r"\b(?:an?\s+)?(?:ai\s+|ml\s+)?(?:role|path|career|track|job|place)s?\s+(?:for|in ai for)\s+(?:me|someone like me)\b",
]
# "How do I get into AI?" asks for a path; "How do I get into ML engineering?" asks how to
# break into one role, which the chat answers from that role's section.
_GET_INTO_AI = re.compile(
    r"\bhow\s+(?:do|can|should|could)\s+i\s+(?:get|move|switch|transition|break)\s+into\s+"
    r"(?:ai|ml|machine learning)\b",
    re.I,
)
# A path request is about the asker ("which role suits me?") or asks outright ("suggest a path").
_ABOUT_THE_ASKER = re.compile(r"\b(?:i|i'm|im|i'd|i've|ive|me|my|myself|mine)\b")
_ASKS_DIRECTLY = re.compile(r"\s*(?:please\s+|pls\s+|can you\s+|could you\s+)?"
                            r"(?:recommend|suggest|pick|choose|find|help|take|start|do|give)\b")
_SELF_DESCRIPTION = re.compile(r"\b(?:i'?m|i am|i work|i've been|i have been|my background|as an?)\b", re.I)
_ASKS_ABOUT_AI_CAREER = re.compile(
    r"\b(?:what|which|where|how|should)\b.*\b(?:ai|ml|machine learning|role|path|career)\b", re.I
)


def is_path_request(question: str) -> bool:
    """True when the question asks which AI role or path suits the asker (not a fact about a role)."""
    q = (question or "").strip()
    if not q:
        return False
    low = normal(q)
    if any(re.search(p, low) for p in _PATH_PATTERNS) and (_ABOUT_THE_ASKER.search(low) or _ASKS_DIRECTLY.match(low)):
        return True  # not "what questions does the guide ask to help you pick a path?"
    if _GET_INTO_AI.search(q) and not find_roles(q, known_roles()):
        return True
    if find_roles(q, known_roles()):
        return False
    # "I'm a nurse. Where does AI come in for me?": a self-description plus an open career
    # question that names no particular role.
    if _SELF_DESCRIPTION.search(q) and _ASKS_ABOUT_AI_CAREER.search(q) and "?" in q:
        return True
    # "i hate dealing with business people, i love writing code ... what fits?": the asker answers
    # the quiz's own questions, then asks something open, about no topic of a role's profile.
    told, asked = _told_and_asked(low)
    return bool(told and asked and stated_answers(told)
                and not any(phrasing.has_any(asked, words) for topic, words in lexicon.TOPIC_WORDS.items()
                            if topic != "suits"))  # "what fits?" asks what suits them


def _told_and_asked(low: str) -> tuple[str, str]:
    """The sentences that tell and the last one, when it asks ("..., research isnt my thing. what fits?")."""
    sentences = [s for s in re.split(r"(?<=[.!?])\s+", low.strip()) if s]
    if len(sentences) < 2 or not sentences[-1].rstrip().endswith("?"):
        return "", ""
    return " ".join(sentences[:-1]), sentences[-1]


def answer_path_request(
    question: str,
    roles: Mapping[str, RoleFacts],
    chat_model: BaseChatModel | None,
    check: Callable[[str, list[str]], list[str]] | None = None,
    top_n: int = 3,
) -> tuple[str, list[RoleCard]]:
    """The chat's reply to a path request: the cards as markdown, with a grounded summary
    after them when a model and a check are given (the last step of `stream_path_request`)."""
    text, cards = "", []
    for text, cards in stream_path_request(question, roles, chat_model, check, top_n):
        pass
    return text, cards


def stream_path_request(
    question: str,
    roles: Mapping[str, RoleFacts],
    chat_model: BaseChatModel | None,
    check: Callable[[str, list[str]], list[str]] | None = None,
    top_n: int = 3,
    embeddings: Any = None,
) -> Iterator[tuple[str, list[RoleCard]]]:
    """The reply to a path request as it improves: first the cards from what the text says
    outright (no model call, so they show at once); then, only if the model's reading of the
    text changes the answers, the cards again; then the cards with the personal summary.
    Each yield is the whole reply so far; a reply equal to the previous one is not yielded."""
    stated = answers_from_description(question, None)
    cards = build_cards(stated, roles, top_n=top_n, nearest=_nearest(question, stated, roles, embeddings))
    text = render_markdown(cards, stated)
    yield text, cards
    answers = stated
    if chat_model is not None and model_can_add(question):
        answers = answers_from_description(question, chat_model, embeddings)
        if answers != stated:
            cards = build_cards(answers, roles, top_n=top_n, nearest=_nearest(question, answers, roles, embeddings))
            if render_markdown(cards, answers) != text:
                text = render_markdown(cards, answers)
                yield text, cards
    if check is not None:
        summary = personal_summary(cards, answers, chat_model, check)
        if summary:
            yield render_markdown(cards, answers, summary), cards


def _nearest(question: str, answers: QuizAnswers, roles: Mapping[str, RoleFacts], embeddings: Any) -> list[str]:
    """Roles by meaning, only for a person the quiz cannot place (no answer, no known background)."""
    placed = len(answers.unanswered) < len(QUESTIONS) or background_of(answers.background).roles
    return [] if placed else nearest_roles(question, roles, embeddings)
