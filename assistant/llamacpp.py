"""The llama.cpp chat model (llama-cpp-python in-process): one loaded model per process,
its KV cache kept for the answer prompt's prefix, and token counts from a logits processor."""

from __future__ import annotations

import importlib
import logging
import threading
import time
from collections.abc import Iterator, Sequence
from typing import Any

from langchain_core.callbacks import CallbackManagerForLLMRun
from langchain_core.language_models import BaseChatModel, LangSmithParams
from langchain_core.language_models.chat_models import generate_from_stream
from langchain_core.messages import AIMessageChunk, BaseMessage, SystemMessage, convert_to_openai_messages
from langchain_core.messages.ai import UsageMetadata
from langchain_core.outputs import ChatGenerationChunk, ChatResult

from core.errors import BackendUnavailable, BadInput

logger = logging.getLogger(__name__)

N_CTX = 4096
# llama.cpp's own default; ChatLlamaCpp's n_batch=8 doubles time to first token.
N_BATCH = 512

# One llama.cpp model per (path, threads, n_ctx, n_batch) per process: loading costs
# seconds and ~2 GB, and a llama.cpp context must not decode two requests at once.
_LLAMAS: dict[tuple[str, int, int, int], tuple[Any, threading.Lock]] = {}


_LLAMAS_LOCK = threading.Lock()


