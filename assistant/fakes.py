"""Fake chat models: the `fake` backend (answers by quoting the prompt's first source) and a
scripted model for tests and the bench. No model is loaded and nothing is contacted."""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from typing import Any

from langchain_core.callbacks import CallbackManagerForLLMRun
from langchain_core.language_models import BaseChatModel
from langchain_core.language_models.fake_chat_models import GenericFakeChatModel
from langchain_core.messages import AIMessage, AIMessageChunk, BaseMessage, HumanMessage, SystemMessage
from langchain_core.outputs import ChatGeneration, ChatGenerationChunk, ChatResult
from pydantic import Field, model_validator

NO_SOURCE_REPLY = "I could not find this in the guide."
_SOURCE_LINE = re.compile(r"^\s*\[(\d+)\]\s*(.*)$", re.MULTILINE)


class CitingFakeChatModel(BaseChatModel):
    """The "fake" backend: answers with the first line of source [n] in the prompt and its
    citation, streamed word by word, so the whole pipeline runs without a model."""

    no_source_reply: str = NO_SOURCE_REPLY

    @property
    def _llm_type(self) -> str:
        return "fake-citing"

    def reply_for(self, messages: Sequence[BaseMessage]) -> str:
        """The deterministic answer to `messages`."""
        # The question is last: search it first, then the system prompt and history.
        for message in [*reversed(messages)]:
            if not isinstance(message, (HumanMessage, SystemMessage)):
                continue
            found = _first_source(message.text)
            if found:
                number, line = found
                return f"{line} [{number}]"
        return self.no_source_reply

    def _generate(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> ChatResult:
        return ChatResult(generations=[ChatGeneration(message=AIMessage(content=self.reply_for(messages)))])

    def _stream(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> Iterator[ChatGenerationChunk]:
        for word in re.findall(r"\S+\s*", self.reply_for(messages)):
            piece = ChatGenerationChunk(message=AIMessageChunk(content=word))
            if run_manager:
                run_manager.on_llm_new_token(word, chunk=piece)
            yield piece


class ScriptedChatModel(GenericFakeChatModel):
    """Replies with `replies` in order (cycling), streamed in word-sized chunks; records
    each prompt in `prompts`; raises `error` instead when set. For tests."""

    replies: list[str] = Field(default_factory=list)
    error: Exception | None = None
    prompts: list[list[BaseMessage]] = Field(default_factory=list)
    messages: Any = None  # GenericFakeChatModel's iterator, built from `replies`

    @model_validator(mode="after")
    def _script(self) -> ScriptedChatModel:
        if self.messages is None:
            self.messages = _cycle(self.replies or [""])
        return self

    @property
    def _llm_type(self) -> str:
        return "scripted-fake"

    def _generate(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> ChatResult:
        self.prompts.append(list(messages))
        if self.error is not None:
            raise self.error
        return super()._generate(messages, stop=stop, run_manager=run_manager, **kwargs)


def _cycle(replies: list[str]) -> Iterator[str]:
    while True:
        yield from replies


def _first_source(text: str) -> tuple[str, str] | None:
    """The number and first sentence of the first `[n] ...` source in `text`.

    A source is either a header line with its text below ("[1] roles.md > ML Engineer"
    then the passage, as prompts.SOURCE lays it out) or a single "[1] passage" line.
    """
    lines = text.splitlines()
    for i, line in enumerate(lines):
        match = _SOURCE_LINE.match(line)
        if not match:
            continue
        below = lines[i + 1].strip() if i + 1 < len(lines) else ""
        body = below if below and not _SOURCE_LINE.match(below) else match.group(2).strip()
        sentence = re.split(r"(?<=[.!?])\s", body, maxsplit=1)[0].strip()
        if sentence:
            return match.group(1), sentence[:300]
    return None
