"""Chat turns: a question streamed to its answer in views the chat shows, the history the
chain gets, and thumbs up/down with a comment stored as feedback."""

from __future__ import annotations

import logging
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING

from assistant.webapp.render import answer_markdown, sources_panel_html
from assistant.webapp.text import md_escape, preview
from core.errors import BackendUnavailable, BadInput, CareerAssistantError, ConfigError, IndexMissing

if TYPE_CHECKING:
    from assistant.feedback import FeedbackStore
    from assistant.webapp.startup import LazyAssistant

logger = logging.getLogger(__name__)


@dataclass
class ChatTurn:
    """One question and its answer in one browser session."""

    question: str
    answer: str = ""
    sources: list[dict] = field(default_factory=list)
    mode: str = ""  # AnswerResult.mode, or "error" for a message that is not an answer
    notice: str = ""
    declined: bool = False
    pending: bool = False
    latency_s: float | None = None
    ttft_s: float | None = None
    feedback_id: int | None = None
    rating: int | None = None

    @property
    def is_answer(self) -> bool:
        return self.mode not in ("", "error") and not self.pending


@dataclass
class ChatView:
    """What the chat shows after one step of an answer."""

    messages: list[dict]
    sources_html: str
    turns: list[ChatTurn]
    result: dict | None = None  # AnswerResult.to_dict() on the last step
    done: bool = False


def stream_chat(source: LazyAssistant, message: object, turns: Sequence[ChatTurn]) -> Iterator[ChatView]:
    """Answer `message` in the conversation `turns`, yielding a view per streamed piece.

    Bad input and backend problems end as a one-line message in the chat, never a
    traceback; an unexpected error also drops the assistant so the next question
    rebuilds it.
    """
    turns = list(turns)
    raw = message if isinstance(message, str) else ""
    turn = ChatTurn(question=preview(raw) or "(empty question)", pending=True)
    turns.append(turn)
    yield _view(turns)
    result = None
    try:
        if not isinstance(message, str):
            raise BadInput("the question must be text")
        assistant = source.get()
        question = assistant.clean_question(message)
        turn.question = preview(question)
        text = ""
        for event in assistant.stream(question, history_of(turns[:-1])):
            if event.result is not None:
                result = event.result
                continue
            text = event.token if event.replace else text + event.token
            if event.token:
                turn.answer = text
                yield _view(turns)
        if result is None:
            raise BackendUnavailable("the assistant returned no answer")
        turn.answer = result.answer
        turn.sources = list(result.sources)
        turn.mode = result.mode
        turn.notice = result.notice
        turn.declined = result.declined
        turn.latency_s = result.latency_s
        turn.ttft_s = result.ttft_s
        source.note(None)
    except BadInput as exc:
        _fail(turn, f"⚠ {exc}")
    except IndexMissing as exc:
        source.reset()
        source.note(exc)
        _fail(turn, f"⚠ {exc}")
    except (BackendUnavailable, ConfigError) as exc:
        source.note(exc)
        _fail(turn, f"⚠ {exc}")
    except CareerAssistantError as exc:
        _fail(turn, f"⚠ {exc}")
    except Exception as exc:  # the person sees one line; the log keeps the traceback
        logger.exception("answering %r failed", turn.question)
        source.reset()
        _fail(turn, f"⚠ Something went wrong while answering ({type(exc).__name__}). Please ask again.")
    turn.pending = False
    yield _view(turns, result=result.to_dict() if result is not None else None, done=True)


def history_of(turns: Sequence[ChatTurn]) -> list[dict]:
    """The conversation so far, as the chain expects it (answers only, not error messages)."""
    history: list[dict] = []
    for t in turns:
        if t.is_answer:
            history.append({"role": "user", "content": t.question})
            history.append({"role": "assistant", "content": t.answer})
    return history


def chat_messages(turns: Sequence[ChatTurn]) -> list[dict]:
    """The turns as Gradio chat messages: user, assistant, user, assistant, ..."""
    messages: list[dict] = []
    for n, t in enumerate(turns):
        messages.append({"role": "user", "content": md_escape(t.question)})
        messages.append({"role": "assistant", "content": answer_markdown(t, n)})
    return messages


def rate_answer(store: FeedbackStore, turns: Sequence[ChatTurn], message_index: int,
                liked: bool | None) -> tuple[list[ChatTurn], int | None, str]:
    """Store (or change, or undo) a thumbs up/down on the answer at chat message
    `message_index`. Returns the turns, the turn that can take a comment, and a note."""
    turns = list(turns)
    index = int(message_index) // 2
    if not 0 <= index < len(turns) or not turns[index].is_answer:
        return turns, None, "Only answers can be rated."
    turn = turns[index] = replace(turns[index])
    rating = None if liked is None else (1 if liked else -1)
    try:
        if rating is None:
            if turn.feedback_id is not None:
                store.remove(turn.feedback_id)
            turn.feedback_id, turn.rating = None, None
            return turns, None, "Rating removed."
        if turn.feedback_id is None:
            turn.feedback_id = store.add(turn.question, turn.answer, turn.sources, rating,
                                         history=history_of(turns[:index]), mode=turn.mode)
        else:
            store.update(turn.feedback_id, rating=rating)
    except Exception as exc:  # a full disk must not break the chat
        logger.exception("storing feedback failed")
        return turns, None, f"Sorry, your rating could not be saved ({type(exc).__name__})."
    turn.rating = rating
    note = ("Thanks! What was wrong or missing? (optional)" if rating < 0
            else "Thanks! Anything to add? (optional)")
    return turns, index, note


def comment_on_answer(store: FeedbackStore, turns: Sequence[ChatTurn], index: int | None,
                      comment: str) -> str:
    """Attach a comment to the rated answer; returns a note for the person."""
    if index is None or not 0 <= index < len(turns) or turns[index].feedback_id is None:
        return "Rate an answer with thumbs up or down first."
    if not (comment or "").strip():
        return "Type a comment first (or just leave the rating)."
    try:
        store.update(int(turns[index].feedback_id or 0), comment=comment)
    except Exception as exc:
        logger.exception("storing a feedback comment failed")
        return f"Sorry, your comment could not be saved ({type(exc).__name__})."
    return "Comment saved. Thank you!"


def _view(turns: list[ChatTurn], result: dict | None = None, done: bool = False) -> ChatView:
    return ChatView(messages=chat_messages(turns), sources_html=sources_panel_html(turns), turns=turns,
                    result=result, done=done)


def _fail(turn: ChatTurn, message: str) -> None:
    turn.answer = " ".join(message.split())
    turn.mode = "error"
    turn.sources = []
