"""Bench part: time to first token and generation speed of the chain vs a bare llama.cpp call
with the same messages, on the same loaded model."""

from __future__ import annotations

import logging
import statistics
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any
from uuid import UUID

from langchain_core.callbacks import BaseCallbackHandler
from langchain_core.messages import BaseMessage

from core.settings import Settings

if TYPE_CHECKING:
    from evals.bench import BenchOptions

logger = logging.getLogger(__name__)

# Questions that take the chain's LLM path: open "why/how/what makes" questions (plain section
# and salary questions are computed from the role facts, yes/no questions quote the guide's
# deciding lines, path requests take the quiz path).
LLM_QUESTIONS = (
    "Why do data scientists need SQL?",
    "Why would an ML engineer need a cloud platform?",
    "Why is the research scientist track so hard to get into?",
    "What is the point of red-teaming models for a safety researcher?",
    "How does a writer end up as a prompt engineer?",
    "What makes MLOps different from DevOps?",
)


LLM_METHOD = (
    "Each question is first run through the chain with a recording fake model to capture the exact "
    "messages the chain sends. Then the chain (retrieval, gate, prompt, ChatLocalLlama streaming, figure "
    "guard, grounding check) and a bare llama_cpp.Llama.create_chat_completion(stream=True) with those "
    "messages and the same temperature and max_tokens run back to back on the same loaded model, the order "
    "alternating per question (chain first, then bare first). Both are cold: llama.reset() before each run "
    "empties llama.cpp's KV cache, so neither reuses the other's prompt prefix. Time to first token is "
    "from the call to the first visible text (for the chain: the first token its figure guard releases); "
    "'first model token' is the chain's first token from the model. Tokens/s counts streamed pieces "
    "after the first. The overhead is the median of the per-question ratios. A warm-up answer (not timed) "
    "loads the model first."
)


LLM_METHOD_OTHER = (
    "Not a llama.cpp backend: the baseline is the same chat model streamed directly with the chain's "
    "messages (no cache reset possible); the ratio is informative only."
)


def bench_llm(settings: Settings, options: BenchOptions) -> dict:
    sides = _Sides.build(settings)
    sides.chain(LLM_QUESTIONS[0])  # warm up (not timed): model load, embeddings, BM25 index
    pairs = []
    for n, question in enumerate(LLM_QUESTIONS[: options.llm_questions]):
        messages = sides.messages_for(question)
        if messages is None:
            logger.warning("bench: %r did not reach the model; skipped", question)
            continue
        if n % 2 == 0:
            c, b = sides.chain(question), sides.bare(messages)
        else:
            b, c = sides.bare(messages), sides.chain(question)
        pairs.append(_pair(question, "chain" if n % 2 == 0 else "bare", c, b))
    return _summary(pairs, sides)


class _Sides:
    """The two sides of the comparison on one loaded model: the chain, and the bare model
    given the exact messages the chain sends."""

    def __init__(self, settings: Settings, assistant: Any, llama: Any, prefix: Any) -> None:
        self.settings = settings
        self.assistant = assistant
        self.chat_model = assistant.chat_model
        self.llama = llama
        self.prefix = prefix

    @classmethod
    def build(cls, settings: Settings) -> _Sides:
        from assistant.chain import build_assistant
        from assistant.llm import ChatLocalLlama
        from evals.run import INDEX_FOLDER, build_eval_index

        s, _ = build_eval_index(
            settings, Path(settings.data_dir) / INDEX_FOLDER / "ours", [Path(settings.corpus_dir)],
            progress=False
        )
        assistant = build_assistant(s)
        chat_model = assistant.chat_model
        llama = chat_model.load() if isinstance(chat_model, ChatLocalLlama) else None
        prefix = None
        if llama is not None:
            from langchain_core.messages import HumanMessage, SystemMessage

            from assistant import prompts
            from assistant.llm import _KVSnapshot

            chat_model.invoke([SystemMessage(prompts.SYSTEM),
                               HumanMessage(prompts.USER.format(sources="", question="Hello"))], max_tokens=1)
            prefix = _KVSnapshot.take(llama)
        return cls(settings, assistant, llama, prefix)

    @property
    def local(self) -> bool:
        from assistant.llm import ChatLocalLlama

        return isinstance(self.chat_model, ChatLocalLlama)

    def cold(self) -> None:
        # Both sides start from the state a question meets in the running app: the system
        # prompt in llama.cpp's KV cache (the app reads it once at start), nothing else.
        if self.prefix is not None:
            self.prefix.restore(self.llama)

    def messages_for(self, question: str) -> list[BaseMessage] | None:
        from assistant.llm import ScriptedChatModel

        recorder = ScriptedChatModel(replies=["(recording the prompt) [1]"])
        self.assistant.chat_model = recorder
        try:
            self.assistant.answer(question)
        finally:
            self.assistant.chat_model = self.chat_model
        return recorder.prompts[-1] if recorder.prompts else None

    def bare(self, messages: list[BaseMessage]) -> dict:
        from assistant.llm import stream_text

        self.cold()
        timer = _TokenTimer()
        timer.begin()
        if self.llama is not None:
            return self._bare_llama(messages, timer)
        for _ in stream_text(self.chat_model, messages):
            timer.token()
        return timer.result(first_visible=timer.first)

    def _bare_llama(self, messages: list[BaseMessage], timer: _TokenTimer) -> dict:
        from langchain_core.messages import convert_to_openai_messages

        from assistant.llm import shared_prefix_length

        llama = self.llama
        stream = llama.create_chat_completion(
            messages=convert_to_openai_messages(messages),
            stream=True,
            temperature=self.settings.llm_temperature,
            max_tokens=self.settings.llm_max_tokens,
        )
        for chunk in stream:
            if chunk["choices"][0].get("delta", {}).get("content"):
                timer.token()
        # llama.cpp now holds the prompt plus what it generated (about one token per piece).
        prompt_tokens = llama.n_tokens - timer.count
        read = prompt_tokens - shared_prefix_length(self.prefix.input_ids, llama.input_ids[:prompt_tokens])
        return {**timer.result(first_visible=timer.first), "prompt_tokens": prompt_tokens, "read": read}

    def chain(self, question: str) -> dict:
        self.cold()
        timer = _TokenTimer()
        self.chat_model.callbacks = [timer]
        first_visible = None
        try:
            timer.begin()
            for event in self.assistant.stream(question):
                if event.token and first_visible is None:
                    first_visible = time.perf_counter()
        finally:
            self.chat_model.callbacks = None
        return {**timer.result(first_visible=first_visible), "read": timer.read}