class ChatLocalLlama(BaseChatModel):
    """A GGUF model run in-process by llama.cpp (llama-cpp-python), streaming.

    Written instead of langchain-community's ChatLlamaCpp, whose defaults override the
    model's RoPE base (10000 instead of Qwen2.5's 1,000,000) and read prompts 8 tokens
    at a time. Construction is cheap; the model loads on first use (or `load()`), once
    per process.
    """

    model_path: str
    model_name: str = "local GGUF"
    n_ctx: int = N_CTX
    n_threads: int = 2
    n_batch: int = N_BATCH
    temperature: float = 0.0
    max_tokens: int = 200
    stop: list[str] | None = None
    streaming: bool = False
    # The answer chain's system prompt. llama.cpp reuses its KV cache for the longest prefix
    # a prompt shares with the previous one; a call under another system prompt (quiz
    # parsing, a summary) would evict it, so the cache is restored after such calls.
    resident_system: str | None = None

    @property
    def _llm_type(self) -> str:
        return "llama-cpp-local"

    @property
    def _identifying_params(self) -> dict[str, Any]:
        return {
            "model_name": self.model_name,
            "model_path": self.model_path,
            "n_ctx": self.n_ctx,
            "n_batch": self.n_batch,
            "temperature": self.temperature,
            "max_tokens": self.max_tokens,
        }

    def load(self) -> Any:
        """Load (or reuse) the llama.cpp model; returns the `llama_cpp.Llama`."""
        return self._llama()[0]

    def _llama(self) -> tuple[Any, threading.Lock]:
        key = (self.model_path, self.n_threads, self.n_ctx, self.n_batch)
        with _LLAMAS_LOCK:
            if key not in _LLAMAS:
                llama_cpp = import_llama_cpp()
                started = time.perf_counter()
                try:
                    llama = llama_cpp.Llama(**llama_kwargs(*key))
                except (ValueError, OSError, RuntimeError) as exc:
                    raise BackendUnavailable(
                        f"llama.cpp could not load {self.model_path}: {one_line(exc)}"
                    ) from exc
                logger.info("loaded %s in %.1f s", self.model_name, time.perf_counter() - started)
                _LLAMAS[key] = (llama, threading.Lock())
            return _LLAMAS[key]

    def _get_ls_params(self, stop: list[str] | None = None, **kwargs: Any) -> LangSmithParams:
        params = LangSmithParams(
            ls_provider="llamacpp",
            ls_model_name=kwargs.get("model", self.model_name),
            ls_model_type="chat",
            ls_temperature=kwargs.get("temperature", self.temperature),
            ls_max_tokens=kwargs.get("max_tokens", self.max_tokens),
        )
        if ls_stop := stop or self.stop:
            params["ls_stop"] = ls_stop
        return params

    def _generate(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> ChatResult:
        return generate_from_stream(self._stream(messages, stop=stop, run_manager=run_manager, **kwargs))

    def _stream(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> Iterator[ChatGenerationChunk]:
        llama, lock = self._llama()
        from llama_cpp import LogitsProcessorList

        side_call = bool(self.resident_system) and not _opens_with(messages, self.resident_system)
        finish_reason = None
        with lock:
            counter = _TokenCounter(cached=llama.input_ids[: llama.n_tokens].copy())
            kept = _KVSnapshot.take(llama) if side_call and _holds_resident(llama) else None
            try:
                chunks = llama.create_chat_completion(
                    messages=convert_to_openai_messages(messages),
                    stream=True,
                    temperature=kwargs.get("temperature", self.temperature),
                    max_tokens=kwargs.get("max_tokens", self.max_tokens),
                    stop=stop or self.stop or [],
                    logits_processor=LogitsProcessorList([counter]),
                )
                for chunk in chunks:
                    choice = chunk["choices"][0]
                    finish_reason = choice.get("finish_reason") or finish_reason
                    text = choice.get("delta", {}).get("content") or ""
                    if text:
                        piece = ChatGenerationChunk(message=AIMessageChunk(content=text))
                        if run_manager:
                            run_manager.on_llm_new_token(text, chunk=piece)
                        yield piece
            except ValueError as exc:
                if "context window" in str(exc):
                    raise BadInput(
                        f"the prompt does not fit the model's {self.n_ctx}-token context: "
                        "ask a shorter question"
                    ) from exc
                raise
            finally:
                if kept is not None:
                    kept.restore(llama)
                _mark_resident(llama, holds=not side_call and bool(self.resident_system))
        # An end-of-generation token is sampled but never returned as text.
        output_tokens = max(counter.calls - (1 if finish_reason == "stop" else 0), 0)
        usage = UsageMetadata(
            input_tokens=counter.prompt_tokens,
            output_tokens=output_tokens,
            total_tokens=counter.prompt_tokens + output_tokens,
            input_token_details={"cache_read": counter.reused},
        )
        yield ChatGenerationChunk(
            message=AIMessageChunk(
                content="",
                usage_metadata=usage,
                response_metadata={"finish_reason": finish_reason, "model_name": self.model_name},
                chunk_position="last",
            )
        )


def llama_kwargs(model_path: str, n_threads: int, n_ctx: int = N_CTX, n_batch: int = N_BATCH) -> dict:
    """The `llama_cpp.Llama` arguments used for every load (tests check their freq_base)."""
    return {
        "model_path": model_path,
        "n_ctx": n_ctx,
        "n_batch": n_batch,
        "n_threads": n_threads,
        "n_threads_batch": n_threads,
        # 0 = take RoPE base and scale from the GGUF (Qwen2.5: 1,000,000); never hard-code.
        "rope_freq_base": 0.0,
        "rope_freq_scale": 0.0,
        "verbose": False,
    }


class _TokenCounter:
    """A llama.cpp logits processor that only counts: its first call sees the whole
    prompt, and it is called once per sampled token.

    `reused` is how many prompt tokens llama.cpp took from its KV cache instead of reading
    them: the prefix the prompt shares with `cached` (what the cache held before the call),
    less one, since llama.cpp always evaluates at least the prompt's last token.
    """

    def __init__(self, cached: Any = ()) -> None:
        self.cached = list(cached)
        self.prompt_tokens = 0
        self.reused = 0
        self.calls = 0

    def __call__(self, input_ids: Any, scores: Any) -> Any:
        if self.calls == 0:
            prompt = list(input_ids)
            self.prompt_tokens = len(prompt)
            self.reused = min(shared_prefix_length(self.cached, prompt), max(self.prompt_tokens - 1, 0))
        self.calls += 1
        return scores


def shared_prefix_length(a: Sequence[int], b: Sequence[int]) -> int:
    """How many leading tokens two token sequences share."""
    n = 0
    for x, y in zip(a, b, strict=False):
        if x != y:
            break
        n += 1
    return n


class _KVSnapshot:
    """llama.cpp's context state (the KV cache and the tokens it holds), to put back after a
    call that would otherwise evict the answer prompt's cached prefix. Only the KV cells in
    use are copied (about 30 KB per token for the 1.5B model), not llama-cpp-python's logits."""

    def __init__(self, state: bytes, input_ids: Any, n_tokens: int) -> None:
        self.state = state
        self.input_ids = input_ids
        self.n_tokens = n_tokens

    @classmethod
    def take(cls, llama: Any) -> _KVSnapshot:
        import ctypes

        import llama_cpp

        size = llama_cpp.llama_state_get_size(llama.ctx)
        buffer = (ctypes.c_uint8 * int(size))()
        written = llama_cpp.llama_state_get_data(llama.ctx, buffer, size)
        state = ctypes.string_at(buffer, int(written))
        return cls(state, llama.input_ids[: llama.n_tokens].copy(), llama.n_tokens)

    def restore(self, llama: Any) -> None:
        import ctypes

        import llama_cpp

        buffer = (ctypes.c_uint8 * len(self.state)).from_buffer_copy(self.state)
        if llama_cpp.llama_state_set_data(llama.ctx, buffer, len(self.state)) != len(self.state):
            logger.warning("could not restore llama.cpp's KV cache; the next answer reads its prompt again")
            llama.reset()
            return
        llama.input_ids[: self.n_tokens] = self.input_ids
        llama.n_tokens = self.n_tokens


# Which loaded llama.cpp contexts hold the answer chain's prompt in their KV cache (by id).
_RESIDENT: set[int] = set()


def _holds_resident(llama: Any) -> bool:
    return id(llama) in _RESIDENT and llama.n_tokens > 0


def _mark_resident(llama: Any, *, holds: bool) -> None:
    if holds:
        _RESIDENT.add(id(llama))
    elif not _holds_resident(llama):
        _RESIDENT.discard(id(llama))


def _opens_with(messages: Sequence[BaseMessage], system: str) -> bool:
    return bool(messages) and isinstance(messages[0], SystemMessage) and messages[0].text == system


def import_llama_cpp() -> Any:
    try:
        return importlib.import_module("llama_cpp")
    except ImportError:
        raise BackendUnavailable(
            "the local backend needs llama-cpp-python: run `make install` (it builds llama.cpp "
            "with the right flags), or choose another CAREER_LLM_BACKEND"
        ) from None


def one_line(value: object) -> str:
    return " ".join(str(value).split())[:300]