def _pair(question: str, first: str, c: dict, b: dict) -> dict:
    return {
        "question": question,
        "first": first,
        "chain_ttft_s": c["ttft_s"],
        "chain_llm_ttft_s": c["llm_ttft_s"],
        "bare_ttft_s": b["ttft_s"],
        "chain_tokens": c["tokens"],
        "bare_tokens": b["tokens"],
        "chain_tokens_per_s": c["tokens_per_s"],
        "bare_tokens_per_s": b["tokens_per_s"],
        "chain_generation_s": c["generation_s"],
        "bare_generation_s": b["generation_s"],
        "prompt_tokens": b.get("prompt_tokens"),
        "chain_read": c.get("read"),
        "bare_read": b.get("read"),
    }


def _summary(pairs: list[dict], sides: _Sides) -> dict[str, Any]:
    """Medians of the paired first-token times and pooled generation rates."""
    from assistant.llm import model_info

    result: dict[str, Any] = {
        "model": model_info(sides.chat_model),
        "local": sides.local,
        "pairs": pairs,
        "method": LLM_METHOD if sides.local else LLM_METHOD_OTHER,
    }
    valid = [p for p in pairs if p["chain_ttft_s"] and p["bare_ttft_s"]]
    if valid:
        result.update(
            chain_ttft_p50_s=statistics.median(p["chain_ttft_s"] for p in valid),
            chain_llm_ttft_p50_s=statistics.median(p["chain_llm_ttft_s"] for p in valid),
            bare_ttft_p50_s=statistics.median(p["bare_ttft_s"] for p in valid),
            # Paired: each question's chain time over its own bare time, then the median.
            ttft_overhead=statistics.median(p["chain_ttft_s"] / p["bare_ttft_s"] for p in valid),
            llm_ttft_overhead=statistics.median(p["chain_llm_ttft_s"] / p["bare_ttft_s"] for p in valid),
        )
    prompts = [p["prompt_tokens"] for p in pairs if p.get("prompt_tokens")]
    result["prompt_tokens_p50"] = statistics.median(prompts) if prompts else None
    for side in ("chain", "bare"):
        read = [p[f"{side}_read"] for p in pairs if p.get(f"{side}_read") is not None]
        result[f"{side}_read_p50"] = statistics.median(read) if read else None
    rates = [p for p in pairs if p["chain_generation_s"] and p["bare_generation_s"]]
    if rates:
        # Pooled over the questions (tokens after the first / time after the first token):
        # short answers give too few tokens for a per-question rate to mean much.
        chain_rate = sum(p["chain_tokens"] - 1 for p in rates) / sum(p["chain_generation_s"] for p in rates)
        bare_rate = sum(p["bare_tokens"] - 1 for p in rates) / sum(p["bare_generation_s"] for p in rates)
        result.update(
            chain_tokens_per_s=chain_rate,
            bare_tokens_per_s=bare_rate,
            tokens_per_s_ratio=chain_rate / bare_rate,
        )
    return result


class _TokenTimer(BaseCallbackHandler):
    """Times the first and last token of one generation (as a LangChain callback, or by hand)."""

    def __init__(self) -> None:
        self.started = 0.0
        self.first: float | None = None
        self.last: float | None = None
        self.count = 0
        self.read: int | None = None  # prompt tokens llama.cpp read (not from its KV cache)

    def on_llm_end(self, response: Any, **kwargs: Any) -> None:
        for generations in response.generations:
            for generation in generations:
                usage = getattr(getattr(generation, "message", None), "usage_metadata", None) or {}
                if usage.get("input_tokens"):
                    cached = (usage.get("input_token_details") or {}).get("cache_read", 0)
                    self.read = usage["input_tokens"] - cached

    def begin(self) -> None:
        self.started = time.perf_counter()

    def token(self) -> None:
        now = time.perf_counter()
        self.first = self.first or now
        self.last = now
        self.count += 1

    def on_llm_new_token(
        self, token: str, *, run_id: UUID, parent_run_id: UUID | None = None, **kwargs: Any
    ) -> None:
        if token:
            self.token()

    def result(self, first_visible: float | None) -> dict:
        rate = None
        if self.first is not None and self.last is not None and self.count > 1 and self.last > self.first:
            rate = (self.count - 1) / (self.last - self.first)
        return {
            "ttft_s": None if first_visible is None else round(first_visible - self.started, 4),
            "llm_ttft_s": None if self.first is None else round(self.first - self.started, 4),
            "tokens": self.count,
            "tokens_per_s": None if rate is None else round(rate, 2),
            "generation_s": None if rate is None else round(self.last - self.first, 4),
        }
